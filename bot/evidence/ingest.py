"""Bring the index in line with `knowledge/`: add new documents, re-index changed ones, drop
removed ones, and leave unchanged ones alone (a content hash per document decides)."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.evidence.chunking import Chunk, chunk_document
from bot.evidence.sources import Manifest, documents_in
from bot.evidence.store import VectorStore

# Bump when chunking changes, so the next ingest re-indexes every document.
CHUNKER_VERSION = "3"


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files we could not (or may not) index
    warnings: list[str] = field(default_factory=list)  # one plain sentence each
    passages: int = 0  # passages in the index afterwards
    questions: int = 0  # questions in the question index afterwards (questions.py)
    seconds: float = 0.0

    @property
    def nothing_changed(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def summary(self) -> str:
        if self.nothing_changed:
            n = len(self.unchanged)
            return f"Nothing changed: {n} document{'s' if n != 1 else ''} already indexed."
        parts = [
            f"{len(names)} {label}"
            for names, label in (
                (self.added, "added"),
                (self.changed, "re-indexed"),
                (self.removed, "removed"),
                (self.unchanged, "unchanged"),
            )
            if names
        ]
        asked = f" and {self.questions} questions they answer" if self.questions else ""
        return f"Indexed {self.passages} passages{asked}: " + ", ".join(parts) + "."


def run_ingest(
    knowledge_dir: Path, manifest: Manifest, store: VectorStore, model_id: str
) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    files = documents_in(knowledge_dir) if knowledge_dir.is_dir() else []
    if not knowledge_dir.is_dir():
        report.warnings.append(f"There is no knowledge folder at {knowledge_dir}.")
    described = {s.file for s in manifest.sources}

    for name in files:
        if name not in described:
            report.skipped.append(name)
            report.warnings.append(
                f"{name} is in {knowledge_dir} but not described in sources.yaml, so it was "
                "skipped. Add an entry for it (id, file, title, publisher, date, places)."
            )
    for source in manifest.sources:
        if source.file not in files:
            report.warnings.append(
                f"sources.yaml describes {source.file}, but there is no such file in "
                f"{knowledge_dir}; it is not in the index."
            )

    indexed = _indexed_documents(store)
    matcher = manifest.place_matcher()
    to_add: list[Chunk] = []
    hashes: dict[str, dict] = {}
    unreadable: set[str] = set()
    for source in manifest.sources:
        if source.file not in files:
            continue
        path = knowledge_dir / source.file
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")  # exactly what read_document() returns
        except (OSError, UnicodeDecodeError) as exc:
            unreadable.add(source.file)
            report.skipped.append(source.file)
            reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
            report.warnings.append(
                f"Could not read {path} ({reason}); left its previous index as it was."
            )
            continue
        digest = _content_hash(raw, source.fingerprint(), model_id)
        old = indexed.get(source.file)
        if old and old[0] == digest:
            report.unchanged.append(source.file)
            continue
        chunks, warnings = chunk_document(text, source, matcher)
        report.warnings.extend(f"{source.file}: {w}" for w in warnings)
        if old:
            store.delete(old[1])
            report.changed.append(source.file)
        else:
            report.added.append(source.file)
        to_add.extend(chunks)
        hashes[source.file] = {"doc_hash": digest, "title": source.title}

    keep = {s.file for s in manifest.sources if s.file in files} | unreadable
    for doc, (_, ids) in indexed.items():
        if doc not in keep:
            store.delete(ids)
            report.removed.append(doc)

    store.add(to_add, hashes)
    report.passages = store.count()
    report.seconds = time.perf_counter() - started
    return report


def _indexed_documents(store: VectorStore) -> dict[str, tuple[str, list[str]]]:
    """doc -> (content hash, passage ids) as the index holds them now."""
    found: dict[str, tuple[str, list[str]]] = {}
    for chunk in store.all_chunks():
        doc = chunk.meta.get("doc", "")
        digest, ids = found.get(doc, (chunk.meta.get("doc_hash", ""), []))
        ids.append(chunk.id)
        found[doc] = (digest, ids)
    return found


def _content_hash(raw: bytes, manifest_entry: str, model_id: str) -> str:
    h = hashlib.sha256(raw)
    for part in (manifest_entry, model_id, CHUNKER_VERSION):
        h.update(b"\0" + part.encode())
    return h.hexdigest()
