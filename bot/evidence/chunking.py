"""Cut a document into quotable passages that follow its own sections and paragraphs.

Paragraphs are the unit. Short neighbours in one section are packed together; a paragraph
too long to quote is split at sentence (or list-line) boundaries. Every chunk is an exact
span of the original: `text[chunk.start:chunk.end] == chunk.text`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from bot.evidence.blocks import Block, Kind, split_blocks
from bot.evidence.places import PlaceMatcher
from bot.evidence.prose import readable
from bot.evidence.sources import Source

TARGET_CHARS = 1000  # pack neighbours up to about this; MiniLM reads ~256 tokens anyway
MIN_CHARS = 300  # below this a passage is too thin to quote alone, so merge if we can
TOO_THIN = 80  # a lone line this short ("Key lessons include:") says nothing by itself
SPLIT_ABOVE = 1200  # longer paragraphs are split at sentence boundaries
HARD_MAX = 2000  # never hand out more than this


@dataclass(frozen=True)
class Chunk:
    doc: str
    doc_id: str
    section: str
    start: int
    end: int
    text: str
    places: tuple[str, ...]  # named by the heading path or the passage's own words
    section_places: tuple[str, ...] = ()  # named by the heading path alone

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.start}-{self.end}"


@dataclass
class _Unit:
    """A run of text inside one section that may be packed with its neighbours."""

    start: int
    end: int
    section: str
    context: tuple[str, ...]  # the heading path, for place detection
    joins_previous: bool  # nothing was skipped between it and the unit before
    # Spans a split must not cut: a sentence a page break interrupted, footnotes and all.
    bridges: list[tuple[int, int]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return self.end - self.start


def chunk_document(
    text: str, source: Source, places: PlaceMatcher
) -> tuple[list[Chunk], list[str]]:
    """The document's passages in reading order, and any warnings about its skip rules."""
    blocks, warnings = split_blocks(text, source.skip)
    units: list[_Unit] = []
    for unit in _paragraph_units(text, blocks):
        units.extend(_split_long(text, unit))
    chunks = [
        Chunk(
            doc=source.file,
            doc_id=source.id,
            section=unit.section,
            start=unit.start,
            end=unit.end,
            text=text[unit.start : unit.end],
            # Footnotes and publisher addresses are not the passage: "The Virtual Staff
            # College, Nottingham, UK" must not make a passage about Nottingham.
            places=places.find(*unit.context, readable(text[unit.start : unit.end])),
            section_places=places.find(*unit.context),
        )
        for unit in _pack(text, units)
        if unit.size >= TOO_THIN
    ]
    return chunks, warnings


def _paragraph_units(text: str, blocks: list[Block]) -> list[_Unit]:
    """One unit per paragraph. A paragraph broken by a page (the next block starts in lower
    case) is rejoined, across any footnotes the page break left in between."""
    headings: list[_OpenHeading] = []  # the open heading path
    units: list[_Unit] = []
    adjacent = False  # nothing but asides since the previous paragraph we kept
    asides_between = False
    for block in blocks:
        if block.kind is Kind.ASIDE:
            asides_between = True
            continue
        if block.kind is Kind.SKIP or block.kind is Kind.HEADING:
            if block.kind is Kind.HEADING:
                _open_heading(headings, block)
            adjacent = False
            continue
        section = _section_label(headings)
        context = tuple(h.text for h in headings)
        previous = units[-1] if units else None
        continues = (
            adjacent
            and previous is not None
            and text[block.start].islower()
            and previous.section == section
            and not _ends_sentence(text, previous.end)
        )
        if continues:
            first_gap = _SENTENCE_GAP.search(text, block.start, block.end)
            previous.bridges.append((previous.end, first_gap.start(1) if first_gap else block.end))
            previous.end = block.end
        else:
            units.append(
                _Unit(block.start, block.end, section, context, adjacent and not asides_between)
            )
        adjacent = True
        asides_between = False
    return units


def _ends_sentence(text: str, end: int) -> bool:
    return text[max(0, end - 3) : end].rstrip('”"’)*').endswith((".", "!", "?", ":"))


@dataclass(frozen=True)
class _OpenHeading:
    text: str
    level: int
    minor: bool  # an unnumbered title line under the last numbered/markdown heading


def _open_heading(headings: list[_OpenHeading], block: Block) -> None:
    minor = block.level == 0
    level = block.level
    if minor:
        structural = [h.level for h in headings if not h.minor]
        level = (max(structural) if structural else 0) + 1
    while headings and headings[-1].level >= level:
        headings.pop()
    headings.append(_OpenHeading(block.heading, level, minor))


