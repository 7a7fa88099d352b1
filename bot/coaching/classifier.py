"""Small trained classifiers on the bundled sentence embeddings: encoding and a disk cache.

The turn reader and the theme detector both learn from plain labelled text in `prompts/`.
Embedding a thousand training texts takes seconds on a laptop CPU, so their vectors and the
fitted weights are kept on disk (the data folder's cache/classifiers, and a per-user copy a
fresh data folder starts from) and in memory, keyed by a hash of the model and the exact
texts: edit the training file and the next start-up re-trains; change nothing and start-up
is a file read. A leader's own words are never cached anywhere (`encode_private`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import numpy as np
import yaml
from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)

CACHE_VERSION = "1"  # bump when the way vectors are made changes


class TrainingDataError(ValueError):
    """A training file is unreadable; the message says which file and what to fix."""


def read_training_file(folder: Path, name: str, bundled: Path) -> dict:
    """`folder/name`, or the bundled copy when an organisation's prompts folder has none."""
    path = folder / name
    if not path.is_file():
        path = bundled / name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise TrainingDataError(f"{path}: could not read the training examples ({exc}).") from None
    examples = raw.get("examples") if isinstance(raw, dict) else None
    if not isinstance(examples, dict):
        raise TrainingDataError(f"{path}: expected an 'examples:' mapping of label -> texts.")
    return {str(label): [as_text(t) for t in texts or []] for label, texts in examples.items()}


def as_text(item) -> str:
    """One example as plain text: an unquoted "Small win: they came" reads as a mapping."""
    if isinstance(item, dict):
        return " ".join(f"{k}: {v}" for k, v in item.items()).strip()
    return str(item).strip()


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
    """Vectors for training texts, from the cache when the same texts were embedded before."""
    file_name = f"{name}-{texts_hash(embedder, texts)}.npz"
    saved = load_cached(cache_dir, file_name, "vectors")
    if saved is not None and saved[0].shape[0] == len(texts):
        return saved[0]
    vectors = encode_private(embedder, texts)
    store_cached(cache_dir, file_name, name, vectors=vectors)
    return vectors


def save_model(path: Path, prefix: str, **arrays: np.ndarray) -> None:
    """Keep fitted weights in the cache (replacing older ones there), best effort."""
    store_cached(path.parent, path.name, prefix, **arrays)


def load_model(path: Path, *names: str) -> tuple[np.ndarray, ...] | None:
    return load_cached(path.parent, path.name, *names)


# Training vectors and fitted weights (never a person's words), by file name: a process that
# builds several readers (tests, evals, one Services per request) trains once.
_MEMORY: dict[str, dict[str, np.ndarray]] = {}


def _folders(cache_dir: Path) -> list[Path]:
    """The data folder's cache, then the per-user one a fresh data folder can start from."""
    return list(dict.fromkeys([Path(cache_dir), default_cache_dir()]))


def load_cached(cache_dir: Path, file_name: str, *names: str) -> tuple[np.ndarray, ...] | None:
    saved = _MEMORY.get(file_name)
    if saved is None:
        for folder in _folders(cache_dir):
            try:
                with np.load(folder / file_name) as stored:
                    saved = {n: stored[n] for n in stored.files}
                break
            except (OSError, ValueError):
                continue
    if saved is None or any(n not in saved for n in names):
        return None
    _MEMORY[file_name] = saved
    return tuple(saved[n] for n in names)


def store_cached(cache_dir: Path, file_name: str, prefix: str, **arrays: np.ndarray) -> None:
    """Write beside the target and rename, so a concurrent start-up never reads half a file."""
    _MEMORY[file_name] = arrays
    for number, folder in enumerate(_folders(cache_dir)):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if number == 0:  # the data folder keeps only the current version
                for stale in folder.glob(f"{prefix}-*.npz"):
                    if stale.name != file_name:
                        stale.unlink(missing_ok=True)
            handle, tmp = tempfile.mkstemp(dir=folder, suffix=".npz.tmp")
            with os.fdopen(handle, "wb") as out:
                np.savez(out, **arrays)
            os.replace(tmp, folder / file_name)
        except OSError as exc:  # an unwritable folder costs start-up time, nothing else
            log.info("could not cache %s in %s: %s", prefix, folder, exc)
