"""The labelled sets are well formed: exact gold quotes, enough queries, every theme present."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from bot.evaluation.datasets import (
    THEME_IDS,
    DatasetError,
    load_retrieval_cases,
    load_theme_cases,
    quote_spans,
)

from .conftest import EVALS, KNOWLEDGE


@pytest.mark.parametrize(
    ("name", "minimum"), [("retrieval.jsonl", 64), ("retrieval_holdout.jsonl", 20)]
)
def test_every_gold_quote_is_an_exact_substring_of_its_document(name, minimum):
    # Read the raw file independently of the loader, so a loader bug can't hide a bad quote.
    checked = 0
    for line in (EVALS / name).read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for gold in row["gold"]:
            text = (KNOWLEDGE / gold["doc"]).read_text(encoding="utf-8")
            start = text.find(gold["quote"])
            assert start >= 0, f"{row['id']}: quote not in {gold['doc']}: {gold['quote']!r}"
            assert text[start : start + len(gold["quote"])] == gold["quote"]
            assert 40 <= len(gold["quote"]) <= 200, f"{row['id']}: quote length"
            checked += 1
    assert checked >= minimum


def test_retrieval_set_shape(retrieval_cases):
    on_topic = [c for c in retrieval_cases if not c.off_topic]
    off_topic = [c for c in retrieval_cases if c.off_topic]
    assert len(retrieval_cases) >= 240
    assert len(on_topic) >= 200  # issue 11: at least 200 on-topic and 40 off-topic
    assert len(off_topic) >= 40
    # At least half written from a one-line summary of the passage (ids t-...), and the
    # off-topic rows cover the hard negatives by kind.
    assert sum(1 for c in on_topic if c.id.startswith("t-")) >= len(on_topic) / 2
    kinds = {c.topic for c in off_topic}
    for kind in ("workplace admin", "writing task", "live facts", "someone's journal"):
        assert any(kind in k for k in kinds), kind
    assert sum(1 for k in kinds if "uncovered" in k) >= 2
    # Spread over all five documents, and a mix of short and long queries.
    docs = Counter(g.doc for c in on_topic for g in c.gold)
    assert set(docs) == {p.name for p in KNOWLEDGE.glob("*.txt")}
    words = [len(c.query.split()) for c in retrieval_cases]
    assert sum(1 for n in words if n <= 6) >= 10
    assert sum(1 for n in words if n >= 15) >= 10


def test_retrieval_holdout_is_separate(retrieval_cases, holdout_retrieval_cases):
    assert sum(1 for c in holdout_retrieval_cases if not c.off_topic) >= 20
    assert sum(1 for c in holdout_retrieval_cases if c.off_topic) >= 5
    tuning = {c.query.lower() for c in retrieval_cases} | {c.id for c in retrieval_cases}
    for case in holdout_retrieval_cases:
        assert case.query.lower() not in tuning and case.id not in tuning, case.id


def test_second_holdout_is_large_and_separate(retrieval_cases, holdout_retrieval_cases):
    from bot.evaluation.datasets import load_retrieval_cases
    from tests.evals.conftest import EVALS, KNOWLEDGE

    second = load_retrieval_cases(EVALS / "retrieval_holdout2.jsonl", KNOWLEDGE)
    assert len(second) >= 80
    assert sum(1 for c in second if c.off_topic) >= 20
    seen = {c.query.lower() for c in [*retrieval_cases, *holdout_retrieval_cases]}
    seen |= {c.id for c in [*retrieval_cases, *holdout_retrieval_cases]}
    for case in second:
        assert case.query.lower() not in seen and case.id not in seen, case.id
        for gold in case.gold:
            assert case.query.lower() not in gold.quote.lower(), case.id


def test_queries_paraphrase_rather_than_copy_the_gold(retrieval_cases, holdout_retrieval_cases):
    # A query that pastes its answer would test string matching, not retrieval.
    for case in [*retrieval_cases, *holdout_retrieval_cases]:
        for gold in case.gold:
            assert case.query.lower() not in gold.quote.lower(), case.id


def test_theme_set_shape(theme_cases):
    assert len(theme_cases) >= 60
    counts = Counter(t for c in theme_cases for t in c.themes)
    for theme in THEME_IDS:
        assert counts[theme] >= 18, (theme, counts)
    assert sum(1 for c in theme_cases if not c.themes) >= 8
    assert sum(1 for c in theme_cases if len(c.themes) > 1) >= 8


def test_theme_holdout_is_separate_and_covers_every_theme(theme_cases, holdout_theme_cases):
    assert len(holdout_theme_cases) >= 30
    counts = Counter(t for c in holdout_theme_cases for t in c.themes)
    assert all(counts[theme] >= 8 for theme in THEME_IDS), counts
    assert any(not c.themes for c in holdout_theme_cases)
    tuning_texts = {c.text.lower() for c in theme_cases}
    assert not any(c.text.lower() in tuning_texts for c in holdout_theme_cases)


def test_quote_spans_finds_every_occurrence():
    assert quote_spans("abc abc", "abc") == [(0, 3), (4, 7)]
    assert quote_spans("abc", "xyz") == []


def test_a_quote_that_is_not_in_the_document_is_reported_clearly(tmp_path):
    bad = tmp_path / "bad.jsonl"
    doc = "001_eb4ebc8a1c1b1030.txt"
    row = {"id": "x", "query": "q", "gold": [{"doc": doc, "quote": "words nobody wrote"}]}
    bad.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="not an exact substring"):
        load_retrieval_cases(bad, KNOWLEDGE)


def test_bad_theme_labels_and_broken_lines_are_reported_with_their_place(tmp_path):
    bad = tmp_path / "themes.jsonl"
    bad.write_text('{"id": "a", "text": "t", "themes": ["vibes"]}\n', encoding="utf-8")
    with pytest.raises(DatasetError, match="unknown theme"):
        load_theme_cases(bad)
    bad.write_text('{"id": "a", "text": "t", "themes": []}\n{not json\n', encoding="utf-8")
    with pytest.raises(DatasetError, match=":2: not valid JSON"):
        load_theme_cases(bad)
    with pytest.raises(DatasetError, match="not found"):
        load_theme_cases(tmp_path / "missing.jsonl")
