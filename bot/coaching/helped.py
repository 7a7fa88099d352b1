""" "What helped elsewhere?": cited passages grouped by place, then one question back.

Every quotation is an exact span of its source (see `quotes.trim_passage`), the quotations
together stay within about 1,200 characters, and the answer is honest about thin evidence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.coaching.ports import EvidenceSearch, Who
from bot.coaching.questions import QuestionBank
from bot.coaching.quotes import looks_like_prose, trim_passage
from bot.coaching.reply import Action, PlaceGroup, Reply, ReplyKind
from bot.coaching.text import clean_input
from bot.evidence.passage import EvidenceUnavailable, Passage

if TYPE_CHECKING:
    from bot.coaching.phrasing import LLMPhraser

QUOTE_BUDGET = 1200  # characters of quotation in one answer, all passages together
MAX_PASSAGE_CHARS = 420
MIN_PASSAGE_CHARS = 60  # shorter spans are headings or fragments, not evidence
MAX_PASSAGES = 4
SEARCH_K = 10
NO_PLACE = "Across the programme"

UNAVAILABLE = (
    "The evidence library is temporarily unavailable, so I can't look that up just now. "
    "Please try again in a few minutes."
)
NOTHING = (
    "I couldn't find anything in the evidence library that speaks to that. Rather than stretch "
    "a passage that doesn't fit, I'd say so plainly: the library doesn't cover it."
)
EMPTY = (
    "What would you like to know about what helped elsewhere? For example: "
    "`helped how did others get the police and health to share data?`"
)


def choose_passages(passages: list[Passage], query: str) -> list[Passage]:
    """Up to four trimmed, non-overlapping passages within the quotation budget."""
    chosen: list[Passage] = []
    used = 0
    for passage in passages:
        if len(chosen) == MAX_PASSAGES or QUOTE_BUDGET - used < MIN_PASSAGE_CHARS:
            break
        if any(_overlaps(passage, c) for c in chosen):
            continue
        trimmed = trim_passage(passage, min(MAX_PASSAGE_CHARS, QUOTE_BUDGET - used), query)
        if len(trimmed.text) < MIN_PASSAGE_CHARS or not looks_like_prose(trimmed.text):
            continue
        chosen.append(trimmed)
        used += len(trimmed.text)
    return chosen


def group_by_place(passages: list[Passage]) -> list[PlaceGroup]:
    """Groups in order of their best passage; a passage sits under the first place it names."""
    order: list[str] = []
    members: dict[str, list[Passage]] = {}
    for passage in passages:
        place = passage.places[0] if passage.places else NO_PLACE
        if place not in members:
            order.append(place)
            members[place] = []
        members[place].append(passage)
    return [PlaceGroup(place=p, passages=tuple(members[p])) for p in order]


def _overlaps(a: Passage, b: Passage) -> bool:
    return a.doc == b.doc and a.start < b.end and b.start < a.end


class HelpedAnswers:
    def __init__(
        self, evidence: EvidenceSearch, bank: QuestionBank, phraser: LLMPhraser | None = None
    ) -> None:
        self.evidence = evidence
        self.bank = bank
        self.phraser = phraser

    def answer(self, who: Who, question: str) -> Reply:
        query = clean_input(question).text
        if not query:
            return Reply(ReplyKind.INFO, EMPTY)
        try:
            found = self.evidence.search(query, k=SEARCH_K)
        except EvidenceUnavailable:
            return Reply(ReplyKind.ERROR, UNAVAILABLE, meta={"query": query})
        except ValueError:  # nothing searchable left in the question (only emoji, say)
            found = []
        passages = choose_passages(found, query)
        if not passages:
            return Reply(ReplyKind.HELPED, NOTHING, meta={"query": query, "evidence": "none"})
        turn_back = self.bank.next_unseen("turn_back", set(), salt=query)
        groups = group_by_place(passages)
        if len(passages) == 1:
            lead = (
                "The evidence on this is thin: I found one passage that touches it, so take it "
                "as a single voice rather than a pattern. Here is what others found:"
            )
            strength = "thin"
        else:
            places = [g.place for g in groups if g.place != NO_PLACE]
            where = f" ({', '.join(places)})" if places else ""
            lead = f"Here is what others found{where}, in their own words:"
            strength = "some"
        reply = Reply(
            kind=ReplyKind.HELPED,
            text=lead,
            question=turn_back.text if turn_back else None,
            passages=passages,
            groups=groups,
            actions=[
                Action("feedback_up", "Useful", value=query[:200]),
                Action("feedback_down", "Not useful", value=query[:200]),
                Action("save_to_journal", "Save to journal", value=query[:200]),
            ],
            meta={"query": query, "evidence": strength},
        )
        if self.phraser is not None:
            summary = self.phraser.summarise(query, passages)
            if summary:
                reply.text = summary
                reply.meta["phrased"] = True
        return reply
