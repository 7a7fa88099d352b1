"""The question bank: enough open, short, grounded questions for every theme and stage."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

from bot.coaching.questions import STAGES, THEMES, QuestionBank, question_problems
from tests.coaching.conftest import KNOWLEDGE, PROMPTS


def _document(doc_id: str) -> str:
    matches = list(KNOWLEDGE.glob(f"{doc_id}_*.txt"))
    assert len(matches) == 1, f"no single knowledge file for doc id {doc_id!r}"
    return matches[0].read_text(encoding="utf-8")


def test_each_theme_has_at_least_thirty_questions(bank: QuestionBank):
    counts = Counter(q.theme for q in bank.select("explore"))
    for theme in THEMES:
        assert counts[theme] >= 30, f"{theme} has only {counts[theme]} questions"


def test_every_weekly_stage_has_a_question_for_each_of_twelve_weeks(bank: QuestionBank):
    # One opener, options, commitment, check-in ... a week: twelve weeks without a repeat.
    for stage in STAGES:
        wanted = 6 if stage in ("turn_back", "follow_up") else 12
        assert len(bank.select(stage)) >= wanted, f"too few {stage} questions"


def test_no_two_questions_read_the_same(bank: QuestionBank):
    texts = Counter(q.text.lower() for q in bank.questions)
    assert [t for t, n in texts.items() if n > 1] == []


def test_every_question_names_a_known_theme_and_stage(bank: QuestionBank):
    for q in bank.questions:
        assert q.theme in (*THEMES, "general"), q.id
        assert q.stage in STAGES, q.id
        if q.stage == "explore":
            assert q.theme in THEMES, f"{q.id}: a theme question must name its theme"


def test_every_grounding_quote_appears_word_for_word_in_its_document(bank: QuestionBank):
    for q in bank.questions:
        assert len(q.grounding.quote) >= 15, f"{q.id}: grounding quote too short to mean much"
        assert q.grounding.quote in _document(q.grounding.doc), (
            f"{q.id}: quote not found verbatim in document {q.grounding.doc}: {q.grounding.quote!r}"
        )


def test_theme_descriptions_quote_the_evidence_word_for_word():
    raw = yaml.safe_load((PROMPTS / "themes.yaml").read_text(encoding="utf-8"))
    for theme in THEMES:
        evidence = raw["themes"][theme]["evidence"]
        assert evidence, theme
        for item in evidence:
            assert item["quote"] in _document(item["doc"]), item["quote"]


def test_every_question_is_open_short_and_free_of_advice(bank: QuestionBank):
    bad = {q.id: question_problems(q.text) for q in bank.questions}
    assert {k: v for k, v in bad.items() if v} == {}


def test_question_ids_are_unique():
    raw = yaml.safe_load((PROMPTS / "questions.yaml").read_text(encoding="utf-8"))
    ids = [item["id"] for item in raw["questions"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    "text",
    [
        "Did you talk to the hospital about it?",
        "Is it the council that is blocking this?",
        "Are your partners on board?",
        "Have you asked the chief executive?",
        "Can you share the data?",
        "Will the board approve it?",
        "Do you trust them?",
        "What if you tried to meet them one to one? You should.",
        "How will you make sure the police attend?",
        "What would it look like if everyone in this partnership, from the chief executives to "
        "the frontline staff and volunteers, finally agreed on one clear and simple purpose for "
        "all of the work together?",
        "What happened next",
    ],
)
def test_the_checker_rejects_closed_leading_advising_or_long_questions(text: str):
    assert question_problems(text)


def test_the_checker_accepts_an_open_question():
    assert question_problems("What feels most uncertain here?") == []
