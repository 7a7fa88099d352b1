"""Floors under the real evals: real model, real Chroma in a temporary folder.

The floors sit just under what `ripple eval` measured (see evals/RESULTS.md). They only catch a
collapse; the eval itself is how quality is compared.
"""

from __future__ import annotations

import pytest

from bot.evaluation.retrieval_eval import run_retrieval_eval
from bot.evaluation.theme_eval import run_theme_eval

# Measured on retrieval.jsonl (202 + 44 queries), with the question index: recall@5 0.936,
# MRR@10 0.842, off-topic rejection 1.000, on-topic answered 0.985 (evals/RESULTS.md).
HYBRID_RECALL_AT_5_FLOOR = 0.91
HYBRID_MRR_AT_10_FLOOR = 0.81
OFF_TOPIC_REJECTION_FLOOR = 0.95
ON_TOPIC_ANSWERED_FLOOR = 0.97  # the bar: no more than 3% of on-topic questions refused
# On retrieval_holdout.jsonl (22 + 6 queries, so coarse steps): measured recall@5 1.000,
# off-topic rejection 1.000 (its two misses were looked at when the everyday gate was built).
HOLDOUT_RECALL_AT_5_FLOOR = 0.95
HOLDOUT_OFF_TOPIC_REJECTION_FLOOR = 0.83
# On retrieval_holdout2.jsonl (73 + 23; seen since, so no longer blind): measured recall@5
# 0.918, MRR@10 0.725, off-topic rejection 1.000, on-topic answered 0.986.
HOLDOUT2_RECALL_AT_5_FLOOR = 0.89
HOLDOUT2_MRR_AT_10_FLOOR = 0.69
HOLDOUT2_OFF_TOPIC_REJECTION_FLOOR = 0.91
HOLDOUT2_ON_TOPIC_ANSWERED_FLOOR = 0.95
# The later held-out files, each written after a freeze (blind figures in evals/RESULTS.md);
# measured now: (recall@5, MRR@10, off-topic rejection, on-topic answered).
LATER_HOLDOUT_FLOORS = {
    "retrieval_holdout3.jsonl": (0.87, 0.78, 0.93, 0.96),  # measured 0.902 0.814 1.000 1.000
    "retrieval_holdout4.jsonl": (0.83, 0.74, 0.95, 0.96),  # measured 0.864 0.771 1.000 1.000
    "retrieval_holdout5.jsonl": (0.82, 0.76, 0.94, 0.95),  # measured 0.857 0.791 0.980 0.989
    "retrieval_holdout6.jsonl": (0.86, 0.72, 0.93, 0.96),  # measured 0.893 0.753 0.967 0.985
}
# The trained theme classifier measured 0.908 on themes.jsonl (its tuning set) and 0.956 on
# themes_holdout.jsonl (87 reflections written after it was frozen); no-theme rows 1.0 / 0.9.
THEMES_MACRO_F1_FLOOR = 0.86  # on themes.jsonl, which the detector was tuned on
THEMES_HOLDOUT_MACRO_F1_FLOOR = 0.88  # on themes_holdout.jsonl, which nobody tunes on
THEMES_HOLDOUT_NO_THEME_FLOOR = 0.85


@pytest.fixture(scope="module")
def retrieval_report(evidence_library, retrieval_cases):
    # Hybrid only: it is what users get, and the floors are on it. `ripple eval` runs all three.
    return run_retrieval_eval(evidence_library, retrieval_cases, methods=("hybrid",))


def test_hybrid_retrieval_finds_the_gold_passage_for_most_questions(retrieval_report):
    hybrid = retrieval_report.methods["hybrid"]
    assert hybrid.recall_at_5 >= HYBRID_RECALL_AT_5_FLOOR, retrieval_report.misses()
    assert hybrid.mrr_at_10 >= HYBRID_MRR_AT_10_FLOOR


def test_off_topic_questions_get_nothing_back(retrieval_report):
    hybrid = retrieval_report.methods["hybrid"]
    assert hybrid.off_topic_rejection >= OFF_TOPIC_REJECTION_FLOOR, hybrid.off_topic_answered


def test_on_topic_questions_are_rarely_refused(retrieval_report):
    hybrid = retrieval_report.methods["hybrid"]
    assert hybrid.on_topic_answered >= ON_TOPIC_ANSWERED_FLOOR, hybrid.refused


