"""The vector store: Chroma through langchain-chroma, embedded on disk or a Chroma server.

Chroma is always handed our own embedding function (`SentenceEmbedder`): langchain-chroma
creates the collection with `embedding_function=None` and embeds every text itself, so
Chroma's default ONNX model (which would download) is never built or called. Telemetry is off.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from langchain_core.embeddings import Embeddings

from bot.config import Settings
from bot.evidence.chunking import Chunk
from bot.evidence.errors import DataDirNotWritable, EvidenceUnavailable

log = logging.getLogger(__name__)

PLACE_KEY = "place:"  # one boolean metadata key per place, so Chroma can filter on places
_ADD_BATCH = 256


@dataclass(frozen=True)
class StoredChunk:
    id: str
    text: str
    meta: dict


@dataclass(frozen=True)
class DenseHit:
    id: str
    text: str
    meta: dict
    similarity: float  # cosine similarity, 1.0 = same direction


class VectorStore:
    def __init__(self, settings: Settings, embedder: Embeddings, suffix: str = "") -> None:
        """`suffix` names a sibling collection (the sub-passage vectors of each model)."""
        self._settings = settings
        self._embedder = embedder
        self._collection = settings.chroma_collection + suffix
        self._chroma = None

    @property
    def remote(self) -> bool:
        return bool(self._settings.chroma_host)

    @property
    def where(self) -> str:
        if self.remote:
            return f"the Chroma server at {self._settings.chroma_host}:{self._settings.chroma_port}"
        return str(self._settings.chroma_dir)

    # --- reading ------------------------------------------------------------------------

    def count(self) -> int:
        return len(self.ids())

    def ids(self) -> list[str]:
        with self._reachable():
            return list(self._vectorstore().get(include=[])["ids"])

    def all_chunks(self) -> list[StoredChunk]:
        with self._reachable():
            got = self._vectorstore().get(include=["documents", "metadatas"])
        return [
            StoredChunk(id=i, text=t or "", meta=m or {})
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]

    def vectors(self) -> tuple[list[str], list[list[float]], list[dict]]:
        """Every stored id with its vector and metadata (for exact in-memory scoring)."""
        with self._reachable():
            got = self._vectorstore().get(include=["embeddings", "metadatas"])
        embeddings = got["embeddings"]
        vectors = [] if embeddings is None else [list(map(float, v)) for v in embeddings]
        return list(got["ids"]), vectors, [m or {} for m in got["metadatas"]]

    def vectors_meta(self) -> tuple[list[str], None, list[tuple[str, dict]]]:
        """Every stored id with its metadata, without the vectors (cheap)."""
        with self._reachable():
            got = self._vectorstore().get(include=["metadatas"])
        ids = list(got["ids"])
        return ids, None, list(zip(ids, [m or {} for m in got["metadatas"]], strict=True))

    def search(
        self, vector: list[float], k: int, *, docs: Sequence[str] = (), places: Sequence[str] = ()
    ) -> list[DenseHit]:
        with self._reachable():
            store = self._vectorstore()
            found = store.similarity_search_by_vector_with_relevance_scores(
                vector, k=k, filter=_where(docs, places)
            )
        # langchain-chroma hands back the raw cosine *distance* here; similarity = 1 - distance.
        return [
            DenseHit(id=d.id or "", text=d.page_content, meta=d.metadata, similarity=1.0 - dist)
            for d, dist in found
        ]

    # --- writing ------------------------------------------------------------------------

    def add(self, chunks: Sequence[Chunk], extra: dict[str, dict]) -> None:
        """Embed and store chunks; `extra[chunk.doc]` is merged into each chunk's metadata."""
        with self._reachable():
            store = self._vectorstore()
            for i in range(0, len(chunks), _ADD_BATCH):
                batch = chunks[i : i + _ADD_BATCH]
                store.add_texts(
                    texts=[c.text for c in batch],
                    metadatas=[_metadata(c, extra.get(c.doc, {})) for c in batch],
                    ids=[c.id for c in batch],
                )

    def add_texts(
        self, ids: Sequence[str], texts: Sequence[str], metadatas: Sequence[dict]
    ) -> None:
        with self._reachable():
            store = self._vectorstore()
            for i in range(0, len(ids), _ADD_BATCH):
                store.add_texts(
                    texts=list(texts[i : i + _ADD_BATCH]),
                    metadatas=list(metadatas[i : i + _ADD_BATCH]),
                    ids=list(ids[i : i + _ADD_BATCH]),
                )

    def add_vectors(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        vectors: Sequence[Sequence[float]],
        metadatas: Sequence[dict],
    ) -> None:
        """Store texts whose vectors are already known (from the bundled vector seed)."""
        with self._reachable():
            collection = self._vectorstore()._collection
            for i in range(0, len(ids), _ADD_BATCH):
                collection.upsert(
                    ids=list(ids[i : i + _ADD_BATCH]),
                    documents=list(texts[i : i + _ADD_BATCH]),
                    embeddings=[list(v) for v in vectors[i : i + _ADD_BATCH]],
                    metadatas=list(metadatas[i : i + _ADD_BATCH]),
                )

    def delete_docs(self, docs: Sequence[str]) -> None:
        """Drop everything stored for these documents (sub-passages carry their `doc`)."""
        if not docs:
            return
        with self._reachable():
            store = self._vectorstore()
            found = store.get(where={"doc": {"$in": list(docs)}}, include=[])["ids"]
            if found:
                store.delete(ids=found)

    def delete(self, ids: Sequence[str]) -> None:
        if not ids:
            return
        with self._reachable():
            self._vectorstore().delete(ids=list(ids))

    # --- plumbing -----------------------------------------------------------------------

    def _vectorstore(self):
        if self._chroma is None:
            from langchain_chroma import Chroma

            self._chroma = Chroma(
                collection_name=self._collection,
                embedding_function=self._embedder,
                client=self._client(),
                collection_configuration={"hnsw": {"space": "cosine"}},
            )
        return self._chroma

    def _client(self):
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self.remote:
            return chromadb.HttpClient(
                host=self._settings.chroma_host,
                port=self._settings.chroma_port,
                settings=chroma_settings,
            )
        path = self._settings.chroma_dir
        _check_writable(path)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        """Turn a Chroma server that is down into `EvidenceUnavailable`."""
        try:
            yield
        except (EvidenceUnavailable, DataDirNotWritable):
            raise
        except Exception as exc:
            if not self.remote:
                raise
            self._chroma = None  # reconnect on the next call
            log.warning("Chroma server unreachable: %s", exc)
            raise EvidenceUnavailable(
                f"The evidence library is temporarily unavailable ({self.where} did not answer)."
            ) from exc


def _check_writable(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise DataDirNotWritable(
            f"Ripple cannot write its evidence index to {path} ({exc.strerror or exc}). "
            "Set RIPPLE_DATA_DIR to a folder you can write to."
        ) from None


def _metadata(chunk: Chunk, extra: dict) -> dict:
    meta = {
        "doc": chunk.doc,
        "doc_id": chunk.doc_id,
        "section": chunk.section,
        "start": chunk.start,
        "end": chunk.end,
        "places": "|".join(chunk.places),
        "section_places": "|".join(chunk.section_places),
        **extra,
    }
    meta.update({PLACE_KEY + place: True for place in chunk.places})
    return meta


def _where(docs: Sequence[str], places: Sequence[str]) -> dict | None:
    clauses: list[dict] = []
    if docs:
        clauses.append({"doc": {"$in": list(docs)}})
    if places:
        by_place = [{PLACE_KEY + p: True} for p in places]
        clauses.append(by_place[0] if len(by_place) == 1 else {"$or": by_place})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
