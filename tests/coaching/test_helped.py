"""'What helped elsewhere?': exact quotes, grouped by place, capped, one question back."""

from __future__ import annotations

from dataclasses import replace

from bot.coaching.helped import QUOTE_BUDGET, HelpedAnswers, choose_passages, group_by_place
from bot.coaching.questions import question_problems
from bot.coaching.quotes import trim_passage
from bot.coaching.reply import ReplyKind
from bot.evidence.passage import Passage
from tests.coaching.conftest import KNOWLEDGE
from tests.coaching.fakes import NoEvidence

QUESTION = "how did others get the police and health to share data?"


def _source(passage: Passage) -> str:
    return (KNOWLEDGE / passage.doc).read_text(encoding="utf-8")


def test_an_answer_quotes_two_to_four_exact_passages_grouped_by_place(coach, who):
    reply = coach.helped(who, QUESTION)
    assert reply.kind is ReplyKind.HELPED
    assert 2 <= len(reply.passages) <= 4
    for passage in reply.passages:
        assert _source(passage)[passage.start : passage.end] == passage.text
    assert sum(len(p.text) for p in reply.passages) <= QUOTE_BUDGET
    grouped = [p for group in reply.groups for p in group.passages]
    assert sorted(grouped, key=id) == sorted(reply.passages, key=id)
    assert "Barnet" in [g.place for g in reply.groups]
    assert reply.question and not question_problems(reply.question)
    assert {a.id for a in reply.actions} == {"feedback_up", "feedback_down", "save_to_journal"}


def test_trimming_keeps_quotes_exact_and_ends_on_sentence_boundaries(knowledge_evidence):
    long_ones = [p for p in knowledge_evidence.paragraphs if len(p.text) > 900][:25]
    assert long_ones
    for passage in long_ones:
        trimmed = trim_passage(passage, 300, "conflict budget data sharing")
        assert _source(trimmed)[trimmed.start : trimmed.end] == trimmed.text
        assert passage.start <= trimmed.start < trimmed.end <= passage.end
        assert 0 < len(trimmed.text) <= 300
        assert trimmed.text == trimmed.text.strip()


def test_the_quotation_budget_holds_however_long_the_passages(knowledge_evidence):
    longest = sorted(knowledge_evidence.paragraphs, key=lambda p: -len(p.text))[:8]
    chosen = choose_passages(longest, "partnership budget")
    assert 2 <= len(chosen) <= 4
    assert sum(len(p.text) for p in chosen) <= QUOTE_BUDGET
    for passage in chosen:
        assert _source(passage)[passage.start : passage.end] == passage.text


def test_passages_without_a_place_are_grouped_across_the_programme():
    a = Passage("d.txt", "T", "S", ("Barnet",), 0, 10, "x" * 10)
    b = Passage("d.txt", "T", "S", (), 20, 30, "y" * 10)
    c = replace(a, start=40, end=50)
    groups = group_by_place([a, b, c])
    assert [(g.place, len(g.passages)) for g in groups] == [
        ("Barnet", 2),
        ("Across the programme", 1),
    ]


class OnePassage:
    def __init__(self, passage: Passage) -> None:
        self.passage = passage

    def search(self, query, k=5, *, docs=None, places=None):
        return [self.passage]


def test_thin_evidence_is_named_as_thin(bank, knowledge_evidence, who):
    one = knowledge_evidence.search("british conflict everyone says yes meeting deliver")[0]
    reply = HelpedAnswers(OnePassage(one), bank).answer(who, "everyone says yes then nothing")
    assert len(reply.passages) == 1
    assert "thin" in reply.text and reply.question


def test_nothing_relevant_is_said_plainly(bank, who):
    reply = HelpedAnswers(NoEvidence(), bank).answer(who, "what is the capital of France?")
    assert reply.passages == [] and reply.groups == []
    assert "couldn't find anything" in reply.text


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


def test_list_fragments_are_not_offered_as_evidence():
    fragment = "- Bristol – integrated approach to health and wellbeing - Dudley"
    bullet = Passage("d.txt", "T", "S", ("Bristol",), 0, len(fragment), fragment)
    prose_text = (
        "A key difficulty that slowed the progress of the work can be traced back to an aspect "
        "of the authorising environment, the rules on sharing information."
    )
    prose = Passage("d.txt", "T", "S", ("Barnet",), 100, 100 + len(prose_text), prose_text)
    assert choose_passages([bullet, prose], "data sharing") == [prose]


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
    assert "http" not in trimmed.text
    assert source[trimmed.start : trimmed.end] == trimmed.text
    assert all("http" not in p.text for p in choose_passages([passage], "share information"))
