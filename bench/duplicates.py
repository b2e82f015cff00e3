"""Duplicate-need benchmark: does the "similar needs" similarity separate same from different?

    python -m bench.duplicates --pairs ../shared/data/bench/mqp-dev/pairs.jsonl [--json]

Datasets: the pairs file given (English medical question pairs, label 1 = same question) and
our own Norwegian dev set of municipal knowledge needs (bench/data/needs_nb_pairs.jsonl).
For each dataset every distinct question is indexed as a need in a ``HybridIndex``; a pair's
score is what ``HybridIndex.similar`` would rank by when q1 is typed and q2 is stored:

- ``bm25``: BM25(q1 -> q2) divided by BM25(q1 -> itself), in [0, 1];
- ``dense``: cosine of the e5 "query:" vectors;
- ``hybrid``: the product's mix of the two (``similar_lexical_share``), plus the alternative
  shares measured as ``hybrid_sX``.

Reported: ROC AUC, best F1 and its threshold, and F1 at the product's threshold
(``engine.SIMILAR_THRESHOLD``, which applies to the product similarity).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import EmbeddingCache, best_f1, f1_at, load_jsonl, roc_auc
from ksf.search.dense import E5Embedder
from ksf.search.engine import SIMILAR_LEXICAL_SHARE, SIMILAR_THRESHOLD, DocRecord, HybridIndex

HERE = Path(__file__).resolve().parent
NB_PAIRS = HERE / "data" / "needs_nb_pairs.jsonl"
SHARES = (0.1, 0.2, 0.3, 0.5)


def pair_scores(pairs: Sequence[dict[str, Any]], cache: EmbeddingCache, share: float) -> dict[str, list[float]]:
    texts = sorted({p["q1"] for p in pairs} | {p["q2"] for p in pairs})
    ids = {t: i for i, t in enumerate(texts)}
    vecs = cache.embed(texts, "query")
    index = HybridIndex(embedder=None, similar_lexical_share=share)
    index.bulk_load(DocRecord(doc_id=i, title=t, vector=vecs[i]) for i, t in enumerate(texts))
    lex_only = HybridIndex(embedder=None, similar_lexical_share=1.0)
    lex_only.bulk_load(DocRecord(doc_id=i, title=t) for i, t in enumerate(texts))
    out: dict[str, list[float]] = {"bm25": [], "dense": [], "hybrid": []}
    memo: dict[str, tuple[np.ndarray, np.ndarray | None, np.ndarray]] = {}
    for p in pairs:
        q1, j = p["q1"], ids[p["q2"]]
        if q1 not in memo:
            sims, dense = index.similarity_scores(q1, query_vector=vecs[ids[q1]])
            lex, _ = lex_only.similarity_scores(q1)
            memo[q1] = (sims, dense, lex)
        sims, dense, lex = memo[q1]
        out["hybrid"].append(float(sims[j]))
        out["dense"].append(float(dense[j]) if dense is not None else 0.0)
        out["bm25"].append(float(lex[j]))
    return out


def evaluate(pairs: Sequence[dict[str, Any]], cache: EmbeddingCache) -> dict[str, dict[str, float]]:
    labels = [int(p["label"]) for p in pairs]
    res: dict[str, dict[str, float]] = {}
    base = pair_scores(pairs, cache, SIMILAR_LEXICAL_SHARE)
    for method, scores in base.items():
        f1, thr = best_f1(scores, labels)
        res[method] = {
            "roc_auc": round(roc_auc(scores, labels), 4),
            "best_f1": round(f1, 4),
            "threshold": round(thr, 4),
        }
    res["hybrid"]["product_threshold"] = SIMILAR_THRESHOLD
    res["hybrid"]["f1_at_product_threshold"] = round(f1_at(base["hybrid"], labels, SIMILAR_THRESHOLD), 4)
    for share in SHARES:
        if share == SIMILAR_LEXICAL_SHARE:
            continue
        scores = pair_scores(pairs, cache, share)["hybrid"]
        f1, thr = best_f1(scores, labels)
        res[f"hybrid_s{share}"] = {
            "roc_auc": round(roc_auc(scores, labels), 4),
            "best_f1": round(f1, 4),
            "threshold": round(thr, 4),
        }
    return res


def run(pairs_file: str, log: Callable[[str], None]) -> dict[str, Any]:
    cache = EmbeddingCache("duplicates", E5Embedder())
    result: dict[str, Any] = {}
    for name, path in (("pairs", pairs_file), ("needs_nb", str(NB_PAIRS))):
        pairs = load_jsonl(path)
        log(f"{name}: {len(pairs)} pairs")
        result[name] = evaluate(pairs, cache)
    result["config"] = {
        "product_similarity": f"(1 - {SIMILAR_LEXICAL_SHARE}) * dense + {SIMILAR_LEXICAL_SHARE} * bm25_self_normalised",
        "product_threshold": SIMILAR_THRESHOLD,
        "vectors_computed_this_run": cache.computed,
    }
    return result


def print_table(result: dict[str, Any]) -> None:
    for name in ("pairs", "needs_nb"):
        print(f"\n{name}")
        print(f"  {'method':<14}{'roc_auc':>9}{'best_f1':>9}{'threshold':>11}")
        for method, m in result[name].items():
            print(f"  {method:<14}{m['roc_auc']:>9.3f}{m['best_f1']:>9.3f}{m['threshold']:>11.3f}")
        h = result[name]["hybrid"]
        print(f"  product threshold {h['product_threshold']:.3f}: F1 {h['f1_at_product_threshold']:.3f}")
    print(f"\nconfig: {result['config']}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", required=True, help="JSONL with q1, q2, label")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    result = run(args.pairs, lambda s: print(s, file=sys.stderr, flush=True))
    print(json.dumps(result) if args.json else "", end="\n" if args.json else "")
    if not args.json:
        print_table(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
