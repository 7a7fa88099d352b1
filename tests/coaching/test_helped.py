"""'What helped elsewhere?': exact quotes grouped by place, honest about thin evidence, a
closing question built from the team's own words, and nothing repeated within a month."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pytest

from bot.coaching.helped import (
    QUOTE_BUDGET,
    HelpedAnswers,
    choose_passages,
    group_by_place,
    where_from,
)
from bot.coaching.ports import FixedClock, Who
from bot.coaching.questions import question_problems
from bot.coaching.quotes import trim_passage
from bot.coaching.reply import ReplyKind
from bot.evidence.blocks import read_document
from bot.evidence.chunking import chunk_document
from bot.evidence.passage import Passage
from bot.evidence.prose import readable
from bot.evidence.sources import load_manifest
from tests.coaching.conftest import KNOWLEDGE
from tests.coaching.fakes import NoEvidence

QUESTION = "how did others get the police and health to share data?"


def _source(passage: Passage) -> str:
    return (KNOWLEDGE / passage.doc).read_text(encoding="utf-8")


def _library_passages() -> list[Passage]:
    """Every passage of the bundled library, as the real chunker cuts it."""
    manifest = load_manifest(KNOWLEDGE)
    matcher = manifest.place_matcher()
    found = []
    for source in manifest.sources:
        chunks, _ = chunk_document(read_document(KNOWLEDGE / source.file), source, matcher)
        found += [
            Passage(c.doc, source.title, c.section, c.places, c.start, c.end, c.text, 1.0,
                    source.id, section_places=c.section_places)
            for c in chunks
        ]  # fmt: skip
    return found


PASSAGES = _library_passages()
MANIFEST = load_manifest(KNOWLEDGE)


def _containing(phrase: str, score: float = 1.0, strength: str = "strong") -> Passage:
    passage = next(p for p in PASSAGES if phrase in p.text)
    return replace(passage, score=score, extra={"strength": strength, "similarity": 0.6})


@dataclass
class ExplainingEvidence:
    """The library's `explain` port: passages best first with a verdict, like the real one."""

    passages: list[Passage]
    verdict: str = "strong"
    reason: str = ""
    message: str = ""
    sources: object = field(default=MANIFEST)

    def explain(self, query, k=5, *, docs=None, places=None):
        return self

    def search(self, query, k=5, *, docs=None, places=None):
        return self.passages


def test_an_answer_quotes_two_or_three_exact_clean_passages_grouped_by_place(coach, who):
    reply = coach.helped(who, QUESTION)
    assert reply.kind is ReplyKind.HELPED
    assert 2 <= len(reply.passages) <= 3
    for passage in reply.passages:
        source = _source(passage)
        assert source[passage.start : passage.end] == passage.text
        for piece in passage.shown.split("…"):
            assert piece.strip() in readable(source)
        assert "*" not in passage.shown
    assert sum(len(p.text) for p in reply.passages) <= QUOTE_BUDGET
    grouped = [p for group in reply.groups for p in group.passages]
    assert sorted(grouped, key=id) == sorted(reply.passages, key=id)
    assert reply.question and not question_problems(reply.question)
    assert {a.id for a in reply.actions} == {"feedback_up", "feedback_down", "save_to_journal"}


def test_the_best_passages_come_from_different_places_and_the_header_names_them_in_order(bank, who):
    ranked = [
        _containing("A key difficulty that slowed the progress", 1.0),  # Barnet
        _containing("Namely the ability to share personal", 0.95),  # Barnet again
        _containing("Nottinghamshire Multi-Agency Safeguarding Hub", 0.9),
        _containing("reducing late-night street drinking", 0.8),  # Plymouth
    ]
    reply = HelpedAnswers(ExplainingEvidence(ranked), bank).answer(who, QUESTION)
    places = [g.place for g in reply.groups]
    assert places == ["Barnet", "Nottingham", "Plymouth"]
    assert reply.text == (
        "Here is what others found in Barnet, Nottingham and Plymouth, in their own words:"
    )
    mash = reply.groups[1].passages[0]
    assert mash.shown.startswith("Nottinghamshire Multi-Agency Safeguarding Hub")
    assert mash.cite.startswith("Evidence to the Service Transformation Challenge Panel")
    assert "\n" not in mash.source_line and len(mash.source_line) <= 160


