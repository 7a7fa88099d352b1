"""The readable words inside a span of a source document, each mapped back to exact offsets.

The documents are PDF conversions with Markdown marks: `**bold**`, `*"quoted"*`, footnote
markers (`<sup>1</sup>`, `Budgets⁴`), footnotes and rules left in the flow by page breaks,
bullet markers, `[links](#)`. None of that is the author's words. `units(text)` cuts a span
into sentences and list items with those marks taken out, and remembers, for every character
it keeps, where it sits in the original: so a quote built from units is verbatim source text
and its span in the file is exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

# A block (between blank lines) that is not the author's prose: a footnote ("<sup>3</sup> …",
# "8 https://…", "11 Moore, M. H. …"), a rule ("---"), a page number.
_ASIDE_BLOCK = re.compile(r"(?:<sup>\d+</sup>|[\d⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3}[ \t]|[\W_]+$|\d{1,3}$)")
_BLANK_RUN = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")
_BULLET = re.compile(r"[ \t]*(?:[-*•▪◦][ \t]+)")
# Inline marks to drop, longest first: footnote tags, autolinks, a link's target, emphasis.
_INLINE = re.compile(
    r"<sup>[^<]{0,12}</sup>"
    r"|<https?://[^>\s]*>"
    r"|\]\([^)\s]*\)"
    r"|\*\*|__|\*"
    r"|[⁰¹²³⁴⁵⁶⁷⁸⁹]+"
    r"|(?<![\w\]])\[(?=[^\]\n]{1,200}\]\()"
)
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?= +[“\"‘'(\[0-9A-Z…])")
_CLOSES = re.compile(r"[.!?…:][\"'”’)\]]*$")


@dataclass(frozen=True)
class Unit:
    """One sentence (or one short list item) of readable text."""

    start: int  # offsets into the text given to `units`; text[start:end] holds the words
    end: int
    text: str  # the words: marks removed, whitespace collapsed
    opens: bool  # starts a sentence; False for a span that begins mid-sentence
    closes: bool  # ends with sentence punctuation (or a colon introducing a list)
    item: int  # units of one paragraph or list item share this number
    bullet: bool  # part of a bulleted list item
    has_url: bool = False
    offsets: tuple[int, ...] = field(default=(), repr=False, compare=False)


def readable(text: str) -> str:
    """The words of text, marks and footnotes removed, whitespace collapsed."""
    return " ".join(unit.text for unit in units(text))


def units(text: str) -> list[Unit]:
    """The sentences and list items of text, in order, with exact offsets."""
    result: list[Unit] = []
    item = -1
    for start, end in _prose_blocks(text):
        continues = bool(result) and not result[-1].closes and text[start].islower()
        for line_start, line_end, bullet in _items(text, start, end):
            if not continues:
                item += 1
            chars, offsets = _clean(text, line_start, line_end)
            found = _sentences(chars, offsets, item, bullet or (continues and result[-1].bullet))
            if continues and found:  # a sentence a page break cut in two: one unit again
                found[0] = _joined(result.pop(), found[0])
            result.extend(found)
            continues = False
    # A unit that starts in lower case continues a sentence begun before it: the span starts
    # mid-sentence, or a list item completes its lead-in ("... involved: - ways of feeling").
    return [replace(u, opens=False) if u.text[:1].islower() else u for u in result]


def _prose_blocks(text: str):
    """Blank-line separated blocks of text that are prose, not footnotes or rules."""
    position = 0
    bounds = []
    for gap in _BLANK_RUN.finditer(text):
        bounds.append((position, gap.start()))
        position = gap.end()
    bounds.append((position, len(text)))
    for start, end in bounds:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start and not _ASIDE_BLOCK.match(text, start, end):
            yield start, end


def _items(text: str, start: int, end: int):
    """(start, end, bulleted) for each list item or run of plain lines in a block."""
    pieces: list[list] = []
    position = start
    for line in text[start:end].split("\n"):
        line_end = position + len(line)
        marker = _BULLET.match(text, position, line_end)
        if marker:
            pieces.append([marker.end(), line_end, True])
        elif pieces and line.strip():
            pieces[-1][1] = line_end  # a wrapped line continues the item or paragraph
        elif line.strip():
            pieces.append([position, line_end, False])
        position = line_end + 1
    return [tuple(piece) for piece in pieces]


def _clean(text: str, start: int, end: int) -> tuple[str, list[int]]:
    """Characters of text[start:end] without inline marks, whitespace collapsed, and the
    offset in text of each character kept."""
    chars: list[str] = []
    offsets: list[int] = []
    position = start
    for mark in _INLINE.finditer(text, start, end):
        _keep(text, position, mark.start(), chars, offsets)
        position = mark.end()
    _keep(text, position, end, chars, offsets)
    while chars and chars[-1] == " ":
        chars.pop()
        offsets.pop()
    return "".join(chars), offsets


def _keep(text: str, start: int, end: int, chars: list[str], offsets: list[int]) -> None:
    for i in range(start, end):
        c = text[i]
        if c.isspace():
            if chars and chars[-1] != " ":
                chars.append(" ")
                offsets.append(i)
            continue
        chars.append(c)
        offsets.append(i)


def _sentences(chars: str, offsets: list[int], item: int, bullet: bool) -> list[Unit]:
    found: list[Unit] = []
    begin = 0
    cuts = [m.end() for m in _SENTENCE_END.finditer(chars)] + [len(chars)]
    for cut in cuts:
        piece = chars[begin:cut]
        lead = len(piece) - len(piece.lstrip())
        a, b = begin + lead, begin + len(piece.rstrip())
        begin = cut
        if b <= a:
            continue
        words = chars[a:b]
        found.append(
            Unit(
                start=offsets[a],
                end=offsets[b - 1] + 1,
                text=words,
                opens=True,
                closes=bool(_CLOSES.search(words)),
                item=item,
                bullet=bullet,
                has_url=bool(_URL.search(words)),
                offsets=tuple(offsets[a:b]),
            )
        )
    return found


def _joined(first: Unit, second: Unit) -> Unit:
    return replace(
        first,
        end=second.end,
        text=f"{first.text} {second.text}",
        closes=second.closes,
        has_url=first.has_url or second.has_url,
        offsets=(*first.offsets, first.offsets[-1] + 1, *second.offsets),
    )
