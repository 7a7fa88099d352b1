"""Run every labelled query through each retrieval method and score the rankings."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.evaluation.datasets import RetrievalCase
from bot.evaluation.metrics import (
    first_relevant_rank,
    mrr_at_k,
    percentile,
    recall_at_k,
    rejection_rate,
)

# Each stage side by side: the two single methods the issue compares against (BM25, MiniLM
# dense), the second model alone (e5), MiniLM with sub-passages, the question index alone
# (both models against each passage's indexed questions), RRF over the whole lists, and hybrid
# (score fusion of every list, BM25 also over the indexed questions), which is what users get.
METHODS = ("bm25", "dense", "e5", "dense_sub", "questions", "rrf", "hybrid")
SINGLE_METHODS = ("bm25", "dense")  # hybrid must beat each of these
TOP_K = 10  # MRR@10 needs ten results; recall@1 and @5 read the head of the same ranking
LATENCY_METHOD = "hybrid"  # the method users get, so the one whose latency we report


class Located(Protocol):
    doc: str
    start: int
    end: int


class Searcher(Protocol):
    def search(self, query: str, k: int = 5, *, method: str = "hybrid") -> Sequence[Located]: ...


@dataclass
class MethodScores:
    method: str
    recall_at_1: float
    recall_at_5: float
    mrr_at_10: float
    off_topic_rejection: float  # off-topic queries answered with nothing
    on_topic_answered: float  # on-topic queries answered with something (the floor's cost)
    ranks: dict[str, int | None] = field(default_factory=dict)  # query id -> first relevant rank
    refused: list[str] = field(default_factory=list)  # on-topic query ids answered with nothing
    # off-topic category ("off-topic: writing task") -> (queries turned away, queries)
    off_topic_by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)
    off_topic_answered: list[str] = field(default_factory=list)  # off-topic ids given passages


@dataclass
class RetrievalReport:
    methods: dict[str, MethodScores]
    on_topic: int
    off_topic: int
    latency_ms: list[float]  # warm, one per query, LATENCY_METHOD only

    @property
    def latency_median_ms(self) -> float:
        return percentile(self.latency_ms, 50)

    @property
    def latency_p95_ms(self) -> float:
        return percentile(self.latency_ms, 95)

    def hybrid_beats_singles(self) -> bool:
        hybrid = self.methods.get("hybrid")
        singles = [m for name, m in self.methods.items() if name in SINGLE_METHODS]
        if hybrid is None or not singles:
            return False
        return all(
            hybrid.recall_at_5 > m.recall_at_5 and hybrid.mrr_at_10 > m.mrr_at_10 for m in singles
        )

    def misses(self, method: str = "hybrid", k: int = 5) -> list[str]:
        ranks = self.methods[method].ranks
        return [qid for qid, rank in ranks.items() if rank is None or rank > k]

    def to_json(self) -> dict:
        return {
            "queries": {"on_topic": self.on_topic, "off_topic": self.off_topic},
            "k": TOP_K,
            "methods": {
                name: {
                    "recall@1": round(m.recall_at_1, 4),
                    "recall@5": round(m.recall_at_5, 4),
                    "mrr@10": round(m.mrr_at_10, 4),
                    "off_topic_rejection": round(m.off_topic_rejection, 4),
                    "on_topic_answered": round(m.on_topic_answered, 4),
                    "on_topic_refused": m.refused,
                    "off_topic_answered": m.off_topic_answered,
                    "off_topic_by_kind": {k: list(v) for k, v in m.off_topic_by_kind.items()},
                }
                for name, m in self.methods.items()
            },
            "latency_ms": {
                "method": LATENCY_METHOD,
                "median": round(self.latency_median_ms, 1),
                "p95": round(self.latency_p95_ms, 1),
                "queries": len(self.latency_ms),
            },
            "hybrid_beats_singles": self.hybrid_beats_singles(),
            "hybrid_misses_at_5": self.misses() if "hybrid" in self.methods else [],
            # First relevant rank per on-topic query and method (null: none in the top k).
            "ranks": {
                qid: {name: m.ranks[qid] for name, m in self.methods.items()}
                for qid in next(iter(self.methods.values())).ranks
            }
            if self.methods
            else {},
        }


def score_method(
    method: str,
    cases: Sequence[RetrievalCase],
    results: dict[str, Sequence[Located]],
) -> MethodScores:
    on_topic = [c for c in cases if not c.off_topic]
    off_topic = [c for c in cases if c.off_topic]
    ranks = {
        c.id: first_relevant_rank([(p.doc, p.start, p.end) for p in results[c.id]], c.gold_spans())
        for c in on_topic
    }
    ordered = [ranks[c.id] for c in on_topic]
    by_kind: dict[str, tuple[int, int]] = {}
    for c in off_topic:
        kind = _kind(c.topic)
        rejected, total = by_kind.get(kind, (0, 0))
        by_kind[kind] = (rejected + (not results[c.id]), total + 1)
    return MethodScores(
        method=method,
        recall_at_1=recall_at_k(ordered, 1),
        recall_at_5=recall_at_k(ordered, 5),
        mrr_at_10=mrr_at_k(ordered, TOP_K),
        off_topic_rejection=rejection_rate([len(results[c.id]) for c in off_topic]),
        on_topic_answered=1.0 - rejection_rate([len(results[c.id]) for c in on_topic]),
        ranks=ranks,
        refused=[c.id for c in on_topic if not results[c.id]],
        off_topic_by_kind=dict(sorted(by_kind.items())),
        off_topic_answered=[c.id for c in off_topic if results[c.id]],
    )


def _kind(topic: str) -> str:
    """ "off-topic: writing task" -> "writing task"; a bare "off-topic" -> "everyday"."""
    _, _, kind = topic.partition(":")
    return kind.strip() or "everyday"


def run_retrieval_eval(
    library: Searcher, cases: Sequence[RetrievalCase], methods: Sequence[str] = METHODS
) -> RetrievalReport:
    scores: dict[str, MethodScores] = {}
    latency_ms: list[float] = []
    # The timed method runs first: the library remembers question vectors, so a later run
    # over the same questions would be timed without embedding them.
    timed_first = sorted(methods, key=lambda m: m != LATENCY_METHOD)
    for method in timed_first:
        # One untimed query first, so caches (BM25 index, model, Chroma) are warm.
        library.search(cases[0].query, k=TOP_K, method=method)
        results: dict[str, Sequence[Located]] = {}
        for case in cases:
            started = time.perf_counter()
            results[case.id] = library.search(case.query, k=TOP_K, method=method)
            if method == LATENCY_METHOD:
                latency_ms.append((time.perf_counter() - started) * 1000)
        scores[method] = score_method(method, cases, results)
    return RetrievalReport(
        methods={m: scores[m] for m in methods},
        on_topic=sum(1 for c in cases if not c.off_topic),
        off_topic=sum(1 for c in cases if c.off_topic),
        latency_ms=latency_ms,
    )
