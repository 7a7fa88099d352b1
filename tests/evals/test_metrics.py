"""Metric functions on hand-made rankings, with no model involved."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from bot.evaluation.datasets import GoldQuote, RetrievalCase, ThemeCase
from bot.evaluation.metrics import (
    first_relevant_rank,
    macro_f1,
    mrr_at_k,
    overlaps,
    per_label_prf,
    percentile,
    prf,
    recall_at_k,
    rejection_rate,
)
from bot.evaluation.render import retrieval_table, theme_table
from bot.evaluation.retrieval_eval import run_retrieval_eval
from bot.evaluation.theme_eval import run_theme_eval

GOLD = [("a.txt", 100, 150)]


def test_overlap_is_half_open_and_per_document():
    assert overlaps(("a.txt", 140, 300), GOLD[0])
    assert overlaps(("a.txt", 0, 101), GOLD[0])
    assert not overlaps(("a.txt", 150, 300), GOLD[0])  # touches the end: no shared character
    assert not overlaps(("a.txt", 0, 100), GOLD[0])
    assert not overlaps(("b.txt", 100, 150), GOLD[0])


def test_first_relevant_rank():
    ranking = [("a.txt", 0, 50), ("b.txt", 100, 150), ("a.txt", 120, 400)]
    assert first_relevant_rank(ranking, GOLD) == 3
    assert first_relevant_rank(ranking[:2], GOLD) is None
    assert first_relevant_rank([], GOLD) is None


def test_recall_and_mrr_on_known_ranks():
    ranks = [1, 3, None, 7]
    assert recall_at_k(ranks, 1) == 0.25
    assert recall_at_k(ranks, 5) == 0.5
    assert mrr_at_k(ranks, 10) == pytest.approx((1 + 1 / 3 + 1 / 7) / 4)
    assert mrr_at_k(ranks, 5) == pytest.approx((1 + 1 / 3) / 4)
    assert recall_at_k([], 5) == 0.0


def test_rejection_rate_and_percentile():
    assert rejection_rate([0, 0, 3, 0]) == 0.75
    assert percentile([10, 20, 30, 40], 50) == 25
    assert percentile([5.0], 95) == 5.0
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert math.isnan(percentile([], 50))


def test_prf_and_macro_f1():
    assert prf(0, 0, 0).f1 == 0.0
    s = prf(true_positives=3, false_positives=1, false_negatives=2)
    assert (s.precision, s.recall) == (0.75, 0.6)
    assert s.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    gold = [{"x"}, {"x", "y"}, set(), {"y"}]
    pred = [{"x"}, {"x"}, {"y"}, {"y"}]
    scores = per_label_prf(gold, pred, ["x", "y"])
    assert scores["x"].f1 == 1.0
    assert (scores["y"].precision, scores["y"].recall) == (0.5, 0.5)
    assert macro_f1(scores) == 0.75


@dataclass
class Hit:
    doc: str
    start: int
    end: int


class ScriptedLibrary:
    """Returns canned rankings per method; records the calls it gets."""

    def __init__(self, rankings: dict[str, dict[str, list[Hit]]]) -> None:
        self.rankings = rankings
        self.calls: list[tuple[str, int, str]] = []

    def search(self, query: str, k: int = 5, *, method: str = "hybrid") -> list[Hit]:
        self.calls.append((query, k, method))
        return self.rankings[method].get(query, [])[:k]


def _case(qid: str, gold: bool) -> RetrievalCase:
    quote = GoldQuote(doc="a.txt", quote="...", spans=((100, 150),))
    return RetrievalCase(id=qid, query=qid, topic="t", gold=(quote,) if gold else ())


def test_retrieval_eval_scores_each_method_side_by_side():
    miss, hit = Hit("a.txt", 0, 50), Hit("a.txt", 90, 200)
    cases = [_case("q1", True), _case("q2", True), _case("off", False)]
    library = ScriptedLibrary(
        {
            "bm25": {"q1": [hit], "q2": [miss, miss, hit], "off": [miss]},
            "dense": {"q1": [miss, hit], "q2": [], "off": []},
            "hybrid": {"q1": [hit], "q2": [miss, hit], "off": []},
        }
    )
    report = run_retrieval_eval(library, cases, methods=("bm25", "dense", "hybrid"))
    bm25, dense, hybrid = (report.methods[m] for m in ("bm25", "dense", "hybrid"))
    assert (bm25.recall_at_1, bm25.recall_at_5, bm25.mrr_at_10) == (0.5, 1.0, pytest.approx(2 / 3))
    assert (dense.recall_at_5, dense.mrr_at_10, dense.on_topic_answered) == (0.5, 0.25, 0.5)
    assert hybrid.mrr_at_10 == 0.75
    assert (bm25.off_topic_rejection, hybrid.off_topic_rejection) == (0.0, 1.0)
    assert all(k == 10 for _, k, _ in library.calls)
    assert len(report.latency_ms) == 3  # hybrid only, one per query
    assert not report.hybrid_beats_singles()  # ties bm25 on recall@5
    assert report.misses("dense") == ["q2"]
    body = report.to_json()
    assert body["methods"]["hybrid"]["mrr@10"] == 0.75
    assert body["ranks"]["q2"] == {"bm25": 3, "dense": None, "hybrid": 2}
    assert len(retrieval_table(report).columns) == 4


def test_theme_eval_counts_errors_and_no_theme_rows():
    cases = [
        ThemeCase("1", "we fought", frozenset({"conflict"})),
        ThemeCase("2", "printer broke", frozenset()),
        ThemeCase("3", "who signs off", frozenset({"authorising_environment"})),
    ]
    answers = {"we fought": ["conflict"], "printer broke": [], "who signs off": ["conflict"]}
    report = run_theme_eval(answers.__getitem__, cases)
    assert report.per_theme["conflict"].precision == 0.5
    assert report.per_theme["authorising_environment"].recall == 0.0
    assert report.no_theme_correct == 1.0
    assert report.exact_match == pytest.approx(2 / 3)
    assert report.errors == [("3", ["authorising_environment"], ["conflict"])]
    assert theme_table(report).row_count == 4
