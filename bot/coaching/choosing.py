"""Which passages a "what helped" answer quotes, and under which place each one sits.

The best passage first, then the next best from places not yet heard from, at least two when
the evidence has two, all within one quotation budget. A quote's place is its section's, then
those its own words name: never a place named elsewhere in the passage it was cut from.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.coaching.quotes import looks_like_prose, trim_passage
from bot.coaching.reply import PlaceGroup
from bot.evidence.passage import Passage

if TYPE_CHECKING:
    from bot.evidence.places import PlaceMatcher
    from bot.evidence.sources import Manifest

QUOTE_BUDGET = 1200  # characters of quotation in one answer, all passages together
MAX_PASSAGE_CHARS = 420
MIN_PASSAGE_CHARS = 60  # shorter spans are headings or fragments, not evidence
MAX_PASSAGES = 3
GOOD_ENOUGH = 0.5  # a passage scoring under half the best one's is not offered alongside it
NO_PLACE = "Across the programme"


def choose_passages(
    passages: list[Passage],
    query: str,
    *,
    limit: int = MAX_PASSAGES,
    places: PlaceMatcher | None = None,
    sources: Manifest | None = None,
) -> list[Passage]:
    """Up to `limit` trimmed, non-overlapping passages within the quotation budget, from
    different places where the evidence allows; at least two when there are two."""
    candidates: list[Passage] = []
    for passage in passages:
        if any(overlaps(passage, c) for c in candidates):
            continue
        trimmed = trim_passage(passage, MAX_PASSAGE_CHARS, query)
        if len(trimmed.shown) < MIN_PASSAGE_CHARS or not looks_like_prose(trimmed.text):
            continue
        if _announces_list(trimmed):
            continue
        cite = sources.by_file(passage.doc) if sources is not None else None
        candidates.append(
            replace(
                trimmed,
                places=quote_places(trimmed, places),
                cite=cite.cite(passage.section) if cite is not None else "",
            )
        )
    if not candidates:
        return []
    best = candidates[0]
    close = [c for c in candidates if c.score >= GOOD_ENOUGH * best.score]
    # A loosely matching passage is not offered beside a close one, except to make two.
    good = [c for c in close if not (_loose(c) and not _loose(best))]
    chosen = [best]
    for candidate in good[1:]:  # the next best from places not yet heard from
        if len(chosen) < limit and _place(candidate) not in {_place(c) for c in chosen}:
            chosen.append(candidate)
    for candidate in [*good[1:], *close[1:]]:  # then at least two, if the evidence has two
        if len(chosen) < min(2, limit) and candidate not in chosen:
            chosen.append(candidate)
    chosen.sort(key=candidates.index)
    return _within_budget(chosen, query)


def _within_budget(chosen: list[Passage], query: str) -> list[Passage]:
    result: list[Passage] = []
    used = 0
    for passage in chosen:
        room = min(MAX_PASSAGE_CHARS, QUOTE_BUDGET - used)
        if room < MIN_PASSAGE_CHARS:
            break
        if len(passage.text) > room or len(passage.shown) > room:
            passage = replace(trim_passage(passage, room, query), places=passage.places)
            if _announces_list(passage):
                continue
        result.append(passage)
        used += max(len(passage.text), len(passage.shown))
    return result


def _announces_list(passage: Passage) -> bool:
    """ "In summary, they are as follows:" promises a list the quote does not show."""
    return passage.shown.rstrip(" ”\"'").endswith(":")


def quote_places(passage: Passage, places: PlaceMatcher | None) -> tuple[str, ...]:
    """The places a quote belongs to: its section's, then those its own words name."""
    if places is None:
        return passage.places
    named = places.find(passage.shown)
    return tuple(dict.fromkeys((*passage.section_places, *named)))


def group_by_place(passages: list[Passage]) -> list[PlaceGroup]:
    """Groups in order of their best passage; a passage sits under the first place it names."""
    order: list[str] = []
    members: dict[str, list[Passage]] = {}
    for passage in passages:
        place = _place(passage)
        if place not in members:
            order.append(place)
            members[place] = []
        members[place].append(passage)
    return [PlaceGroup(place=p, passages=tuple(members[p])) for p in order]


def where_from(groups: list[PlaceGroup]) -> str:
    """ "in Barnet, Nottingham and across the programme": the places, in the order shown."""
    phrases = []
    for i, group in enumerate(groups):
        if group.place == NO_PLACE:
            phrases.append("across the programme")
        elif i == 0 or groups[i - 1].place == NO_PLACE:
            phrases.append(f"in {group.place}")
        else:
            phrases.append(group.place)
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]


def _loose(passage: Passage) -> bool:
    return passage.extra.get("strength") == "weak"


def _place(passage: Passage) -> str:
    return passage.places[0] if passage.places else NO_PLACE


def overlaps(a: Passage, b: Passage) -> bool:
    return a.doc == b.doc and a.start < b.end and b.start < a.end
