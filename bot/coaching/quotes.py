"""Quoting evidence word for word.

A `Passage` promises `text == source[start:end]`. Trimming a passage must keep that promise,
so we only ever cut the text at offsets inside it and move `start`/`end` by the same amounts.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.evidence.passage import Passage

# A sentence ends at . ! ? or … , optionally followed by closing quotes/brackets, then space.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s)|\n\s*\n")
_WORD = re.compile(r"[a-z0-9]+")
# Footnotes carried into a passage by a page break ("... a small 8 https://www.gov.uk/...")
# are part of the source, but quoting them reads as noise.
_FOOTNOTE = re.compile(r"https?://|www\.", re.IGNORECASE)
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "our",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "with",
        "you",
        "your",
    ]
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence in text, whitespace trimmed."""
    spans, begin = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((begin, match.end()))
        begin = match.end()
    spans.append((begin, len(text)))
    trimmed = []
    for a, b in spans:
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip())
        tail = len(piece) - len(piece.rstrip())
        if b - tail > a + lead:
            trimmed.append((a + lead, b - tail))
    return trimmed


def _terms(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def trim_passage(passage: Passage, max_chars: int, query: str = "") -> Passage:
    """The best run of whole sentences within max_chars, still an exact span of the source.

    "Best" means the window that shares most words with the query (earliest on ties). A
    single sentence longer than max_chars is cut at a word boundary.
    """
    text = passage.text
    spans = sentence_spans(text)
    if not spans:
        return passage
    if text[spans[0][0]].islower() and len(spans) > 1:
        spans = spans[1:]
    spans = _best_clean_run(text, spans, query)
    if spans[-1][1] - spans[0][0] <= max_chars:
        a, b = spans[0][0], spans[-1][1]
    else:
        wanted = _terms(query)
        best: tuple[float, int, int] | None = None
        # A chunk can open mid-sentence (a page break in the source); don't start a quote
        # there unless nothing else fits.
        starts = [i for i, (a, _) in enumerate(spans) if not text[a].islower()] or range(len(spans))
        for i in starts:
            j = i
            while j + 1 < len(spans) and spans[j + 1][1] - spans[i][0] <= max_chars:
                j += 1
            a, b = spans[i][0], min(spans[j][1], spans[i][0] + max_chars)
            score = len(wanted & _terms(text[a:b])) + (b - a) / (10 * max_chars)
            if best is None or score > best[0]:
                best = (score, a, b)
        assert best is not None
        _, a, b = best
        if b - a >= max_chars and not _ends_sentence(text, b):
            # One over-long sentence: cut at the last space so no word is split.
            cut = text.rfind(" ", a, b)
            b = cut if cut > a else b
            b = a + len(text[a:b].rstrip(" ,;:–-"))
    return replace(passage, text=text[a:b], start=passage.start + a, end=passage.start + b)


def _best_clean_run(text: str, spans: list[tuple[int, int]], query: str) -> list[tuple[int, int]]:
    """The run of consecutive sentences free of footnote residue that best fits the query."""
    runs: list[list[tuple[int, int]]] = [[]]
    for span in spans:
        if _FOOTNOTE.search(text[span[0] : span[1]]):
            runs.append([])
        else:
            runs[-1].append(span)
    runs = [run for run in runs if run]
    if not runs:
        return spans
    wanted = _terms(query)
    return max(
        runs, key=lambda run: (len(wanted & _terms(text[run[0][0] : run[-1][1]])), -runs.index(run))
    )


def _ends_sentence(text: str, at: int) -> bool:
    return at >= len(text) or text[at - 1] in ".!?…\"'”’)"


def is_exact(passage: Passage, source: str) -> bool:
    return source[passage.start : passage.end] == passage.text


_QUOTED = re.compile(r"[\"“]([^\"“”]{12,})[\"”]")


def quoted_spans(text: str) -> list[str]:
    """Every run of text inside double quotes (straight or curly), 12 chars or longer."""
    return [m.group(1).strip() for m in _QUOTED.finditer(text)]


def quotes_are_verbatim(text: str, passages: list[Passage]) -> bool:
    """True when every quotation in text appears word for word in one of the passages."""
    sources = [" ".join(p.text.split()) for p in passages]
    for quote in quoted_spans(text):
        needle = " ".join(quote.split()).strip(" .…")
        if not any(needle in source for source in sources):
            return False
    return True


_BULLET = re.compile(r"^\s*(?:[-•*▪◦]|\d+[.)])\s")


def looks_like_prose(text: str) -> bool:
    """True for quotable sentences; False for list fragments, headings and tables of names."""
    words = text.split()
    if len(words) < 12 or _FOOTNOTE.search(text):
        return False
    lines = [line for line in text.splitlines() if line.strip()]
    bullets = sum(1 for line in lines if _BULLET.match(line))
    if _BULLET.match(text) or bullets > len(lines) / 2:
        return False
    return any(mark in text for mark in ".!?") or len(text) >= 150
