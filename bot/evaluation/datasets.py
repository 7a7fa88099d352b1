"""Load the labelled sets in `evals/` and resolve every gold quote to character spans.

A gold quote is an exact substring of its source file; its spans are every place it occurs
(str.find, repeated), so a passage that quotes the same words elsewhere in the file counts too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

THEME_IDS = ("shared_purpose", "authorising_environment", "conflict")
MIN_QUOTE_CHARS = 40
MAX_QUOTE_CHARS = 200


class DatasetError(ValueError):
    """A labelled set is missing or malformed; the message says where and how to fix it."""


@dataclass(frozen=True)
class GoldQuote:
    doc: str  # file name in knowledge/
    quote: str
    spans: tuple[tuple[int, int], ...]  # [start, end) of every occurrence in the file


@dataclass(frozen=True)
class RetrievalCase:
    id: str
    query: str
    topic: str
    gold: tuple[GoldQuote, ...]

    @property
    def off_topic(self) -> bool:
        return not self.gold

    def gold_spans(self) -> list[tuple[str, int, int]]:
        return [(g.doc, start, end) for g in self.gold for start, end in g.spans]


@dataclass(frozen=True)
class ThemeCase:
    id: str
    text: str
    themes: frozenset[str]


def quote_spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Every [start, end) at which `quote` occurs in `text`, found with str.find."""
    spans: list[tuple[int, int]] = []
    start = text.find(quote)
    while start != -1:
        spans.append((start, start + len(quote)))
        start = text.find(quote, start + 1)
    return spans


def read_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        raise DatasetError(
            f"Labelled set not found: {path}. Set RIPPLE_EVALS_DIR to the folder holding the "
            "labelled sets, or pass --dataset."
        )
    rows: list[dict] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{number}: not valid JSON ({exc.msg}).") from None
        if not isinstance(row, dict):
            raise DatasetError(f"{path}:{number}: each line must be a JSON object.")
        rows.append(row)
    return rows


def _field(row: dict, name: str, where: str, kind: type = str):
    value = row.get(name)
    if not isinstance(value, kind) or (kind is str and not value.strip()):
        raise DatasetError(f"{where}: field {name!r} is missing or not a {kind.__name__}.")
    return value


def _unique_ids(ids: Iterable[str], path: Path) -> None:
    seen: set[str] = set()
    for case_id in ids:
        if case_id in seen:
            raise DatasetError(f"{path}: id {case_id!r} is used twice.")
        seen.add(case_id)


def load_retrieval_cases(path: Path, knowledge_dir: Path) -> list[RetrievalCase]:
    texts: dict[str, str] = {}
    cases: list[RetrievalCase] = []
    for row in read_jsonl(path):
        where = f"{path} [{row.get('id', '?')}]"
        golds: list[GoldQuote] = []
        for item in _field(row, "gold", where, list):
            doc = _field(item, "doc", where)
            quote = _field(item, "quote", where)
            if doc not in texts:
                source = knowledge_dir / doc
                if not source.is_file():
                    raise DatasetError(f"{where}: gold document {doc!r} is not in {knowledge_dir}.")
                texts[doc] = source.read_text(encoding="utf-8")
            spans = quote_spans(texts[doc], quote)
            if not spans:
                raise DatasetError(f"{where}: quote is not an exact substring of {doc}: {quote!r}")
            golds.append(GoldQuote(doc=doc, quote=quote, spans=tuple(spans)))
        cases.append(
            RetrievalCase(
                id=_field(row, "id", where),
                query=_field(row, "query", where),
                topic=str(row.get("topic", "")),
                gold=tuple(golds),
            )
        )
    _unique_ids((c.id for c in cases), path)
    return cases


def load_theme_cases(path: Path) -> list[ThemeCase]:
    cases: list[ThemeCase] = []
    for row in read_jsonl(path):
        where = f"{path} [{row.get('id', '?')}]"
        themes = _field(row, "themes", where, list)
        unknown = set(themes) - set(THEME_IDS)
        if unknown:
            raise DatasetError(
                f"{where}: unknown theme(s) {sorted(unknown)}; use {list(THEME_IDS)}."
            )
        cases.append(
            ThemeCase(
                id=_field(row, "id", where),
                text=_field(row, "text", where),
                themes=frozenset(themes),
            )
        )
    _unique_ids((c.id for c in cases), path)
    return cases
