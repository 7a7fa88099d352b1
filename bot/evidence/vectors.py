"""Exact in-memory scoring over every passage: MiniLM on passages and sub-passages, e5 on
sub-passages.

The library is small (hundreds of passages), so scoring all of them with one matrix product
costs well under a millisecond and lets fusion see whole lists, not just each list's head.
Chroma stays the store of record (and what replicas share); these matrices are read from it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.evidence.store import StoredChunk, VectorStore
from bot.evidence.subpassages import sub_passages

SUB_MINILM = "_sub_minilm"  # collection suffixes beside the passage collection
SUB_E5 = "_sub_e5"
QUESTIONS_MINILM = "_questions_minilm"  # the question index (questions.py), one per model
QUESTIONS_E5 = "_questions_e5"


# e5 is the slow model at ingest (about 35 s for the bundled library on an idle 2-core
# machine). Its sub-passage vectors for the bundled documents ship beside them, keyed by the
# text's hash, so a fresh install or a test session embeds only text it has never seen.
SEED_FILE = ".e5-subpassages.npz"
MINILM_SEED_FILE = ".minilm-subpassages.npz"  # used only when the bundled MiniLM is configured
QUESTIONS_SEED_FILE = ".e5-questions.npz"  # the curated questions' vectors, likewise
MINILM_QUESTIONS_SEED_FILE = ".minilm-questions.npz"


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def load_seed(path: Path | None, model: str) -> dict[str, np.ndarray]:
    """Seed vectors by text key, if the file exists and was made by `model`."""
    if path is None or not path.is_file():
        return {}
    try:
        with np.load(path) as data:
            if str(data["model"]) != model:
                return {}
            return dict(zip(data["keys"].tolist(), data["vectors"].astype(np.float32), strict=True))
    except (OSError, ValueError, KeyError):
        return {}  # a damaged seed only costs time: everything is embedded afresh


def write_seed(store: VectorStore, path: Path, model: str) -> int:
    """Write every vector `store` holds as a seed file; returns how many."""
    _, vectors, _ = store.vectors()
    texts = store.all_chunks()
    keys = np.asarray([text_key(c.text) for c in texts])
    vectors16 = np.asarray(vectors, dtype=np.float16)
    np.savez_compressed(path, keys=keys, vectors=vectors16, model=np.asarray(model))
    return len(keys)


def sync_sub_passages(
    store: VectorStore, chunks: Sequence[StoredChunk], seed: dict[str, np.ndarray] | None = None
) -> int:
    """Make `store` hold exactly the sub-passages of `chunks`; returns how many were added.

    Keyed on passage ids (which encode the document and span), so it heals itself: a passage
    re-chunked, removed or never windowed (an index from an older Ripple) is put right.
    `seed`: known vectors by `text_key`, used instead of embedding those texts again.
    """
    _, _, metas = store.vectors_meta()
    present: dict[str, list[str]] = {}
    for sub_id, meta in metas:
        present.setdefault(meta.get("parent", ""), []).append(sub_id)
    wanted = {c.id: c for c in chunks}
    stale = [i for parent, ids in present.items() if parent not in wanted for i in ids]
    store.delete(stale)
    ids: list[str] = []
    texts: list[str] = []
    metadatas: list[dict] = []
    for chunk in chunks:
        if chunk.id in present:
            continue
        for sub in sub_passages(chunk.id, chunk.text):
            ids.append(sub.id)
            texts.append(sub.text)
            metadatas.append({"parent": chunk.id, "doc": chunk.meta.get("doc", "")})
    seed = seed or {}
    known = [i for i, text in enumerate(texts) if text_key(text) in seed]
    fresh = [i for i, text in enumerate(texts) if text_key(text) not in seed]
    if known:
        store.add_vectors(
            [ids[i] for i in known],
            [texts[i] for i in known],
            [seed[text_key(texts[i])].tolist() for i in known],
            [metadatas[i] for i in known],
        )
    if fresh:
        store.add_texts(
            [ids[i] for i in fresh], [texts[i] for i in fresh], [metadatas[i] for i in fresh]
        )
    return len(ids)


def sync_questions(
    store: VectorStore,
    questions: Sequence[tuple[str, str]],
    seed: dict[str, np.ndarray] | None = None,
) -> int:
    """Make `store` hold exactly these (passage id, question) pairs; returns how many were added.

    A question's id is its passage's id and its text's hash, so an edited questions file or a
    re-chunked passage replaces exactly the rows that changed.
    """
    wanted = {f"{parent}?{text_key(text)[:16]}": (parent, text) for parent, text in questions}
    _, _, metas = store.vectors_meta()
    present = {row_id for row_id, _ in metas}
    store.delete([row_id for row_id in present if row_id not in wanted])
    new = [(row_id, *wanted[row_id]) for row_id in wanted if row_id not in present]
    seed = seed or {}
    known = [n for n in new if text_key(n[2]) in seed]
    fresh = [n for n in new if text_key(n[2]) not in seed]
    if known:
        store.add_vectors(
            [row_id for row_id, _, _ in known],
            [text for _, _, text in known],
            [seed[text_key(text)].tolist() for _, _, text in known],
            [{"parent": parent} for _, parent, _ in known],
        )
    if fresh:
        store.add_texts(
            [row_id for row_id, _, _ in fresh],
            [text for _, _, text in fresh],
            [{"parent": parent} for _, parent, _ in fresh],
        )
    return len(new)


@dataclass
class PassageVectors:
    """Row i of `passages` is passage `ids[i]`; each sub-passage row names its passage's row."""

    ids: list[str]
    passages: np.ndarray  # (n, d) MiniLM, unit length
    sub_minilm: np.ndarray  # (m, d)
    sub_minilm_owner: np.ndarray  # (m,) passage row of each sub-passage
    sub_e5: np.ndarray
    sub_e5_owner: np.ndarray
    questions_minilm: np.ndarray  # the question index: each row a question, owned by a passage
    questions_minilm_owner: np.ndarray
    questions_e5: np.ndarray
    questions_e5_owner: np.ndarray

    @classmethod
    def load(
        cls,
        passages: VectorStore,
        minilm: VectorStore,
        e5: VectorStore,
        questions_minilm: VectorStore,
        questions_e5: VectorStore,
    ) -> PassageVectors:
        ids, vectors, _ = passages.vectors()
        row = {chunk_id: i for i, chunk_id in enumerate(ids)}
        return cls(
            ids,
            _matrix(vectors),
            *_subs(minilm, row),
            *_subs(e5, row),
            *_subs(questions_minilm, row),
            *_subs(questions_e5, row),
        )

    def passage_similarity(self, query: Sequence[float]) -> np.ndarray:
        return self.passages @ np.asarray(query, dtype=np.float32)

    def best_sub_minilm(self, query: Sequence[float]) -> np.ndarray:
        return _best(self.sub_minilm, self.sub_minilm_owner, query, len(self.ids))

    def best_sub_e5(self, query: Sequence[float]) -> np.ndarray:
        return _best(self.sub_e5, self.sub_e5_owner, query, len(self.ids))

    def best_question_minilm(self, query: Sequence[float]) -> np.ndarray:
        """Each passage's closest indexed question (-1 for a passage with none)."""
        return _best(self.questions_minilm, self.questions_minilm_owner, query, len(self.ids))

    def best_question_e5(self, query: Sequence[float]) -> np.ndarray:
        return _best(self.questions_e5, self.questions_e5_owner, query, len(self.ids))


def _matrix(vectors: list[list[float]]) -> np.ndarray:
    if not vectors:
        return np.zeros((0, 1), dtype=np.float32)
    return np.asarray(vectors, dtype=np.float32)


def _subs(store: VectorStore, row: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    _, vectors, metas = store.vectors()
    keep = [i for i, m in enumerate(metas) if m.get("parent") in row]
    owner = np.asarray([row[metas[i]["parent"]] for i in keep], dtype=np.int64)
    return _matrix([vectors[i] for i in keep]), owner


def _best(subs: np.ndarray, owner: np.ndarray, query: Sequence[float], n: int) -> np.ndarray:
    """Each passage's best sub-passage similarity (-1 for a passage with none)."""
    best = np.full(n, -1.0, dtype=np.float32)
    if len(owner):
        np.maximum.at(best, owner, subs @ np.asarray(query, dtype=np.float32))
    return best