def _section_label(headings: list[_OpenHeading]) -> str:
    if not headings:
        return ""
    if headings[-1].minor and len(headings) > 1:  # "2.5 Systems leadership in action › Complexity"
        return f"{headings[-2].text} › {headings[-1].text}"
    return headings[-1].text


def _pack(text: str, units: list[_Unit]) -> list[_Unit]:
    packed: list[_Unit] = []
    for unit in units:
        current = packed[-1] if packed else None
        can_join = current is not None and unit.joins_previous and current.section == unit.section
        combined = unit.end - current.start if current else 0
        if can_join and (
            combined <= TARGET_CHARS
            or (
                (current.size < MIN_CHARS or _introduces_list(text, current))
                and combined <= SPLIT_ABOVE + MIN_CHARS
            )
        ):
            current.end = unit.end
        else:
            packed.append(
                _Unit(unit.start, unit.end, unit.section, unit.context, unit.joins_previous)
            )
    return _absorb_short_tails(packed)


def _absorb_short_tails(units: list[_Unit]) -> list[_Unit]:
    """A thin last passage of a section joins the one before it when that stays quotable."""
    result: list[_Unit] = []
    for unit in units:
        previous = result[-1] if result else None
        if (
            previous is not None
            and unit.size < MIN_CHARS
            and unit.joins_previous
            and previous.section == unit.section
            and unit.end - previous.start <= SPLIT_ABOVE + MIN_CHARS
        ):
            previous.end = unit.end
            continue
        result.append(unit)
    return result


def _introduces_list(text: str, unit: _Unit) -> bool:
    return text[unit.start : unit.end].rstrip().endswith(":")


# --- splitting long paragraphs ------------------------------------------------------------

_SENTENCE_GAP = re.compile(r"(?<=[.!?…])[”\"’)\]*]*(\s+)(?=[“\"‘'(*A-Z0-9-])")
_LINE_GAP = re.compile(r"[ \t]*\n\s*")


def _split_long(text: str, unit: _Unit) -> list[_Unit]:
    if unit.size <= SPLIT_ABOVE:
        return [unit]
    pieces = math.ceil(unit.size / TARGET_CHARS)
    ideal = unit.size / pieces
    gaps = [
        gap
        for gap in _gaps(text, unit.start, unit.end)
        if not any(a <= gap[0] < b for a, b in unit.bridges)
    ]
    # A bulleted item is one example ("LB Merton - ... There have also been ..."): cut
    # between items, and inside one only when nothing else fits.
    between_items = [g for g in gaps if not _inside_item(text, g[0])]
    result: list[_Unit] = []
    cursor = unit.start
    while unit.end - cursor > SPLIT_ABOVE:
        aim = cursor + ideal
        usable = [g for g in between_items if cursor + MIN_CHARS <= g[0] <= cursor + SPLIT_ABOVE]
        usable = usable or [g for g in gaps if cursor + MIN_CHARS <= g[0] <= cursor + SPLIT_ABOVE]
        if usable:
            piece_end, next_start = min(usable, key=lambda g: abs(g[0] - aim))
        else:  # one enormous sentence: cut at the last space that fits
            limit = cursor + SPLIT_ABOVE
            space = text.rfind(" ", cursor + MIN_CHARS, limit)
            piece_end = space if space > cursor else limit
            next_start = piece_end + 1 if space > cursor else piece_end
        joins = unit.joins_previous if cursor == unit.start else True
        result.append(_Unit(cursor, piece_end, unit.section, unit.context, joins))
        cursor = next_start
    result.append(_Unit(cursor, unit.end, unit.section, unit.context, True))
    # Split pieces stand alone: packing them back together would undo the split.
    for piece in result[1:]:
        piece.joins_previous = False
    return result


_ITEM_START = re.compile(r"[ \t]*[-*•▪◦][ \t]+")


def _inside_item(text: str, at: int) -> bool:
    """True when `at` falls inside a bulleted line, not at its end."""
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at)
    line_end = len(text) if line_end == -1 else line_end
    return bool(_ITEM_START.match(text, line_start)) and text[at:line_end].strip() != ""


def _gaps(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(end of a piece, start of the next) at sentence ends and line breaks."""
    span = text[start:end]
    gaps = [(start + m.start(1), start + m.end(1)) for m in _SENTENCE_GAP.finditer(span)]
    gaps += [(start + m.start(), start + m.end()) for m in _LINE_GAP.finditer(span)]
    return sorted(set(gaps))
