"""The evidence library: ingest `knowledge/` and answer questions with cited passages.

Search is hybrid: BM25 and dense (cosine) rankings fused by reciprocal rank fusion. A
relevance floor (`relevance.py`: dense similarity of the question without its place names,
backed by lexical evidence) keeps off-topic questions ("what's the weather in Leeds") from
returning noise. The floor is shared by every method, so `ripple eval` compares them fairly.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import Literal

from langchain_core.embeddings import Embeddings

from bot.config import Settings
from bot.evidence.errors import EmptyQuery, EvidenceError, EvidenceUnavailable
from bot.evidence.ingest import IngestReport, run_ingest
from bot.evidence.lexical import LexicalIndex
from bot.evidence.passage import Passage
from bot.evidence.relevance import Verdict, has_topic, topic_words
from bot.evidence.sources import Manifest, load_manifest
from bot.evidence.store import DenseHit, StoredChunk, VectorStore

Method = Literal["hybrid", "bm25", "dense"]
METHODS: tuple[str, ...] = ("hybrid", "bm25", "dense")

PASSAGE_FLOOR = 0.10  # a passage this far from the question is noise even if words match
RRF_K = 60  # the usual reciprocal-rank-fusion constant; damps the head of each list
FUSE_DEPTH = 20  # only each list's head is fused: deep tails agreeing by chance is not evidence
DENSE_CANDIDATES = 60


class EvidenceLibrary:
    def __init__(self, settings: Settings, embedder: Embeddings) -> None:
        self.settings = settings
        self.embedder = embedder
        self.store = VectorStore(settings, embedder)
        self._chunks: dict[str, StoredChunk] | None = None
        self._lexical: LexicalIndex | None = None
        self._checked_ingested = False
        # Slack handlers search from worker threads; build the lazy indexes once, not per thread.
        self._lock = threading.RLock()

    @cached_property
    def sources(self) -> Manifest:
        return load_manifest(self.settings.knowledge_dir)

    # --- indexing -----------------------------------------------------------------------

    def ingest(self) -> IngestReport:
        with self._lock:
            manifest = load_manifest(self.settings.knowledge_dir)
            self.__dict__["sources"] = manifest  # refresh the cached manifest
            model_id = str(getattr(self.embedder, "model_path", type(self.embedder).__name__))
            report = run_ingest(self.settings.knowledge_dir, manifest, self.store, model_id)
            self._chunks = None  # the lexical index is rebuilt from the store on next search
            self._lexical = None
            self._checked_ingested = True
            return report

    def ensure_ingested(self) -> IngestReport | None:
        """Ingest if the index is empty (first run); otherwise do nothing and return None."""
        with self._lock:
            if self._checked_ingested:
                return None
            report = self.ingest() if self.store.count() == 0 else None
            self._checked_ingested = True
            return report

    # --- searching ----------------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        docs: Sequence[str] | None = None,
        places: Sequence[str] | None = None,
        method: Method = "hybrid",
    ) -> list[Passage]:
        """The best passages for a question, best first; [] when the library has nothing on it.

        Raises `EmptyQuery` (a ValueError) for an empty question, ValueError for an unknown
        method, document or place, and `EvidenceUnavailable` when a Chroma server is down.
        """
        text = prepare_query(query, self.settings.max_query_chars)
        if method not in METHODS:
            raise ValueError(f"Unknown search method {method!r}; use one of {', '.join(METHODS)}.")
        k = max(1, int(k))
        doc_filter = self._resolve_docs(docs or ())
        place_filter = self._resolve_places(places or ())
        try:
            self.ensure_ingested()
        except EvidenceError as exc:  # e.g. a broken sources.yaml on first run: nothing to search
            raise EvidenceUnavailable(str(exc)) from exc

        vector = self.embedder.embed_query(text)
        dense = self.store.search(
            vector, max(DENSE_CANDIDATES, 10 * k), docs=doc_filter, places=place_filter
        )
        self._refresh_if_stale(hit.id for hit in dense)
        lexical = self._lexical_index().scores(text)
        unfiltered_best = None if doc_filter or place_filter else (dense[:1], lexical)
        if not dense or not self._judge(text, vector, unfiltered_best).on_topic:
            return []
        similarity = {hit.id: hit.similarity for hit in dense}
        unknown_similarity = dense[-1].similarity  # everything else is at most this close

        allowed = self._allowed_ids(doc_filter, place_filter)
        lexical_ranked = sorted(
            (i for i in lexical if i in allowed), key=lambda i: lexical[i], reverse=True
        )
        dense_ranked = [hit.id for hit in dense]

        if method == "dense":
            ranked = [(i, similarity[i]) for i in dense_ranked]
        elif method == "bm25":
            ranked = [(i, lexical[i]) for i in lexical_ranked]
        else:
            ranked = _fuse(dense_ranked[:FUSE_DEPTH], lexical_ranked[:FUSE_DEPTH])

        passages: list[Passage] = []
        for chunk_id, score in ranked:
            sim = similarity.get(chunk_id, unknown_similarity)
            if sim < PASSAGE_FLOOR:
                continue
            passages.append(self._passage(chunk_id, score, sim, lexical.get(chunk_id, 0.0)))
            if len(passages) == k:
                break
        return passages

    def judge(self, query: str) -> Verdict:
        """Whether the library is about this question at all (the relevance floor)."""
        text = prepare_query(query, self.settings.max_query_chars)
        return self._judge(text, self.embedder.embed_query(text), None)

    def _judge(
        self,
        text: str,
        vector: list[float],
        unfiltered: tuple[list[DenseHit], dict[str, float]] | None,
    ) -> Verdict:
        """`unfiltered`: the unfiltered dense head and BM25 scores of `text`, when at hand."""
        matcher = self.sources.place_matcher()
        topic = topic_words(text, matcher)
        if not has_topic(topic):
            # Only place names ("Barnet"): on topic if the library discusses the place.
            named = set(matcher.find(text))
            known = any(
                named & set(c.meta.get("places", "").split("|")) for c in self._chunk_list()
            )
            return Verdict(on_topic=known, similarity=0.0, lexical=0.0)
        if topic == text and unfiltered is not None:
            best, lexical = unfiltered
        else:
            if topic != text:
                vector = self.embedder.embed_query(topic)
            best = self.store.search(vector, 1)
            lexical = self._lexical_index().scores(topic)
        return Verdict.judge(
            best[0].similarity if best else 0.0, max(lexical.values(), default=0.0)
        )

    # --- helpers ------------------------------------------------------------------------

    def _refresh_if_stale(self, ids: Iterable[str]) -> None:
        """Another replica re-ingested into a shared Chroma server: rebuild our BM25 copy."""
        with self._lock:
            known = self._all_chunks()
            if any(i not in known for i in ids):
                self._chunks = None
                self._lexical = None

    def _chunk_list(self) -> list[StoredChunk]:
        return list(self._all_chunks().values())

    def _passage(self, chunk_id: str, score: float, similarity: float, bm25: float) -> Passage:
        chunk = self._all_chunks()[chunk_id]
        meta = chunk.meta
        source = self.sources.by_file(meta.get("doc", ""))
        return Passage(
            doc=meta.get("doc", ""),
            title=source.title if source else meta.get("title", ""),
            section=meta.get("section", ""),
            places=tuple(p for p in meta.get("places", "").split("|") if p),
            start=int(meta.get("start", 0)),
            end=int(meta.get("end", 0)),
            text=chunk.text,
            score=round(float(score), 4),
            doc_id=meta.get("doc_id", ""),
            section_places=tuple(p for p in meta.get("section_places", "").split("|") if p),
            extra={"similarity": round(similarity, 4), "bm25": round(bm25, 4)},
        )

    def _all_chunks(self) -> dict[str, StoredChunk]:
        with self._lock:
            if self._chunks is None:
                self._chunks = {c.id: c for c in self.store.all_chunks()}
            return self._chunks

    def _lexical_index(self) -> LexicalIndex:
        with self._lock:
            return self._build_lexical_index()

    def _build_lexical_index(self) -> LexicalIndex:
        if self._lexical is None:
            chunks = list(self._all_chunks().values())
            # Section titles and place names are searchable words too ("Barnet budgets").
            texts = [
                " ".join((c.meta.get("section", ""), c.meta.get("places", ""), c.text))
                for c in chunks
            ]
            self._lexical = LexicalIndex([c.id for c in chunks], texts)
        return self._lexical

    def _allowed_ids(self, docs: list[str], places: list[str]) -> set[str]:
        allowed = set()
        for chunk_id, chunk in self._all_chunks().items():
            if docs and chunk.meta.get("doc") not in docs:
                continue
            if places and not set(chunk.meta.get("places", "").split("|")) & set(places):
                continue
            allowed.add(chunk_id)
        return allowed

    def _resolve_docs(self, docs: Sequence[str]) -> list[str]:
        resolved = []
        for name in docs:
            file = self.sources.resolve_doc(name)
            if file is None:
                known = ", ".join(f"{s.id} ({s.file})" for s in self.sources.sources)
                raise ValueError(f"There is no document called {name!r}. Known: {known}.")
            resolved.append(file)
        return resolved

    def _resolve_places(self, places: Sequence[str]) -> list[str]:
        matcher = self.sources.place_matcher()
        resolved = []
        for name in places:
            canonical = matcher.resolve(name)
            if canonical is None:
                known = ", ".join(sorted(matcher.canonical_names))
                raise ValueError(f"The library knows no place called {name!r}. Known: {known}.")
            resolved.append(canonical)
        return resolved


def prepare_query(query: str, max_chars: int) -> str:
    """Trim the question; cut an over-long one at a word boundary so the model sees its start."""
    text = " ".join((query or "").split())
    if not text:
        raise EmptyQuery()
    if len(text) > max_chars:
        cut = text.rfind(" ", 0, max_chars + 1)
        text = text[: cut if cut > max_chars // 2 else max_chars]
    return text


def _fuse(*rankings: list[str]) -> list[tuple[str, float]]:
    """Reciprocal rank fusion, scaled so a passage ranked first by every list scores 1.0."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, chunk_id in enumerate(ranking, start=1):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
    best = len(rankings) / (RRF_K + 1)
    return sorted(((i, s / best) for i, s in fused.items()), key=lambda p: p[1], reverse=True)


__all__ = ["METHODS", "EvidenceLibrary", "IngestReport", "Method", "prepare_query"]