def test_a_merton_example_is_never_filed_under_another_place(bank, who):
    merton = _containing("There have also been strong links built up with users")
    wirral = _containing("use of food banks in Birkenhead", 0.9)
    reply = HelpedAnswers(ExplainingEvidence([merton, wirral]), bank).answer(who, "co-production")
    for group in reply.groups:
        for passage in group.passages:
            assert group.place in passage.places
            if "Healthwatch" in passage.shown:
                assert group.place == "Merton"
            if "Birkenhead" in passage.shown:
                assert group.place in ("Cornwall", "Wirral")


def test_loose_matches_are_not_offered_beside_a_close_one(bank, who):
    ranked = [
        _containing("A key difficulty that slowed the progress", 1.0),
        _containing("Nottinghamshire Multi-Agency Safeguarding Hub", 0.9),
        _containing("reducing late-night street drinking", 0.8, strength="weak"),
    ]
    reply = HelpedAnswers(ExplainingEvidence(ranked), bank).answer(who, QUESTION)
    assert [g.place for g in reply.groups] == ["Barnet", "Nottingham"]


def test_thin_evidence_is_named_one_passage_and_a_clarifying_question(bank, who):
    weak = [
        _containing("A key difficulty that slowed the progress", 0.5, strength="weak"),
        _containing("reducing late-night street drinking", 0.4, strength="weak"),
    ]
    evidence = ExplainingEvidence(weak, verdict="weak")
    reply = HelpedAnswers(evidence, bank).answer(who, "how do we get a shared care record")
    assert len(reply.passages) == 1
    assert reply.text.startswith("The evidence on this is thin")
    assert reply.meta["evidence"] == "thin"
    assert "getting a shared care record" in reply.question
    assert not question_problems(reply.question)


def test_thin_is_derived_from_similarity_when_the_library_gives_no_verdict(bank, who):
    class SearchOnly:
        def search(self, query, k=5, *, docs=None, places=None):
            far = _containing("A key difficulty that slowed the progress")
            return [replace(far, extra={"similarity": 0.2})]

    reply = HelpedAnswers(SearchOnly(), bank).answer(who, "what about burnout")
    assert "thin" in reply.text and len(reply.passages) == 1 and reply.question


def test_nothing_relevant_is_said_plainly_with_what_the_library_does_cover(bank, who):
    reply = HelpedAnswers(NoEvidence(), bank).answer(who, "what is the capital of France?")
    assert reply.passages == [] and reply.groups == []
    assert "couldn't find anything" in reply.text
    for covered in ("shared purpose", "authorise", "conflict", "Barnet", "Plymouth"):
        assert covered in reply.text
    gated = ExplainingEvidence(
        [], verdict="none", reason="request:admin", message="Ripple can't book annual leave."
    )
    reply = HelpedAnswers(gated, bank).answer(who, "book annual leave in the HR system")
    assert reply.text.startswith("Ripple can't book annual leave.")
    assert "couldn't find" not in reply.text  # the gate's own words, said once
    assert "Barnet" in reply.text and "Integrated Care Pioneers" in reply.text
    assert reply.meta["reason"] == "request:admin"


@pytest.mark.parametrize(
    "question, phrase",
    [
        ("how do I get GPs on board", "getting GPs on board"),
        ("How can we build a shared purpose across organisations?", "building a shared purpose"),
        ("data sharing between police and health", "data sharing between police and health"),
        ("what helped when partners disagreed about pooling budgets?", "partners disagreed"),
        ("how do I deal with a partner who won't commit money", "dealing with a partner"),
        ("Any evidence on getting the police involved?", "getting the police involved"),
        ("my partners don't turn up to meetings", "your partners don't turn up"),
    ],
)
def test_the_closing_question_turns_the_teams_own_question_back(bank, who, question, phrase):
    ranked = [
        _containing("A key difficulty that slowed the progress", 1.0),
        _containing("Nottinghamshire Multi-Agency Safeguarding Hub", 0.9),
    ]
    reply = HelpedAnswers(ExplainingEvidence(ranked), bank).answer(who, question)
    assert phrase in reply.question, reply.question
    assert not question_problems(reply.question)
    assert " my " not in f" {reply.question} " and " I " not in f" {reply.question} "


