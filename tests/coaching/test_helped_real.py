"""'What helped elsewhere?' with only real parts: the bundled library (real model, real Chroma)
and a real journal, as a team would meet it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.coaching.helped import HelpedAnswers
from bot.coaching.ports import FixedClock, Who
from bot.coaching.questions import question_problems
from bot.evidence.prose import readable
from bot.journal import Journal
from tests.coaching.conftest import KNOWLEDGE

MARKUP = re.compile(r"\*|<sup|[⁰¹²³⁴⁵⁶⁷⁸⁹]|https?:|\]\(")


def test_a_team_gets_clean_cited_quotes_grouped_by_place_and_no_repeat(
    evidence_library, bank, settings
):
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    journal = Journal(settings, clock=clock)
    journal.ensure_team("plymouth-alcohol")
    answers = HelpedAnswers(evidence_library, bank, shown=journal, clock=clock)
    who = Who("leader-1", "plymouth-alcohol")
    try:
        reply = answers.answer(who, "how did places build a shared purpose across organisations?")
        again = answers.answer(who, "how did places build a shared purpose across organisations?")
    finally:
        journal.close()

    assert 2 <= len(reply.passages) <= 3, reply.text
    header_places = [g.place for g in reply.groups]
    for place in header_places:
        label = "across the programme" if place == "Across the programme" else place
        assert label in reply.text
    positions = [reply.text.index(p if p != "Across the programme" else "across the programme")
                 for p in header_places]  # fmt: skip
    assert positions == sorted(positions)  # the header names the places in the order shown
    for passage in reply.passages:
        source = (KNOWLEDGE / passage.doc).read_text(encoding="utf-8")
        assert source[passage.start : passage.end] == passage.text
        assert not MARKUP.search(passage.shown)
        for piece in passage.shown.split("…"):
            assert piece.strip() in readable(source)
        assert passage.cite and "\n" not in passage.cite
    assert "building a shared purpose" in reply.question
    assert not question_problems(reply.question)
    # asked again the same week: nothing already shown comes back
    first_spans = {(p.doc, p.start) for p in reply.passages}
    assert not first_spans & {(p.doc, p.start) for p in again.passages}
    assert again.question != reply.question


def test_a_question_the_library_cannot_answer_says_so_and_what_it_covers(evidence_library, bank):
    reply = HelpedAnswers(evidence_library, bank).answer(
        Who("leader-1", "t"), "what's the weather in Leeds tomorrow?"
    )
    assert reply.passages == []
    assert "Barnet" in reply.text and "Integrated Care Pioneers" in reply.text
