"""The sources manifest, `knowledge/sources.yaml`: what each document is and which places exist."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from bot.evidence.errors import ManifestError
from bot.evidence.places import PlaceMatcher

MANIFEST_NAME = "sources.yaml"
DOCUMENT_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class SkipRange:
    """Lines of a document that are not evidence: from the line `start` up to the line `end`."""

    start: str | None = None
    end: str | None = None


@dataclass(frozen=True)
class Source:
    id: str
    file: str
    title: str
    short: str = ""  # the short title a quote's one-line source uses
    publisher: str = ""
    date: str = ""
    places: tuple[str, ...] = ()
    skip: tuple[SkipRange, ...] = field(default=())

    def cite(self, section: str = "") -> str:
        """A quote's one-line source: "UK leadership scenarios, Virtual Staff College, October
        2013 · Complexity" (the innermost heading, shortened)."""
        head = ", ".join(part for part in (self.short or self.title, self.date) if part)
        leaf = section.split("›")[-1].strip()
        if len(leaf) > 60:
            cut = leaf.rfind(" ", 0, 58)
            leaf = leaf[: cut if cut > 20 else 58].rstrip(" ,;:–-") + "…"
        return f"{head} · {leaf}" if leaf else head

    def fingerprint(self) -> str:
        """Changes whenever the manifest entry changes, so ingest re-indexes the document."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Manifest:
    path: Path
    sources: tuple[Source, ...]
    places: dict[str, tuple[str, ...]]

    def by_file(self, file: str) -> Source | None:
        return next((s for s in self.sources if s.file == file), None)

    def resolve_doc(self, name: str) -> str | None:
        """The file name for a document named by file name, stem or id ("002")."""
        for source in self.sources:
            if name in (source.file, source.id, Path(source.file).stem):
                return source.file
        return None

    def place_matcher(self) -> PlaceMatcher:
        return PlaceMatcher(self.places)


def load_manifest(knowledge_dir: Path) -> Manifest:
    path = knowledge_dir / MANIFEST_NAME
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(
            f"No {MANIFEST_NAME} in {knowledge_dir}. It describes each document; see the README."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"Could not read {path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ManifestError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("sources"), list):
        raise ManifestError(f"{path} needs a `sources:` list, one entry per document.")

    places = _parse_places(raw.get("places") or {}, path)
    sources = tuple(_parse_source(entry, i, path) for i, entry in enumerate(raw["sources"], 1))
    _check_unique(sources, path)
    for source in sources:
        unknown = [p for p in source.places if p not in places]
        if unknown:
            raise ManifestError(
                f"{path}: {source.file} lists places not in the `places:` table: "
                + ", ".join(unknown)
            )
    return Manifest(path=path, sources=sources, places=places)


def documents_in(knowledge_dir: Path) -> list[str]:
    """File names of the documents in the folder (the manifest itself is not one)."""
    return sorted(
        p.name
        for p in knowledge_dir.iterdir()
        if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES and not p.name.startswith(".")
    )


def _parse_places(raw: object, path: Path) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise ManifestError(f"{path}: `places:` must map each place to a list of aliases.")
    places: dict[str, tuple[str, ...]] = {}
    for name, aliases in raw.items():
        if aliases is None:
            aliases = []
        if not isinstance(aliases, list):
            raise ManifestError(f"{path}: the aliases of {name!r} must be a list.")
        places[str(name)] = tuple(str(a) for a in aliases)
    return places


def _parse_source(entry: object, position: int, path: Path) -> Source:
    if not isinstance(entry, dict):
        raise ManifestError(f"{path}: source #{position} must be a mapping with file, title, ...")
    missing = [key for key in ("id", "file", "title") if not entry.get(key)]
    if missing:
        label = entry.get("file") or f"source #{position}"
        raise ManifestError(f"{path}: {label} is missing {', '.join(missing)}.")
    skip = tuple(
        SkipRange(start=_opt_str(r.get("from")), end=_opt_str(r.get("to")))
        for r in entry.get("skip") or []
        if isinstance(r, dict)
    )
    return Source(
        id=str(entry["id"]),
        file=str(entry["file"]),
        title=str(entry["title"]),
        short=str(entry.get("short") or ""),
        publisher=str(entry.get("publisher") or ""),
        date=str(entry.get("date") or ""),
        places=tuple(str(p) for p in entry.get("places") or []),
        skip=skip,
    )


def _check_unique(sources: tuple[Source, ...], path: Path) -> None:
    for attr in ("id", "file"):
        seen: set[str] = set()
        for source in sources:
            value = getattr(source, attr)
            if value in seen:
                raise ManifestError(f"{path}: two sources share the {attr} {value!r}.")
            seen.add(value)


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value).strip()