def test_closing_questions_are_not_a_rotation_of_five(bank):
    ranked = [
        _containing("A key difficulty that slowed the progress", 1.0),
        _containing("Nottinghamshire Multi-Agency Safeguarding Hub", 0.9),
    ]
    questions = [
        "how do I get GPs on board",
        "pooled budgets",
        "how do we keep elected members engaged",
        "what helped when the trust pulled out",
        "data sharing between police and health",
        "how did others build trust with the voluntary sector",
        "when partners blame each other",
    ]
    closings = {
        HelpedAnswers(ExplainingEvidence(ranked), bank).answer(Who("u", f"t{i}"), q).question
        for i, q in enumerate(questions)
    }
    assert len(closings) == len(questions)


def test_nothing_is_repeated_to_the_same_team_within_a_month(bank):
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    ranked = [
        _containing("A key difficulty that slowed the progress", 1.0),
        _containing("Nottinghamshire Multi-Agency Safeguarding Hub", 0.9),
        _containing("reducing late-night street drinking", 0.85),
        _containing("use of food banks in Birkenhead", 0.8),
        _containing("nineteen different information sharing protocols", 0.75),
        _containing("In LB Islington, regular coaching support", 0.7),
    ]
    assert len({(p.doc, p.start) for p in ranked}) == len(ranked)
    answers = HelpedAnswers(ExplainingEvidence(ranked), bank, clock=clock)
    team = Who("leader-1", "plymouth-alcohol")
    first = answers.answer(team, QUESTION)
    clock.advance(days=3)
    second = answers.answer(Who("leader-2", "plymouth-alcohol"), QUESTION)  # same team
    spans = {(p.doc, p.start) for p in first.passages}
    assert second.passages and not spans & {(p.doc, p.start) for p in second.passages}
    assert second.question != first.question
    # another team is not affected
    other = answers.answer(Who("leader-9", "leeds-food"), QUESTION)
    assert {(p.doc, p.start) for p in other.passages} == spans
    # once everything has been shown, Ripple says so rather than repeating itself
    third = answers.answer(team, QUESTION)
    fourth = answers.answer(team, QUESTION)
    assert fourth.passages == [] and "already shared" in fourth.text
    asked = [first.question, second.question, third.question, fourth.question]
    assert len(set(asked)) == len(asked), asked
    # after a month it may be shown again
    clock.advance(days=31)
    again = answers.answer(team, QUESTION)
    assert {(p.doc, p.start) for p in again.passages} == spans


def test_choose_passages_keeps_the_quotation_budget_and_exact_spans():
    longest = sorted(PASSAGES, key=lambda p: -len(p.text))[:8]
    chosen = choose_passages(longest, "partnership budget")
    assert 2 <= len(chosen) <= 3
    assert sum(len(p.text) for p in chosen) <= QUOTE_BUDGET
    for passage in chosen:
        assert _source(passage)[passage.start : passage.end] == passage.text


def test_trimming_keeps_quotes_exact_and_within_size():
    long_ones = [p for p in PASSAGES if len(p.text) > 900][:25]
    assert long_ones
    for passage in long_ones:
        trimmed = trim_passage(passage, 300, "conflict budget data sharing")
        assert _source(trimmed)[trimmed.start : trimmed.end] == trimmed.text
        assert passage.start <= trimmed.start < trimmed.end <= passage.end
        assert 0 < len(trimmed.text) <= 300 and len(trimmed.shown) <= 300


