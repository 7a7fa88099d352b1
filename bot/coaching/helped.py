""" "What helped elsewhere?": cited passages grouped by place, then one question back.

- Two or three passages by default: the best, from different places where the evidence
  allows, each trimmed to whole sentences (`quotes.trim_passage`: an exact span of its source,
  shown without markup, "…" where a sentence is cut), all together within about 1,200
  characters. A passage's place is the one its own words or its section name.
- Honest about thin evidence: when the best passage only touches the question, one passage,
  said to be thin, and a question asking what the team means; when nothing fits, say so and
  say what the library does cover.
- The closing question is built from the team's own question (`closing.py`).
- Nothing is repeated to a team within a month: the passages and closing questions shown
  are remembered per team (`ShownLog`; the journal keeps them when it can, else this process).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.coaching.closing import CLARIFY_ANY, clarifying_question, closing_question
from bot.coaching.ports import Clock, EvidenceSearch, SystemClock, Who
from bot.coaching.questions import QuestionBank
from bot.coaching.quotes import looks_like_prose, trim_passage
from bot.coaching.reply import Action, PlaceGroup, Reply, ReplyKind
from bot.coaching.shown import (
    REPEAT_WINDOW,
    MemoryShownLog,
    ShownLog,
    passage_key,
    question_key,
    shown_log_of,
)
from bot.coaching.text import clean_input
from bot.evidence.passage import EvidenceUnavailable, Passage

if TYPE_CHECKING:
    from bot.coaching.phrasing import LLMPhraser
    from bot.evidence.places import PlaceMatcher
    from bot.evidence.sources import Manifest

QUOTE_BUDGET = 1200  # characters of quotation in one answer, all passages together
MAX_PASSAGE_CHARS = 420
MIN_PASSAGE_CHARS = 60  # shorter spans are headings or fragments, not evidence
MAX_PASSAGES = 3
SEARCH_K = 10
GOOD_ENOUGH = 0.5  # a passage scoring under half the best one's is not offered alongside it
WEAK_SIMILARITY = 0.36  # without the library's own verdict: best passage this far off is thin
NO_PLACE = "Across the programme"

UNAVAILABLE = (
    "The evidence library is temporarily unavailable, so I can't look that up just now. "
    "Please try again in a few minutes."
)
NOTHING = (
    "I couldn't find anything in the evidence library that speaks to that, and I'd rather "
    "say so than stretch a passage that doesn't fit."
)
COVERAGE = (
    "The library covers what helped leaders from councils, the NHS, the police and the "
    "voluntary sector build a shared purpose, win support from the people who authorise the "
    "work, and work through conflict: in Barnet, North West London and Bradford, the 25 "
    "Local Vision places (Plymouth, Nottingham, Merton, Cornwall and others) and the "
    "Integrated Care Pioneers."
)
THIN = (
    "The evidence on this is thin: the closest passage I found only touches on it, so take "
    "it as a single voice rather than a pattern."
)
ALL_SHOWN = (
    "I've already shared what the library has on this with your team in the past month, "
    "and I'd rather not repeat it."
)
EMPTY = (
    "What would you like to know about what helped elsewhere? For example: "
    "`helped how did others get the police and health to share data?`"
)


@dataclass(frozen=True)
class Found:
    """What the library said: passages best first, and how well they answer."""

    passages: list[Passage]
    verdict: str  # "strong" | "weak" | "none"
    reason: str = ""  # the request gate's reason, e.g. "request:admin", or "floor"
    redirect: str = ""  # for a gated request: what Ripple can help with instead


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
        if any(_overlaps(passage, c) for c in candidates):
            continue
        trimmed = trim_passage(passage, MAX_PASSAGE_CHARS, query)
        if len(trimmed.shown) < MIN_PASSAGE_CHARS or not looks_like_prose(trimmed.text):
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
        result.append(passage)
        used += max(len(passage.text), len(passage.shown))
    return result


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


def _overlaps(a: Passage, b: Passage) -> bool:
    return a.doc == b.doc and a.start < b.end and b.start < a.end


class HelpedAnswers:
    def __init__(
        self,
        evidence: EvidenceSearch,
        bank: QuestionBank,
        phraser: LLMPhraser | None = None,
        *,
        shown: ShownLog | None = None,
        clock: Clock | None = None,
        places: PlaceMatcher | None = None,
    ) -> None:
        self.evidence = evidence
        self.bank = bank
        self.phraser = phraser
        self.clock = clock or SystemClock()
        self.shown = shown or MemoryShownLog(self.clock)
        self._places = places

    def answer(self, who: Who, question: str) -> Reply:
        query = clean_input(question).text
        if not query:
            return Reply(ReplyKind.INFO, EMPTY)
        try:
            found = self._search(query)
        except EvidenceUnavailable:
            return Reply(ReplyKind.ERROR, UNAVAILABLE, meta={"query": query})
        meta = {"query": query, "verdict": found.verdict, "reason": found.reason}
        if found.verdict == "none" or not found.passages:
            text = " ".join(part for part in (NOTHING, found.redirect, COVERAGE) if part)
            return Reply(ReplyKind.HELPED, text, meta={**meta, "evidence": "none"})

        seen = self.shown.shown_to_team(who.team, self.clock.now() - REPEAT_WINDOW)
        fresh = [p for p in found.passages if passage_key(p) not in seen]
        thin = found.verdict == "weak"
        chosen = self._choose(fresh, query, 1 if thin else MAX_PASSAGES)
        if not chosen:
            if self._choose(found.passages, query, 1):  # all of it shown lately
                ask = self._unseen(clarifying_question(query), seen)
                self.shown.record_shown(who.team, [question_key(ask)] if ask else [])
                return Reply(ReplyKind.HELPED, ALL_SHOWN, ask, meta={**meta, "evidence": "repeat"})
            text = f"{NOTHING} {COVERAGE}"
            return Reply(ReplyKind.HELPED, text, meta={**meta, "evidence": "none"})

        groups = group_by_place(chosen)
        thin = thin or len(chosen) == 1  # one voice is not a pattern
        if thin:
            lead, ask = THIN, self._unseen(clarifying_question(query), seen)
        else:
            lead, ask = self._lead(groups), self._closing(query, seen)
        strength = "thin" if thin else "some"
        by_key = {passage_key(p): p for p in found.passages}
        originals = [k for k, p in by_key.items() if any(_overlaps(p, c) for c in chosen)]
        self.shown.record_shown(who.team, [*originals, *([question_key(ask)] if ask else [])])
        reply = Reply(
            kind=ReplyKind.HELPED,
            text=lead,
            question=ask,
            passages=chosen,
            groups=groups,
            actions=[
                Action("feedback_up", "Useful", value=query[:200]),
                Action("feedback_down", "Not useful", value=query[:200]),
                Action("save_to_journal", "Save to journal", value=query[:200]),
            ],
            meta={**meta, "evidence": strength, "places": [g.place for g in groups]},
        )
        if self.phraser is not None and not thin:
            summary = self.phraser.summarise(query, chosen)
            if summary:
                reply.text = summary
                reply.meta["phrased"] = True
        return reply

    # --- helpers ------------------------------------------------------------------------

    def _search(self, query: str) -> Found:
        explain = getattr(self.evidence, "explain", None)
        try:
            if callable(explain):
                try:
                    result = explain(query, k=SEARCH_K)
                except TypeError:  # an explain() without k
                    result = explain(query)
                passages = list(getattr(result, "passages", []) or [])
                verdict = getattr(result, "verdict", "") or ("strong" if passages else "none")
                return Found(
                    passages,
                    verdict if passages else "none",
                    getattr(result, "reason", "") or "",
                    getattr(result, "message", "") or getattr(result, "redirect", "") or "",
                )
            passages = self.evidence.search(query, k=SEARCH_K)
        except EvidenceUnavailable:
            raise
        except ValueError:  # nothing searchable left in the question (only emoji, say)
            return Found([], "none")
        return Found(passages, _verdict(passages))

    def _manifest(self) -> Manifest | None:
        """The library's sources manifest, when the evidence port is the real library."""
        sources = getattr(self.evidence, "sources", None)
        return sources if callable(getattr(sources, "by_file", None)) else None

    def _place_matcher(self) -> PlaceMatcher | None:
        if self._places is None:
            make = getattr(self._manifest(), "place_matcher", None)
            self._places = make() if callable(make) else None
        return self._places

    def _choose(self, passages: list[Passage], query: str, limit: int) -> list[Passage]:
        return choose_passages(
            passages, query, limit=limit, places=self._place_matcher(), sources=self._manifest()
        )

    @staticmethod
    def _lead(groups: list[PlaceGroup]) -> str:
        return f"Here is what others found {where_from(groups)}, in their own words:"

    @staticmethod
    def _unseen(question: str, seen: set[str]) -> str | None:
        """The clarifying question, or the general one if this team was asked it lately."""
        for text in (question, CLARIFY_ANY):
            if question_key(text) not in seen:
                return text
        return None

    def _closing(self, query: str, seen: set[str]) -> str | None:
        """Built from the team's question; else a bank question this team hasn't had lately."""
        built = closing_question(query, avoid=_AvoidByKey(seen))
        if built:
            return built
        asked = {q.id for q in self.bank.questions if question_key(q.text) in seen}
        fallback = self.bank.next_unseen("turn_back", asked, salt=query)
        return fallback.text if fallback and fallback.id not in asked else None


class _AvoidByKey:
    """`text in avoid` for texts remembered only by their hash."""

    def __init__(self, keys: set[str]) -> None:
        self.keys = keys

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and question_key(text) in self.keys

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0


def _verdict(passages: list[Passage]) -> str:
    """Without the library's own verdict: "weak" when even the best passages are far off."""
    if not passages:
        return "none"
    strengths = [p.extra.get("strength") for p in passages[:3]]
    if any(strengths):
        return "strong" if "strong" in strengths else "weak"
    similarities = [p.extra.get("similarity") for p in passages[:3]]
    known = [s for s in similarities if isinstance(s, int | float)]
    if known and max(known) < WEAK_SIMILARITY:
        return "weak"
    return "strong"


__all__ = [
    "NO_PLACE",
    "QUOTE_BUDGET",
    "HelpedAnswers",
    "MemoryShownLog",
    "ShownLog",
    "choose_passages",
    "group_by_place",
    "shown_log_of",
    "where_from",
]