def test_hybrid_retrieval_holds_up_on_questions_nobody_tuned_on(
    evidence_library, holdout_retrieval_cases
):
    report = run_retrieval_eval(evidence_library, holdout_retrieval_cases, methods=("hybrid",))
    hybrid = report.methods["hybrid"]
    assert hybrid.recall_at_5 >= HOLDOUT_RECALL_AT_5_FLOOR, report.misses()
    assert hybrid.off_topic_rejection >= HOLDOUT_OFF_TOPIC_REJECTION_FLOOR


def test_hybrid_retrieval_on_questions_written_after_the_pipeline_was_frozen(evidence_library):
    from bot.evaluation.datasets import load_retrieval_cases
    from tests.evals.conftest import EVALS, KNOWLEDGE

    cases = load_retrieval_cases(EVALS / "retrieval_holdout2.jsonl", KNOWLEDGE)
    hybrid = run_retrieval_eval(evidence_library, cases, methods=("hybrid",)).methods["hybrid"]
    assert hybrid.recall_at_5 >= HOLDOUT2_RECALL_AT_5_FLOOR
    assert hybrid.mrr_at_10 >= HOLDOUT2_MRR_AT_10_FLOOR
    assert hybrid.off_topic_rejection >= HOLDOUT2_OFF_TOPIC_REJECTION_FLOOR, (
        hybrid.off_topic_answered
    )
    assert hybrid.on_topic_answered >= HOLDOUT2_ON_TOPIC_ANSWERED_FLOOR, hybrid.refused


@pytest.mark.parametrize("name", sorted(LATER_HOLDOUT_FLOORS))
def test_hybrid_retrieval_on_the_later_held_out_files(evidence_library, name):
    from bot.evaluation.datasets import load_retrieval_cases
    from tests.evals.conftest import EVALS, KNOWLEDGE

    recall, mrr, rejection, answered = LATER_HOLDOUT_FLOORS[name]
    cases = load_retrieval_cases(EVALS / name, KNOWLEDGE)
    hybrid = run_retrieval_eval(evidence_library, cases, methods=("hybrid",)).methods["hybrid"]
    assert hybrid.recall_at_5 >= recall
    assert hybrid.mrr_at_10 >= mrr
    assert hybrid.off_topic_rejection >= rejection, hybrid.off_topic_answered
    assert hybrid.on_topic_answered >= answered, hybrid.refused


def test_hybrid_beats_bm25_and_dense_alone_on_the_labelled_set(
    evidence_library, retrieval_cases, retrieval_report
):
    # The bar for fusing the two: it must earn its place on recall@5 and MRR@10.
    report = run_retrieval_eval(evidence_library, retrieval_cases, methods=("bm25", "dense"))
    fused = retrieval_report.methods["hybrid"]
    for method in ("bm25", "dense"):
        single = report.methods[method]
        assert fused.recall_at_5 > single.recall_at_5, method
        assert fused.mrr_at_10 > single.mrr_at_10, method


def test_every_query_is_scored_and_timed(retrieval_report, retrieval_cases):
    on_topic = sum(1 for c in retrieval_cases if not c.off_topic)
    assert len(retrieval_report.methods["hybrid"].ranks) == on_topic
    assert len(retrieval_report.latency_ms) == len(retrieval_cases)


@pytest.fixture(scope="module")
def theme_detector(embedder):
    from bot.coaching.themes import ThemeDetector

    return ThemeDetector(embedder)


def test_theme_detector_macro_f1_floor(theme_detector, theme_cases):
    report = run_theme_eval(theme_detector.detect, theme_cases)
    assert report.macro_f1 >= THEMES_MACRO_F1_FLOOR, report.errors
    # Small talk must not be read as a coaching theme.
    assert report.no_theme_correct >= 0.8


def test_theme_detector_generalises_to_the_held_out_reflections(
    theme_detector, holdout_theme_cases
):
    report = run_theme_eval(theme_detector.detect, holdout_theme_cases)
    assert report.macro_f1 >= THEMES_HOLDOUT_MACRO_F1_FLOOR, report.errors
    assert report.no_theme_correct >= THEMES_HOLDOUT_NO_THEME_FLOOR, report.errors
