"""Fuse whole ranked lists into one ranking (pure functions over score arrays).

Measured on evals/retrieval.jsonl (see evals/RESULTS.md): fusing only each list's top 20 by
reciprocal rank lost passages that one list ranked first; score fusion over every passage,
each list min-max scaled, with MiniLM (passage and best sub-passage), e5 (best sub-passage)
and BM25 weighted about equally, was best, and RRF over whole lists came close.
"""

from __future__ import annotations

import numpy as np

WEIGHTS = {
    "minilm": 0.35,
    "e5": 0.35,
    "bm25": 0.30,
    "questions_minilm": 0.30,
    "questions_e5": 0.30,
}
RRF_K = 60


def scaled(scores: np.ndarray) -> np.ndarray:
    """Min-max scaled to [0, 1] (a flat list scales to all zeros)."""
    if scores.size == 0:
        return scores
    low, high = float(scores.min()), float(scores.max())
    if high - low < 1e-9:
        return np.zeros_like(scores)
    return (scores - low) / (high - low)


def score_fusion(lists: dict[str, np.ndarray], weights: dict[str, float] = WEIGHTS) -> np.ndarray:
    """Weighted sum of min-max scaled scores; 1.0 = top of every list. BM25 is scaled by its
    maximum only, so a passage sharing no word with the question adds nothing from it."""
    total = sum(weights[name] for name in lists)
    fused = np.zeros_like(next(iter(lists.values())), dtype=np.float64)
    for name, scores in lists.items():
        if name == "bm25":
            top = float(scores.max()) if scores.size else 0.0
            part = scores / top if top > 0 else np.zeros_like(scores)
        else:
            part = scaled(scores)
        fused += weights[name] * part
    return fused / total


def rrf(rankings: list[list[int]], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal rank fusion over whole rankings, scaled so first in every list = 1.0."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, row in enumerate(ranking, start=1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (k + rank)
    best = len(rankings) / (k + 1)
    return {row: score / best for row, score in fused.items()}
