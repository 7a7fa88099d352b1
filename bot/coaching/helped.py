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

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.coaching.choosing import (
    MAX_PASSAGES,
    NO_PLACE,
    QUOTE_BUDGET,
    choose_passages,
    group_by_place,
    overlaps,
    where_from,
)
from bot.coaching.closing import CLARIFY_ANY, clarifying_question, closing_question
from bot.coaching.ports import Clock, EvidenceSearch, SystemClock, Who
from bot.coaching.questions import QuestionBank
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

log = logging.getLogger(__name__)

SEARCH_K = 10
WEAK_SIMILARITY = 0.36  # without the library's own verdict: best passage this far off is thin

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
PLACES = (
    "Its examples come from Barnet, North West London and Bradford, the 25 Local Vision places "
    "(Plymouth, Nottingham, Merton, Cornwall and others) and the Integrated Care Pioneers."
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
        self.shown = shown  # the journal's record, across restarts and replicas
        self.memory = MemoryShownLog(self.clock)  # this process's, for teams it doesn't know
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
            # The gate says what Ripple can help with instead; the floor says nothing fits.
            parts = (found.redirect, PLACES) if found.redirect else (NOTHING, COVERAGE)
            text = " ".join(parts)
            return Reply(ReplyKind.HELPED, text, meta={**meta, "evidence": "none"})

        seen = self._seen(who.team)
        fresh = [p for p in found.passages if passage_key(p) not in seen]
        thin = found.verdict == "weak"
        chosen = self._choose(fresh, query, 1 if thin else MAX_PASSAGES)
        if not chosen:
            if self._choose(found.passages, query, 1):  # all of it shown lately
                ask = self._unseen(clarifying_question(query), seen)
                self._record(who.team, [question_key(ask)] if ask else [])
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
        originals = [k for k, p in by_key.items() if any(overlaps(p, c) for c in chosen)]
        self._record(who.team, [*originals, *([question_key(ask)] if ask else [])])
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

    def _seen(self, team: str) -> set[str]:
        since = self.clock.now() - REPEAT_WINDOW
        seen = self.memory.shown_to_team(team, since)
        if self.shown is not None:
            try:
                seen |= self.shown.shown_to_team(team, since)
            except Exception as exc:  # the journal is down: this process's memory will do
                log.warning("could not read what team %s was shown: %s", team, exc)
        return seen

    def _record(self, team: str, keys: list[str]) -> None:
        self.memory.record_shown(team, keys)
        if self.shown is not None:
            try:
                self.shown.record_shown(team, keys)
            except Exception as exc:  # an answer is never lost for want of this record
                log.warning("could not record what team %s was shown: %s", team, exc)

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
