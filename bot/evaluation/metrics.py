"""Pure metric functions: no model, no store, so they can be checked on hand-made inputs.

A ranked hit and a gold span are both (doc, start, end) with [start, end) character offsets.
A hit is relevant when it overlaps any gold span of the same document.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

Span = tuple[str, int, int]


def overlaps(hit: Span, gold: Span) -> bool:
    return hit[0] == gold[0] and hit[1] < gold[2] and gold[1] < hit[2]


def is_relevant(hit: Span, gold: Iterable[Span]) -> bool:
    return any(overlaps(hit, g) for g in gold)


def first_relevant_rank(ranking: Sequence[Span], gold: Collection[Span]) -> int | None:
    """1-based rank of the first relevant hit, or None if no hit is relevant."""
    for rank, hit in enumerate(ranking, 1):
        if is_relevant(hit, gold):
            return rank
    return None


def recall_at_k(ranks: Sequence[int | None], k: int) -> float:
    """Share of queries with a relevant hit in the top k (each query has one information need,
    and any gold quote answers it, so this is the hit rate)."""
    if not ranks:
        return 0.0
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def mrr_at_k(ranks: Sequence[int | None], k: int) -> float:
    """Mean reciprocal rank, counting only ranks within the top k."""
    if not ranks:
        return 0.0
    return sum(1.0 / r for r in ranks if r is not None and r <= k) / len(ranks)


def rejection_rate(result_counts: Sequence[int]) -> float:
    """Share of queries that got no results at all (wanted for off-topic queries)."""
    if not result_counts:
        return 0.0
    return sum(1 for n in result_counts if n == 0) / len(result_counts)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float
    support: int  # how many gold rows carry the label


def prf(true_positives: int, false_positives: int, false_negatives: int) -> PRF:
    predicted = true_positives + false_positives
    actual = true_positives + false_negatives
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PRF(precision, recall, f1, actual)


def per_label_prf(
    gold: Sequence[Collection[str]], predicted: Sequence[Collection[str]], labels: Sequence[str]
) -> dict[str, PRF]:
    """Multi-label precision/recall/F1 for each label, counting each row once per label."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted must have one entry per row")
    scores: dict[str, PRF] = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if label in g and label in p)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if label not in g and label in p)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if label in g and label not in p)
        scores[label] = prf(tp, fp, fn)
    return scores


def macro_f1(scores: dict[str, PRF]) -> float:
    return sum(s.f1 for s in scores.values()) / len(scores) if scores else 0.0
