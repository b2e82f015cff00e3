"""Design measurement: brute-force numpy vs. approximate vector indexes at 200k x 384.

    python -m bench.vector_alternatives [--n 200000] [--json]

Not a product benchmark: it records why ``ksf.search.dense.VectorIndex`` is a plain matrix.
Vectors are anisotropic like e5's (a shared mean direction plus noise), queries are held-out
vectors of the same kind. usearch and hnswlib are optional: when they are not installed their
rows say so (the product does not depend on them; run this in any venv that has them).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Callable
from typing import Any

import numpy as np

DIM = 384


def make_vectors(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mean = rng.standard_normal(DIM).astype(np.float32)
    mean /= np.linalg.norm(mean)
    centres = rng.standard_normal((500, DIM)).astype(np.float32)
    out = np.empty((n, DIM), np.float32)
    for s in range(0, n, 50_000):
        m = min(50_000, n - s)
        v = 3.0 * mean + centres[rng.integers(0, 500, m)] * 0.6 + rng.standard_normal((m, DIM)).astype(np.float32) * 0.5
        out[s : s + m] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out


def timeit(fn: Callable[[np.ndarray], np.ndarray], queries: np.ndarray) -> tuple[float, float, list[np.ndarray]]:
    lat, res = [], []
    for q in queries:
        t0 = time.perf_counter()
        res.append(fn(q))
        lat.append(time.perf_counter() - t0)
    arr = np.asarray(lat) * 1000
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 95)), res


def topk(scores: np.ndarray, k: int = 10) -> np.ndarray:
    idx = np.argpartition(-scores, k)[:k]
    return idx[np.argsort(-scores[idx])]


def recall(found: list[np.ndarray], truth: list[np.ndarray]) -> float:
    return float(
        np.mean([len(set(map(int, f)) & set(map(int, t))) / len(t) for f, t in zip(found, truth, strict=True)])
    )


def run(n: int, n_queries: int) -> dict[str, Any]:
    X = make_vectors(n + n_queries)
    Q, X = X[:n_queries], X[n_queries:]
    out: dict[str, Any] = {"n": n, "queries": n_queries}
    p50, p95, truth = timeit(lambda q: topk(X @ q), Q)
    out["numpy_float32"] = {"p50_ms": p50, "p95_ms": p95, "recall@10": 1.0, "build_s": 0.0, "mib": X.nbytes / 2**20}
    X16 = X.astype(np.float16)
    p50, p95, res = timeit(lambda q: topk(X16 @ q.astype(np.float16)), Q[: max(5, n_queries // 10)])
    out["numpy_float16"] = {
        "p50_ms": p50,
        "p95_ms": p95,
        "recall@10": recall(res, truth[: len(res)]),
        "build_s": 0.0,
        "mib": X16.nbytes / 2**20,
    }
    scale = 127.0 / np.abs(X).max()
    X8 = np.round(X * scale).astype(np.int8)
    p50, p95, res = timeit(lambda q: topk(X8.astype(np.float32) @ q), Q[: max(5, n_queries // 10)])
    out["numpy_int8_upcast"] = {
        "p50_ms": p50,
        "p95_ms": p95,
        "recall@10": recall(res, truth[: len(res)]),
        "build_s": 0.0,
        "mib": X8.nbytes / 2**20,
    }
    try:
        from usearch.index import Index

        t0 = time.perf_counter()
        ix = Index(ndim=DIM, metric="cos", dtype="f16")
        ix.add(np.arange(n), X)
        build = time.perf_counter() - t0
        p50, p95, res = timeit(lambda q: np.asarray(ix.search(q, 10).keys), Q)
        out["usearch_hnsw_f16"] = {"p50_ms": p50, "p95_ms": p95, "recall@10": recall(res, truth), "build_s": build}
    except ImportError:
        out["usearch_hnsw_f16"] = "not installed"
    try:
        import hnswlib

        t0 = time.perf_counter()
        h = hnswlib.Index(space="ip", dim=DIM)
        h.init_index(max_elements=n, ef_construction=100, M=16)
        h.add_items(X, np.arange(n))
        h.set_ef(64)
        build = time.perf_counter() - t0
        p50, p95, res = timeit(lambda q: h.knn_query(q, k=10)[0][0], Q)
        out["hnswlib_ef64"] = {"p50_ms": p50, "p95_ms": p95, "recall@10": recall(res, truth), "build_s": build}
    except ImportError:
        out["hnswlib_ef64"] = "not installed"
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    res = run(args.n, args.queries)
    if args.json:
        print(json.dumps(res))
        return 0
    print(f"{args.n} x {DIM}, {args.queries} queries")
    for name, r in res.items():
        if isinstance(r, dict):
            extra = f"  build {r['build_s']:.1f} s" if r.get("build_s") else ""
            print(
                f"  {name:<20} p50 {r['p50_ms']:8.2f} ms  p95 {r['p95_ms']:8.2f} ms  recall@10 {r['recall@10']:.3f}{extra}"
            )
        elif name not in ("n", "queries"):
            print(f"  {name:<20} {r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