def test_passages_without_a_place_are_grouped_across_the_programme():
    a = Passage("d.txt", "T", "S", ("Barnet",), 0, 10, "x" * 10)
    b = Passage("d.txt", "T", "S", (), 20, 30, "y" * 10)
    c = replace(a, start=40, end=50)
    groups = group_by_place([a, b, c])
    assert [(g.place, len(g.passages)) for g in groups] == [
        ("Barnet", 2),
        ("Across the programme", 1),
    ]
    assert where_from(groups) == "in Barnet and across the programme"
    assert where_from(list(reversed(groups))) == "across the programme and in Barnet"


def test_list_labels_are_not_offered_as_evidence():
    fragment = "- Bristol – integrated approach to health and wellbeing\n- Dudley – minimising"
    bullet = Passage("d.txt", "T", "S", ("Bristol",), 0, len(fragment), fragment)
    prose_text = (
        "A key difficulty that slowed the progress of the work can be traced back to an aspect "
        "of the authorising environment, the rules on sharing information."
    )
    prose = Passage("d.txt", "T", "S", ("Barnet",), 100, 100 + len(prose_text), prose_text)
    assert [p.start for p in choose_passages([bullet, prose], "data sharing")] == [100]


def test_footnotes_carried_in_by_a_page_break_are_never_quoted():
    source = (KNOWLEDGE / "002_ee7f87da510b47a4.txt").read_text(encoding="utf-8")
    anchor = "The work required partners to agree to share information"
    start = source.index(anchor)
    end = source.index("28th May 2013.", start) + len("28th May 2013.")
    before = source.rfind("\n\n", 0, start) + 2
    text = source[before:end]
    passage = Passage("002_ee7f87da510b47a4.txt", "T", "S", ("Barnet",), before, end, text)
    assert "https://" in passage.text  # the source really does carry the footnote here
    trimmed = trim_passage(passage, 420, "share information families")
    assert "http" not in trimmed.shown
    assert source[trimmed.start : trimmed.end] == trimmed.text
    assert all("http" not in p.shown for p in choose_passages([passage], "share information"))


def test_an_unavailable_library_gets_a_calm_reply(coach, who, knowledge_evidence):
    knowledge_evidence.down = True
    try:
        reply = coach.helped(who, QUESTION)
    finally:
        knowledge_evidence.down = False
    assert reply.kind is ReplyKind.ERROR
    assert "temporarily unavailable" in reply.text


def test_an_empty_question_asks_what_they_would_like_to_know(coach, who):
    reply = coach.helped(who, "   ")
    assert reply.kind is ReplyKind.INFO and "helped" in reply.text


@pytest.mark.parametrize(
    ("question", "asked_about"),
    [
        ("what did Bradford do?", "Bradford"),
        ("Barnet", "Barnet"),
        ("what did others do about funding?", "funding"),
    ],
)
def test_the_closing_question_is_about_what_was_asked_not_its_wording(question, asked_about):
    from bot.coaching.closing import closing_question

    closing = closing_question(question) or ""
    assert asked_about in closing
    assert "what did" not in closing.lower() and "do look like" not in closing


@pytest.mark.parametrize(
    ("question", "whole"),
    [
        (
            "how did other places get the NHS and the council to agree what they were "
            "actually trying to achieve?",
            "agree what they were actually trying to achieve",
        ),
        (
            "our partnership wants to tackle loneliness among older people with the "
            "voluntary sector, what helped?",
            "with the voluntary sector",
        ),
    ],
)
def test_a_long_question_is_asked_back_whole_never_cut_mid_phrase(question, whole):
    from bot.coaching.closing import closing_question

    assert whole in (closing_question(question) or "")


def test_a_question_too_long_to_ask_back_gets_a_general_question_not_a_fragment():
    from bot.coaching.closing import closing_question

    rambling = (
        "how do we get the acute trust the community trust the council and the three "
        "voluntary sector networks to sign up to one plan for frail older people this year"
    )
    closing = closing_question(rambling)
    assert closing is None or "older people this year" in closing
