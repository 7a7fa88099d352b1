"""Quoting evidence word for word.

A `Passage` promises `text == source[start:end]`. Trimming a passage keeps that promise: we
only cut at offsets inside it and move `start`/`end` by the same amounts. What a reader sees
is `Passage.quote`: the words of that span as `bot.evidence.prose` reads them (no `**bold**`,
footnote markers, footnotes or bullet marks), whole sentences, and "…" wherever a sentence is
cut. No word is ever added.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.evidence.lexical import stem
from bot.evidence.passage import Passage
from bot.evidence.prose import Unit, readable, units

ELLIPSIS = "…"
FRAGMENT_CHARS = 100  # an unpunctuated list item shorter than this is a label, not evidence

_WORD = re.compile(r"[a-z0-9]+")
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


def _terms(text: str) -> set[str]:
    # Stemmed, so "share" finds "data sharing" and "budgets" finds "budget".
    return {_root(w) for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def _root(word: str) -> str:
    root = stem(word)
    return root[:-1] if root.endswith("e") and len(root) > 4 else root  # share, sharing: shar


def trim_passage(passage: Passage, max_chars: int, query: str = "") -> Passage:
    """The best run of whole sentences within max_chars, as an exact span with its quote.

    "Best" means the run sharing most words with the query, preferring runs that start and
    end on sentence boundaries (earliest on ties). A run never continues past an unpunctuated
    list item ("- Plymouth - alcohol abuse"), and never takes in a footnote URL. A single
    sentence longer than max_chars is cut at a word boundary and ends in "…".
    """
    found = units(passage.text)
    if not found:
        return replace(passage, quote="")
    wanted = _terms(query)
    best: tuple[float, int, int] | None = None
    for i, first in enumerate(found):
        if first.has_url:
            continue
        length = -1
        for k in range(i, len(found)):
            unit = found[k]
            if unit.has_url or (k > i and _stops_after(found[k - 1], unit)):
                break
            length += 1 + len(unit.text)
            # Both what is shown and the exact span (marks and all) stay within max_chars.
            if k > i and max(length + 2, unit.end - first.start) > max_chars:
                break
            words = " ".join(u.text for u in found[i : k + 1])
            score = (
                len(wanted & _terms(words))
                - (0 if first.opens else 1.5)
                - (0 if _complete(found, k) else 1.5)
                - (0 if _balanced(words) else 1.0)  # a quotation cut in half reads badly
                + min(length, max_chars) / (4 * max_chars)
            )
            if best is None or score > best[0] + 1e-9:
                best = (score, i, k)
    if best is None:  # nothing but footnote links
        return replace(passage, quote="")
    _, i, k = best
    return _quoted(passage, found, i, k, max_chars)


def _balanced(words: str) -> bool:
    """Every quotation mark the run opens, it closes (and the other way round)."""
    return words.count("“") == words.count("”") and words.count('"') % 2 == 0


def _stops_after(previous: Unit, unit: Unit) -> bool:
    """An unpunctuated list item ends a quote: joining it to the next would run items together."""
    return previous.bullet and not previous.closes and unit.item != previous.item


def _complete(found: list[Unit], k: int) -> bool:
    """The run ending at unit k ends a sentence, or a list item we can see is whole."""
    unit = found[k]
    if unit.closes:
        return True
    return unit.bullet and k + 1 < len(found) and found[k + 1].item != unit.item


def _quoted(passage: Passage, found: list[Unit], i: int, k: int, max_chars: int) -> Passage:
    first, last = found[i], found[k]
    words = " ".join(u.text for u in found[i : k + 1])
    end = last.end
    cut = False
    if len(words) > max_chars - 2 or end - first.start > max_chars:
        # One sentence longer than the room: cut at the last word that fits.
        room = max_chars - 2
        while room > 0 and (
            room > len(words) or first.offsets[room - 1] + 1 - first.start > max_chars
        ):
            room -= 1
        space = words.rfind(" ", 0, room + 1)
        words = words[: space if space > room // 2 else room].rstrip(" ,;:–-")
        end = first.offsets[len(words) - 1] + 1
        cut = True
    lead = "" if first.opens else ELLIPSIS
    tail = ELLIPSIS if cut or not _complete(found, k) else ""
    a, b = first.start, end
    return replace(
        passage,
        text=passage.text[a:b],
        start=passage.start + a,
        end=passage.start + b,
        quote=f"{lead}{words}{tail}",
    )


def is_exact(passage: Passage, source: str) -> bool:
    return source[passage.start : passage.end] == passage.text


_QUOTED = re.compile(r"[\"“]([^\"“”]{12,})[\"”]")


def quoted_spans(text: str) -> list[str]:
    """Every run of text inside double quotes (straight or curly), 12 chars or longer."""
    return [m.group(1).strip() for m in _QUOTED.finditer(text)]


def quotes_are_verbatim(text: str, passages: list[Passage]) -> bool:
    """True when every quotation in text appears word for word in one of the passages."""
    sources = [" ".join(p.text.split()) for p in passages]
    sources += [readable(p.text) for p in passages] + [p.quote for p in passages if p.quote]
    for quote in quoted_spans(text):
        needle = " ".join(quote.split()).strip(" .…")
        if not any(needle in source for source in sources):
            return False
    return True


def looks_like_prose(text: str) -> bool:
    """True for quotable sentences; False for lists of labels, headings and footnote links.

    A bulleted item that is a sentence ("Nottinghamshire Multi-Agency Safeguarding Hub -
    involved systems leaders ... better early years support.") is prose; a run of short
    unpunctuated items ("Bristol – integrated approach to health and wellbeing") is not.
    """
    found = [u for u in units(text) if not u.has_url]
    words = sum(len(u.text.split()) for u in found)
    if words < 12:
        return False
    labels = sum(1 for u in found if u.bullet and not u.closes and len(u.text) < FRAGMENT_CHARS)
    if labels * 2 > len(found):
        return False
    return any(u.closes for u in found) or sum(len(u.text) for u in found) >= 150
