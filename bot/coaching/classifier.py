"""Small trained classifiers on the bundled sentence embeddings: encoding and a disk cache.

The turn reader and the theme detector both learn from plain labelled text in `prompts/`.
Embedding a few hundred training texts takes seconds on a laptop CPU, so their vectors are
kept on disk under the data folder, keyed by a hash of the model and the exact texts: edit
the training file and the next start-up re-embeds it; change nothing and start-up is a file
read. A leader's own words are never cached anywhere (`encode_private`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)

CACHE_VERSION = "1"  # bump when the way vectors are made changes


def default_cache_dir() -> Path:
    """Where training vectors go when no data folder is given (tests, scripts)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ripple" / "classifiers"


def model_key(embedder: Embeddings) -> str:
    """What identifies the embedding model, for the cache key."""
    return str(getattr(embedder, "model_path", None) or type(embedder).__name__)


def encode_private(embedder: Embeddings, texts: list[str]) -> np.ndarray:
    """Normalised vectors for a person's words, in one batch, kept in no cache."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    model = getattr(embedder, "model", None)
    if model is None or not hasattr(model, "encode"):
        return np.asarray(embedder.embed_documents(texts), dtype=np.float32)
    vectors = model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


def texts_hash(embedder: Embeddings, texts: list[str], salt: str = "") -> str:
    digest = hashlib.sha256(f"{CACHE_VERSION}\n{model_key(embedder)}\n{salt}\n".encode())
    for text in texts:
        digest.update(text.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()[:24]


def training_vectors(
    embedder: Embeddings, texts: list[str], cache_dir: Path, name: str
) -> np.ndarray:
    """Vectors for training texts, from `cache_dir` when the same texts were embedded before."""
    path = Path(cache_dir) / f"{name}-{texts_hash(embedder, texts)}.npy"
    if path.is_file():
        try:
            vectors = np.load(path)
            if vectors.shape[0] == len(texts):
                return vectors
        except (OSError, ValueError):
            pass
    vectors = encode_private(embedder, texts)
    _save_atomically(path, vectors, name)
    return vectors


def save_model(path: Path, prefix: str, **arrays: np.ndarray) -> None:
    """Keep fitted weights beside the vectors (replacing older ones), best effort."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob(f"{prefix}-*.npz"):
            stale.unlink(missing_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
        os.replace(tmp, path)
    except OSError as exc:
        log.info("could not cache %s in %s: %s", prefix, path.parent, exc)


def load_model(path: Path, *names: str) -> tuple[np.ndarray, ...] | None:
    if not path.is_file():
        return None
    try:
        with np.load(path) as saved:
            return tuple(saved[n] for n in names)
    except (OSError, ValueError, KeyError):
        return None


def _save_atomically(path: Path, vectors: np.ndarray, name: str) -> None:
    """Write beside the target and rename, so a concurrent start-up never reads half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob(f"{name}-*.npy"):
            if stale != path:
                stale.unlink(missing_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npy.tmp")
        with os.fdopen(handle, "wb") as out:
            np.save(out, vectors)
        os.replace(tmp, path)
    except OSError as exc:  # an unwritable data folder costs start-up time, nothing else
        log.info("could not cache %s training vectors in %s: %s", name, path.parent, exc)
