"""The evidence library: ingest `knowledge/` and answer questions with cited passages.

A question passes three stages (see evals/RESULTS.md for what each one earns):

1. the request gate (`gate.py`) turns away what the library is never for (admin, writing,
   live facts, someone's journal, topics it does not cover) and normalises first-person and
   informal phrasing;
2. the relevance floor (`relevance.py`): MiniLM and e5 similarity of the question without its
   place names, backed by lexical evidence, so "what's the weather in Leeds" gets nothing;
3. ranking: every passage is scored by BM25, by MiniLM (half on the passage, half on its best
   ~300-character sub-passage) and by e5 on its best sub-passage; the three whole lists are
   fused by score (`fusion.py`). The floor is shared by every method, so `ripple eval`
   compares them fairly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import Literal

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.config import Settings
from bot.evidence.coverage import Coverage
from bot.evidence.embeddings import E5Embedder
from bot.evidence.errors import EmptyQuery, EvidenceError, EvidenceUnavailable
from bot.evidence.fusion import rrf, score_fusion
from bot.evidence.gate import RequestGate, normalise
from bot.evidence.ingest import IngestReport, run_ingest
from bot.evidence.lexical import LexicalIndex
from bot.evidence.passage import Passage
from bot.evidence.questions import (
    CURATED_FILE,
    QuestionIndex,
    QuestionWriter,
    build_writer,
    question_index,
)
from bot.evidence.relevance import (
    QUESTION_MATCH,
    STRONG_RELEVANCE,
    Verdict,
    has_topic,
    relevance,
    topic_words,
)
from bot.evidence.result import SearchResult
from bot.evidence.sources import Manifest, load_manifest
from bot.evidence.store import StoredChunk, VectorStore
from bot.evidence.uncovered import UncoveredTopics
from bot.evidence.vectors import (
    MINILM_QUESTIONS_SEED_FILE,
    MINILM_SEED_FILE,
    QUESTIONS_E5,
    QUESTIONS_MINILM,
    QUESTIONS_SEED_FILE,
    SEED_FILE,
    SUB_E5,
    SUB_MINILM,
    PassageVectors,
    load_seed,
    sync_questions,
    sync_sub_passages,
)

Method = Literal["hybrid", "bm25", "dense", "e5", "dense_sub", "questions", "rrf"]
# hybrid is what users get; the others are its stages, kept so `ripple eval` can show each.
METHODS: tuple[str, ...] = ("hybrid", "bm25", "dense", "e5", "dense_sub", "questions", "rrf")

QUERY_CACHE = 1024  # question vectors remembered per model (a few MB)
PASSAGE_FLOOR = 0.15  # a passage this far from the question is noise even if words match


class EvidenceLibrary:
    def __init__(
        self,
        settings: Settings,
        embedder: Embeddings,
        second: Embeddings | None = None,
        *,
        question_writer: QuestionWriter | None = None,
    ) -> None:
        """`question_writer`: writes the question index for passages `questions.yaml` does
        not cover; by default the chat model `RIPPLE_LLM` names, if any."""
        self.settings = settings
        self.question_writer = question_writer
        self.embedder = embedder
        self.second = second or E5Embedder()
        self.store = VectorStore(settings, embedder)
        self.sub_store = VectorStore(settings, embedder, SUB_MINILM)
        self.e5_store = VectorStore(settings, self.second, SUB_E5)
        self.questions_store = VectorStore(settings, embedder, QUESTIONS_MINILM)
        self.questions_e5_store = VectorStore(settings, self.second, QUESTIONS_E5)
        self.gate = RequestGate(settings.prompts_dir, embedder)
        self._chunks: dict[str, StoredChunk] | None = None
        self._lexical: tuple[LexicalIndex, LexicalIndex] | None = None
        self._vectors: PassageVectors | None = None
        self._names: Coverage | None = None
        self._topics: UncoveredTopics | None = None
        self._questions: dict[str, list[str]] | None = None
        self._query_vectors: dict[tuple[int, str], list[float]] = {}
        self._checked_ingested = False
        # Slack handlers search from worker threads; build the lazy indexes once, not per thread.
        self._lock = threading.RLock()

    @cached_property
    def sources(self) -> Manifest:
        return load_manifest(self.settings.knowledge_dir)

    # --- indexing -----------------------------------------------------------------------

    def ingest(self, *, write_questions: bool = True) -> IngestReport:
        """Index `knowledge/`. With `RIPPLE_LLM` set (and `write_questions`), the chat model
        writes the question index for passages `knowledge/questions.yaml` does not cover."""
        with self._lock:
            started = time.perf_counter()
            manifest = load_manifest(self.settings.knowledge_dir)
            self.__dict__["sources"] = manifest  # refresh the cached manifest
            model_path = str(getattr(self.embedder, "model_path", type(self.embedder).__name__))
            report = run_ingest(self.settings.knowledge_dir, manifest, self.store, model_path)
            self._forget()  # the lexical index and vectors are rebuilt from the store
            chunks = self._chunk_list()
            folder = self.settings.knowledge_dir
            minilm_seed = load_seed(folder / MINILM_SEED_FILE, model_id(self.embedder))
            sync_sub_passages(self.sub_store, chunks, minilm_seed)
            e5_seed = load_seed(folder / SEED_FILE, model_id(self.second))
            sync_sub_passages(self.e5_store, chunks, e5_seed)
            questions = self._question_index(chunks, write_questions)
            report.warnings.extend(questions.problems)
            report.questions = sum(len(q) for q in questions.by_passage.values())
            pairs = questions.questions()
            seed = load_seed(folder / MINILM_QUESTIONS_SEED_FILE, model_id(self.embedder))
            sync_questions(self.questions_store, pairs, seed)
            seed = load_seed(folder / QUESTIONS_SEED_FILE, model_id(self.second))
            sync_questions(self.questions_e5_store, pairs, seed)
            self._forget()
            self._checked_ingested = True
            report.seconds = time.perf_counter() - started  # passages, windows and questions
            return report

    def ensure_ingested(self) -> IngestReport | None:
        """Ingest if the index is empty (first run); otherwise do nothing and return None."""
        with self._lock:
            if self._checked_ingested:
                return None
            empty = self.store.count() == 0 or self.e5_store.count() == 0
            # An index from before the question index existed: add the questions once.
            curated = (self.settings.knowledge_dir / CURATED_FILE).is_file()
            empty = empty or (curated and self.questions_e5_store.count() == 0)
            report = self.ingest() if empty else None
            self._checked_ingested = True
            return report

    def _question_index(self, chunks: list[StoredChunk], write: bool) -> QuestionIndex:
        writer = (self.question_writer or build_writer(self.settings)) if write else None
        return question_index(self.settings.knowledge_dir, self.settings.data_dir, chunks, writer)

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
        return self.explain(query, k, docs=docs, places=places, method=method).passages

    def explain(
        self,
        query: str,
        k: int = 5,
        *,
        docs: Sequence[str] | None = None,
        places: Sequence[str] | None = None,
        method: Method = "hybrid",
    ) -> SearchResult:
        """`search`, with the verdict (strong / weak / none) and why nothing was found."""
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
        self._check_fresh()

        asked = normalise(text)
        minilm = self._embed(self.embedder, asked)
        # "Plymouth" alone asks what the library says of Plymouth; the floor knows places, the
        # classifier (which reads it as an everyday request) does not.
        place_only = not has_topic(topic_words(asked, self.sources.place_matcher()))
        gate = self.gate.check(text, minilm, classify=not place_only)
        # A question that turns on a name the library never uses hears that name said back.
        named = gate.allowed or gate.kind == "uncovered"
        if named and (name := self._coverage().unknown_name(text)):
            gate = self.gate.uncovered(name)
        elif named and (topic := self._uncovered_topics().match(text)):
            gate = self.gate.uncovered(topic, covers=True)
        if not gate.allowed:
            return SearchResult([], "none", f"request:{gate.kind}", gate.message)
        e5 = self._embed(self.second, asked)
        vectors = self._passage_vectors()
        if not vectors.ids:
            return SearchResult([], "none", "floor")
        verdict, topical = self._judge(asked, minilm, e5, vectors)
        if not verdict.on_topic:
            return SearchResult([], "none", "floor")

        allowed = self._allowed_rows(vectors.ids, doc_filter, place_filter)
        lexical = self._lexical_index(questions=method != "bm25").scores(asked)
        bm25 = np.asarray([lexical.get(i, 0.0) for i in vectors.ids])
        scores = self._rank(method, minilm, e5, bm25, vectors)
        ranked = sorted(allowed, key=lambda row: scores.get(row, -np.inf), reverse=True)

        passages: list[Passage] = []
        for row in ranked:
            if row not in scores or (method == "bm25" and bm25[row] <= 0):
                continue
            fit = float(topical[row])
            if fit < PASSAGE_FLOOR:
                continue
            strength = "strong" if fit >= STRONG_RELEVANCE else "weak"
            passages.append(self._passage(vectors.ids[row], scores[row], fit, strength, bm25[row]))
            if len(passages) == k:
                break
        if not passages:
            return SearchResult([], "none", "floor")
        return SearchResult(passages, passages[0].extra["strength"])

    def judge(self, query: str) -> Verdict:
        """Whether the library is about this question at all (the relevance floor)."""
        asked = normalise(prepare_query(query, self.settings.max_query_chars))
        self.ensure_ingested()
        minilm = self.embedder.embed_query(asked)
        e5 = self.second.embed_query(asked)
        return self._judge(asked, minilm, e5, self._passage_vectors())[0]

    def _judge(
        self, text: str, minilm: list[float], e5: list[float], vectors: PassageVectors
    ) -> tuple[Verdict, np.ndarray]:
        """The floor's verdict, and each passage's calibrated relevance to the topic words."""
        matcher = self.sources.place_matcher()
        topic = topic_words(text, matcher)
        if not has_topic(topic):
            # Only place names ("Barnet"): on topic if the library discusses the place.
            named = set(matcher.find(text))
            rows = [
                i
                for i, c in enumerate(self._chunks_in(vectors.ids))
                if named & set(c.meta.get("places", "").split("|"))
            ]
            fit = np.zeros(len(vectors.ids))
            fit[rows] = STRONG_RELEVANCE
            return Verdict(on_topic=bool(rows), similarity=0.0, lexical=0.0), fit
        if topic != text:
            minilm = self._embed(self.embedder, topic)
            e5 = self._embed(self.second, topic)
        sub = np.maximum(vectors.best_sub_minilm(minilm), vectors.passage_similarity(minilm))
        fit = relevance(sub, vectors.best_sub_e5(e5))
        asked = relevance(vectors.best_question_minilm(minilm), vectors.best_question_e5(e5))
        lexical = self._lexical_index().scores(topic)
        best_lexical = max(lexical.values(), default=0.0)
        verdict = Verdict.judge(float(fit.max()), best_lexical, float(asked.max(initial=-1.0)))
        # A passage whose own indexed question matches closely answers it, in whatever words.
        return verdict, np.where(asked >= QUESTION_MATCH, np.maximum(fit, asked), fit)

    def _rank(
        self,
        method: str,
        minilm: list[float],
        e5: list[float],
        bm25: np.ndarray,
        vectors: PassageVectors,
    ) -> dict[int, float]:
        dense = vectors.passage_similarity(minilm)
        if method == "dense":
            return dict(enumerate(map(float, dense)))
        if method == "bm25":
            return dict(enumerate(map(float, bm25)))
        e5_sub = vectors.best_sub_e5(e5)
        if method == "e5":
            return dict(enumerate(map(float, e5_sub)))
        dense_sub = 0.5 * dense + 0.5 * vectors.best_sub_minilm(minilm)
        if method == "dense_sub":
            return dict(enumerate(map(float, dense_sub)))
        # A passage with no indexed question competes on its own best window instead.
        asked_minilm = _or(vectors.best_question_minilm(minilm), dense_sub)
        asked_e5 = _or(vectors.best_question_e5(e5), e5_sub)
        if method == "questions":
            return dict(enumerate(map(float, 0.5 * asked_minilm + 0.5 * asked_e5)))
        if method == "rrf":
            lists = [dense_sub, e5_sub, asked_minilm, asked_e5]
            rankings = [[int(r) for r in np.argsort(-scores)] for scores in lists]
            rankings.append([int(r) for r in np.argsort(-bm25) if bm25[r] > 0])
            return rrf(rankings)
        fused = score_fusion(
            {
                "minilm": dense_sub,
                "e5": e5_sub,
                "bm25": bm25,
                "questions_minilm": asked_minilm,
                "questions_e5": asked_e5,
            }
        )
        return dict(enumerate(map(float, fused)))

    # --- helpers ------------------------------------------------------------------------

    def _embed(self, model: Embeddings, text: str) -> list[float]:
        """A question's vector, remembered: a team often re-asks, and a search with a filter or
        another method (`ripple eval`) re-embeds the same words."""
        key = (id(model), text)
        vector = self._query_vectors.get(key)
        if vector is None:
            vector = model.embed_query(text)
            with self._lock:
                if len(self._query_vectors) >= QUERY_CACHE:
                    self._query_vectors.clear()
                self._query_vectors[key] = vector
        return vector

    def _check_fresh(self) -> None:
        """Another replica re-ingested into a shared Chroma server: rebuild our copies.

        One cheap id listing per search (passage ids encode document and span, so a re-chunked
        document changes them); the in-memory vectors and BM25 follow the store."""
        with self._lock:
            if self._chunks is not None and set(self.store.ids()) != self._chunks.keys():
                self._forget()

    def _forget(self) -> None:
        with self._lock:
            self._chunks = None
            self._lexical = None
            self._vectors = None
            self._names = None
            self._topics = None
            self._questions = None

    def _passage_vectors(self) -> PassageVectors:
        with self._lock:
            if self._vectors is None:
                self._all_chunks()
                self._vectors = PassageVectors.load(
                    self.store,
                    self.sub_store,
                    self.e5_store,
                    self.questions_store,
                    self.questions_e5_store,
                )
            return self._vectors

    def _chunks_in(self, ids: Iterable[str]) -> list[StoredChunk]:
        chunks = self._all_chunks()
        return [chunks[i] for i in ids]

    def _chunk_list(self) -> list[StoredChunk]:
        return list(self._all_chunks().values())

    def _passage(
        self, chunk_id: str, score: float, fit: float, strength: str, bm25: float
    ) -> Passage:
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
            # relevance: calibrated fit of this passage to the question (see relevance.py);
            # strength: "strong" answers closely, "weak" is on topic but loose (thin evidence).
            extra={
                "relevance": round(fit, 4),
                "similarity": round(fit, 4),
                "strength": strength,
                "bm25": round(float(bm25), 4),
            },
        )

    def _all_chunks(self) -> dict[str, StoredChunk]:
        with self._lock:
            if self._chunks is None:
                self._chunks = {c.id: c for c in self.store.all_chunks()}
            return self._chunks

    def _lexical_index(self, *, questions: bool = False) -> LexicalIndex:
        """BM25 over each passage with its section title and place names ("Barnet budgets");
        with `questions`, over its indexed questions too ("get GPs on board")."""
        with self._lock:
            if self._lexical is None:
                chunks = list(self._all_chunks().values())
                asked = self._indexed_questions()
                ids = [c.id for c in chunks]
                texts = [
                    " ".join((c.meta.get("section", ""), c.meta.get("places", ""), c.text))
                    for c in chunks
                ]
                pairs = zip(texts, ids, strict=True)
                extended = [f"{t} {' '.join(asked.get(i, ()))}" for t, i in pairs]
                self._lexical = (LexicalIndex(ids, texts), LexicalIndex(ids, extended))
            return self._lexical[1 if questions else 0]

    def _coverage(self) -> Coverage:
        """The names the indexed passages (and their questions) use."""
        with self._lock:
            if self._names is None:
                texts = self._passage_texts()
                texts += [q for qs in self._indexed_questions().values() for q in qs]
                self._names = Coverage(texts, self.gate.known_acronyms)
            return self._names

    def _uncovered_topics(self) -> UncoveredTopics:
        """The public-service topics the passages never touch (uncovered.py)."""
        with self._lock:
            if self._topics is None:
                texts = self._passage_texts()
                self._topics = UncoveredTopics.load(self.settings.prompts_dir, texts)
            return self._topics

    def _passage_texts(self) -> list[str]:
        """Each passage with its section title: what the library itself says."""
        return [f"{c.meta.get('section', '')}\n{c.text}" for c in self._chunk_list()]

    def _indexed_questions(self) -> dict[str, list[str]]:
        """Each passage's indexed questions, read from the store once per index build (BM25
        and the coverage names both want them)."""
        with self._lock:
            if self._questions is None:
                by_passage: dict[str, list[str]] = {}
                for row in self.questions_store.all_chunks():
                    by_passage.setdefault(row.meta.get("parent", ""), []).append(row.text)
                self._questions = by_passage
            return self._questions

    def _allowed_rows(self, ids: list[str], docs: list[str], places: list[str]) -> list[int]:
        allowed = []
        for row, chunk in enumerate(self._chunks_in(ids)):
            if docs and chunk.meta.get("doc") not in docs:
                continue
            if places and not set(chunk.meta.get("places", "").split("|")) & set(places):
                continue
            allowed.append(row)
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


def _or(scores: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """`scores`, with `fallback` where a passage has none (-1)."""
    return np.where(scores < -0.5, fallback, scores)


def model_id(model: Embeddings) -> str:
    """Which model made a vector: the bundled path's last two parts, else the class name."""
    path = str(getattr(model, "model_path", type(model).__name__))
    return "/".join(path.replace("\\", "/").rstrip("/").split("/")[-2:])


def prepare_query(query: str, max_chars: int) -> str:
    """Trim the question; cut an over-long one at a word boundary so the model sees its start."""
    text = " ".join((query or "").split())
    if not text:
        raise EmptyQuery()
    if len(text) > max_chars:
        cut = text.rfind(" ", 0, max_chars + 1)
        text = text[: cut if cut > max_chars // 2 else max_chars]
    return text


__all__ = [
    "METHODS",
    "EvidenceLibrary",
    "IngestReport",
    "Method",
    "SearchResult",
    "prepare_query",
]
