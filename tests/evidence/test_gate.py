"""The request gate: what the library is never for is turned away with a reason and an offer."""

from __future__ import annotations

import pytest

from bot.evidence.gate import normalise
from bot.evidence.subpassages import WINDOW_CHARS, sub_passages


@pytest.mark.parametrize(
    "question, kind",
    [
        ("how do I book annual leave in the HR system", "admin"),
        ("can you claim mileage for visiting partners?", "admin"),
        ("write an email to the CCG chair saying no", "writing"),
        ("draft a board paper on our winter plan", "writing"),
        ("what did the health secretary announce today", "live"),
        ("current A&E waiting times at the Royal Free", "live"),
        ("show me what Sarah wrote in her journal", "journal"),
        ("can I read the other team's journal entries", "journal"),
        ("help me draft a section 75 agreement", "writing"),
        ("how have forces implemented Right Care Right Person", "uncovered"),
        ("what did Greater Manchester devolution deliver", "uncovered"),
        ("which supplier for a shared care record", "uncovered"),
        ("my team are burnt out", "uncovered"),
        ("how have other areas set up virtual wards", "uncovered"),
        ("good pub for leaving drinks near Westminster", "everyday"),
        ("what council tax band is my house in", "everyday"),
        ("cheers, that's really helpful", "smalltalk"),
        ("what did I write in my reflective log after the away day?", "own_journal"),
        ("what's this month's A&E four-hour performance for England?", "live"),
        ("who is the chief exec of NHS England right now?", "live"),
        ("can you make 5 slides for my partnership board away day", "writing"),
        ("remind me what I said about my line manager in my journal", "own_journal"),
    ],
)
def test_requests_the_library_is_never_for_are_turned_away_with_an_offer(library, question, kind):
    result = library.explain(question)
    assert result.passages == [] and result.verdict == "none"
    assert result.reason == f"request:{kind}"
    assert "What I can help with" in result.message
    assert library.search(question) == []


@pytest.mark.parametrize(
    "question, name",
    [
        ("how should a primary care network spend its ARRS money?", "ARRS"),
        ("do we need a DPIA before sharing with the police", "DPIA"),
        ("what does the mental health act say about police powers", "the Mental Health Act"),
        ("Health and Care Act 2022 and our place board", "the Health and Care Act 2022"),
        (
            "what do we need to do to meet the Armed Forces Covenant duty?",
            "the Armed Forces Covenant",
        ),
        ("how are councils rolling out the Oliver McGowan training?", "Oliver McGowan"),
    ],
)
def test_a_name_the_library_never_mentions_is_said_back_not_stretched(library, question, name):
    result = library.explain(question)
    assert result.passages == [] and result.reason == "request:uncovered"
    assert f"doesn't mention {name}," in result.message
    assert "What I can help with" in result.message


@pytest.mark.parametrize(
    "question",
    [
        "how do I get VCSE partners on board with the partnership?",  # a known acronym
        "what did the Care Act change for councils and the NHS working together?",  # in a doc
        # the Act is the Care Act, not "the While Meeting Its Own Care Act"
        "how can a council help trusts meet their targets while meeting its own Care Act duties?",
        "how do we weather the storm when the money is cut?",  # not the weather
        "partners keep saying it's NOT their job, what did others do",  # capitals for emphasis
        "we're in Tower Hamlets, how do I get GPs on board?",  # a place the library doesn't know
        "How did the Troubled Families programme work in Barnet?",  # a scheme it does know
        "shared care record nobody uses",  # information sharing, not which IT system to buy
        "large board or small board?",  # far from any passage's words, close to its questions
    ],
)
def test_names_and_words_the_library_knows_are_answered(library, question):
    assert library.explain(question).passages, question


@pytest.mark.parametrize(
    "question",
    [
        "how do I get GPs on board",
        "how do I deal with a partner who won't commit money",
        "what happened with alcohol in Plymouth?",
        "we've just had our first big row over money, is the partnership falling apart?",
        "anyone else had partners who say yes in the meeting and then do nothing??",
    ],
)
def test_first_person_and_informal_questions_get_passages(library, question):
    result = library.explain(question)
    assert result.passages, result.reason
    assert result.verdict in ("strong", "weak") and result.reason == ""
    assert all(p.extra["strength"] in ("strong", "weak") for p in result.passages)
    assert all(0 <= p.extra["relevance"] <= 1.5 for p in result.passages)


def test_the_first_person_questions_find_what_they_ask_about(library):
    gps = " ".join(p.text for p in library.search("how do I get GPs on board", k=5))
    assert "GP" in gps
    plymouth = library.search("what happened with alcohol in Plymouth?", k=5)
    assert any("Plymouth" in p.places for p in plymouth)
    money = " ".join(
        p.text for p in library.search("how do I deal with a partner who won't commit money", k=5)
    )
    assert any(w in money.lower() for w in ("budget", "fund", "money", "resource", "financ"))


@pytest.mark.parametrize(
    "question, expected",
    [
        ("how do I get GPs on board", "how to get GPs on board"),
        ("So how can we share data with the police?", "how to share data with the police?"),
        ("anyone else had this?? partners never deliver", "partners never deliver"),
        ("what happened with alcohol in Plymouth?", "what was done on alcohol in Plymouth?"),
        ("any tips on pooled budgets pls", "examples of pooled budgets"),
        ("  ", ""),
    ],
)
def test_first_person_and_informal_framing_is_normalised(question, expected):
    assert normalise(question) == expected


def test_sub_passages_are_short_sentence_runs_of_their_passage():
    text = (
        "Trust took time. Partners met monthly and shared data. " * 12
        + "One very long sentence "
        + "that goes on " * 40
        + "and ends."
    )
    subs = sub_passages("doc:0-10", text)
    assert len(subs) > 2 and len({s.id for s in subs}) == len(subs)
    for sub in subs:
        assert sub.text in text and sub.parent == "doc:0-10"
        assert len(sub.text) <= WINDOW_CHARS or "." not in sub.text[:-1]


def test_no_gate_pattern_turns_away_a_labelled_on_topic_question():
    # Patterns refuse without asking the models, so one that matches a real question (as
    # "who won" once matched "a partner who won't commit money") refuses it every time.
    from bot.evaluation.datasets import load_retrieval_cases
    from bot.evidence.gate import RequestGate
    from tests.conftest import REPO

    gate = RequestGate(REPO / "prompts", embedder=None)
    for name in (
        "retrieval.jsonl",
        "retrieval_holdout.jsonl",
        "retrieval_holdout2.jsonl",
        "retrieval_holdout3.jsonl",
    ):
        cases = load_retrieval_cases(REPO / "evals" / name, REPO / "knowledge")
        caught = [(c.id, gate.pattern_kind(c.query)) for c in cases if not c.off_topic]
        assert [pair for pair in caught if pair[1]] == [], name
