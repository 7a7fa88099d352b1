"""Read a plain-text document as a sequence of blocks: headings, paragraphs and things to skip.

The documents are PDF conversions: headings are short title lines ("Joined at the top"),
numbered lines ("2.5 Systems leadership in action") or markdown ("## Introduction"); page
breaks leave footnotes and repeated pull-quotes in the flow and split paragraphs mid-sentence.
Every block keeps exact character offsets into the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from bot.evidence.sources import SkipRange


class Kind(Enum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    SKIP = "skip"  # outside the evidence: title pages, contents, addresses (sources.yaml)
    ASIDE = "aside"  # in the flow but not evidence: footnotes, rules, repeated pull-quotes


@dataclass(frozen=True)
class Block:
    kind: Kind
    start: int
    end: int
    heading: str = ""  # cleaned heading text, for headings
    level: int = 0  # 0 means "one below the last structural heading"


_BLANK_RUN = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")
_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*$")
_NUMBERED_HEADING = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+[A-Z‘'\"“].{0,90}$")
_FOOTNOTE = re.compile(r"^(?:<sup>\d+</sup>|[\d⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3}[ \t])")
_NO_WORDS = re.compile(r"^[\W_]+$")
_TITLE_START = re.compile(r"^[A-Z0-9'‘\"“]")
_TITLE_END_BAD = re.compile(r"[.,;:!\]”\"’]$")
_SENTENCE_INSIDE = re.compile(r"[.!?;]\s")
_QUOTE_CHARS = re.compile(r"[“”\"'‘’*\s]+")


def read_document(path: Path) -> str:
    """The text that offsets index: the file's bytes decoded as UTF-8, newlines untouched."""
    return path.read_bytes().decode("utf-8")


def split_blocks(text: str, skip: tuple[SkipRange, ...] = ()) -> tuple[list[Block], list[str]]:
    """Classify every blank-line-separated block. Returns the blocks and any warnings."""
    skipped, warnings = _skipped_ranges(text, skip)
    contents = _contents_titles(text)
    blocks: list[Block] = []
    seen_normalised = ""  # to spot pull-quotes that repeat earlier text
    for start, end in _raw_blocks(text):
        if any(a <= start < b for a, b in skipped):
            blocks.append(Block(Kind.SKIP, start, end))
            continue
        for block in _classify(text, start, end, contents):
            if block.kind is Kind.PARAGRAPH:
                normalised = _QUOTE_CHARS.sub(" ", text[block.start : block.end]).strip()
                if len(normalised) >= 30 and normalised in seen_normalised:
                    block = Block(Kind.ASIDE, block.start, block.end)
                seen_normalised += " " + normalised
            blocks.append(block)
    return blocks, warnings


def _raw_blocks(text: str):
    position = 0
    for gap in _BLANK_RUN.finditer(text):
        yield from _trimmed(text, position, gap.start())
        position = gap.end()
    yield from _trimmed(text, position, len(text))


def _trimmed(text: str, start: int, end: int):
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


def _classify(text: str, start: int, end: int, contents: set[str]) -> list[Block]:
    raw = text[start:end]
    if _FOOTNOTE.match(raw) or _NO_WORDS.match(raw):
        return [Block(Kind.ASIDE, start, end)]
    lines = raw.split("\n")
    if len(lines) == 1:
        heading = _heading(raw, contents)
        if heading:
            return [Block(Kind.HEADING, start, end, *heading)]
        return [Block(Kind.PARAGRAPH, start, end)]
    return [Block(Kind.PARAGRAPH, start, end)]


def _heading(line: str, contents: set[str]) -> tuple[str, int] | None:
    """(clean text, level) if the line is a heading. Level 0: a minor, unnumbered heading."""
    if "\t" in line:
        return None
    if match := _MARKDOWN_HEADING.match(line):
        return _clean(match.group(2)), len(match.group(1))
    if (match := _NUMBERED_HEADING.match(line)) and not line.rstrip().endswith(
        (".", ",", ";", ":")
    ):
        return _clean(line), match.group(1).count(".") + 1
    if not _looks_like_title(line):
        return None
    clean = _clean(line)
    return clean, 1 if _key(clean) in contents else 0


def _looks_like_title(line: str) -> bool:
    words = line.split()
    return (
        2 <= len(line) <= 80
        and len(words) <= 12
        and bool(_TITLE_START.match(line))
        and not _TITLE_END_BAD.search(line)
        and not _SENTENCE_INSIDE.search(line)
        and not line.startswith(("- ", "* "))
    )


def _clean(heading: str) -> str:
    heading = re.sub(r"\s*\(continued\)\s*$", "", heading, flags=re.IGNORECASE)
    return " ".join(heading.replace("**", "").replace("__", "").split())


def _key(heading: str) -> str:
    """Loose key so "The hurdles (continued)" and a contents line "5 The hurdles" agree."""
    heading = re.sub(r"\(continued\)", "", heading, flags=re.IGNORECASE)
    return " ".join(word.rstrip("s") for word in re.findall(r"[a-z]+", heading.lower())[:3])


def _contents_titles(text: str) -> set[str]:
    """Keys of the titles listed under a "Contents" line: those are the top-level sections."""
    match = re.search(r"^\s*Contents\s*$", text, flags=re.MULTILINE)
    if not match:
        return set()
    titles: set[str] = set()
    for line in text[match.end() : match.end() + 3000].split("\n"):
        line = line.strip()
        if not line:
            continue
        entry = re.match(r"^(?:-\s*)?\d+\s+(.+)$", line) or re.match(r"^(.+?)\t\s*\d+$", line)
        if not entry:
            if titles:
                break
            continue
        if not entry.group(1)[0].isdigit():  # numbered entries have numbered headings
            titles.add(_key(entry.group(1)))
    return titles


def _skipped_ranges(
    text: str, skip: tuple[SkipRange, ...]
) -> tuple[list[tuple[int, int]], list[str]]:
    ranges: list[tuple[int, int]] = []
    warnings: list[str] = []
    for rule in skip:
        start = 0
        if rule.start is not None:
            found = _line_offset(text, rule.start, 0)
            if found is None:
                warnings.append(f"skip: no line {rule.start!r}; nothing skipped for it")
                continue
            start = found
        end = len(text)
        if rule.end is not None:
            found = _line_offset(text, rule.end, start + 1)
            if found is None:
                warnings.append(f"skip: no line {rule.end!r} after the start; skipped to the end")
            else:
                end = found
        ranges.append((start, end))
    return ranges, warnings


def _line_offset(text: str, wanted: str, after: int) -> int | None:
    position = 0
    for line in text.splitlines(keepends=True):
        if position >= after and line.strip() == wanted:
            return position
        position += len(line)
    return None
