"""Fusion of lexical (BM25) and dense (cosine) rankings into one ranking.

Two methods, both measured by ``bench.retrieval``:

- ``rrf``: reciprocal rank fusion, sum of 1 / (k + rank) over the methods (the baseline);
- ``weighted``: each method's scores min-max normalised over the candidate set, then mixed
  ``alpha * bm25 + (1 - alpha) * dense``.

Language bias: a Norwegian question against English abstracts shares almost no terms with
them, so BM25 ranks noise (a few cognates, numbers). ``lexical_weight`` scales BM25's share by
the fraction of query words the index knows at all, so dense carries cross-lingual queries.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

RRF_K = 60
#: BM25's share in weighted fusion when every query word is known to the index.
DEFAULT_ALPHA = 0.7


def rrf(rankings: Sequence[Sequence[int]], weights: Sequence[float] | None = None, k: int = RRF_K) -> dict[int, float]:
    """Reciprocal rank fusion of ranked id lists; returns id -> fused score."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[int, float] = {}
    for ranking, w in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking):
            fused[int(item)] = fused.get(int(item), 0.0) + w / (k + rank + 1)
    return fused


def minmax(values: npt.ArrayLike) -> FloatArray:
    v = np.asarray(values, np.float32)
    if not len(v):
        return v
    lo, hi = float(v.min()), float(v.max())
    if hi - lo < 1e-9:
        return np.where(v > 0, 1.0, 0.0).astype(np.float32) if hi > 0 else np.zeros_like(v)
    return ((v - lo) / (hi - lo)).astype(np.float32)


def lexical_weight(alpha: float, known_fraction: float) -> float:
    """BM25's share after the language-bias correction (see module docstring)."""
    return alpha * max(0.0, min(1.0, known_fraction)) ** 2


def fuse(
    candidates: IntArray,
    bm25: FloatArray,
    dense: FloatArray | None,
    *,
    method: str = "weighted",
    alpha: float = DEFAULT_ALPHA,
) -> FloatArray:
    """Fused scores for `candidates` given their BM25 and dense scores (same order).

    With no dense scores (no embedder, no vectors) the BM25 order is kept.
    """
    if dense is None:
        return np.asarray(bm25, np.float32)
    if method == "rrf":
        order_b = np.argsort(-bm25, kind="stable")
        order_d = np.argsort(-dense, kind="stable")
        rank_b = np.empty(len(candidates), np.int64)
        rank_d = np.empty(len(candidates), np.int64)
        rank_b[order_b] = np.arange(len(candidates))
        rank_d[order_d] = np.arange(len(candidates))
        # a candidate BM25 did not match at all gets no BM25 vote
        vote_b = np.where(bm25 > 0, alpha * 2 / (RRF_K + rank_b + 1), 0.0)
        vote_d = (1 - alpha) * 2 / (RRF_K + rank_d + 1)
        return (vote_b + vote_d).astype(np.float32)
    if method != "weighted":
        raise ValueError(f"unknown fusion method {method!r}")
    return (alpha * minmax(bm25) + (1 - alpha) * minmax(dense)).astype(np.float32)
