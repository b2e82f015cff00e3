"""Statistics page benchmark: render /statistikk/ with 50,000 needs and 500,000 history rows.

    python -m bench.stats_page [--needs 50000 --history 500000] [--runs 30] [--cold-runs 5] [--json]
                               [--db /tmp/ksf-bench-stats.sqlite3] [--reuse] [--configured-db]

Builds a synthetic database (by default a temporary SQLite file; `--configured-db` uses
DATABASE_URL / the configured database instead, which must be empty of needs) with bulk_create:
the real 357 municipalities, the persona clusters, `--needs` submitted needs whose paths follow
the workflow table, padded with clarification round-trips until there are `--history` history
rows, and about 0.4 endorsements per need. Then it renders the page through Django's test client:

- cold: the figure cache cleared before every request (the full computation in the database);
- warm: the normal path, the figure cache filled by the first request (what visitors get until
  the data changes);
- also the filtered page (region + service area) and GET /api/v1/stats, both warm and cold.

Prints wall-clock p50/p95 in milliseconds and the CPU time of this process per request (SQLite
runs in-process, so CPU time is what an idle machine would take; wall time includes waiting for
a CPU on a busy one — the load average is printed too). `--json` prints one JSON object.
Target: p95 < 300 ms warm.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _setup(db: Path | None) -> None:
    if db is not None:
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksf.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log in memory while measuring


# Paths through the workflow (to_status sequence after "submitted") and their weights.
PATHS: list[tuple[list[str], int]] = [
    ([], 4),
    (["withdrawn"], 3),
    (["cluster_review"], 8),
    (["rejected"], 4),
    (["cluster_review", "rejected"], 4),
    (["cluster_review", "merged"], 5),
    (["cluster_review", "answered_locally"], 12),
    (["cluster_review", "forwarded"], 8),
    (["cluster_review", "forwarded", "evidence_check"], 8),
    (["cluster_review", "forwarded", "evidence_check", "answered"], 16),
    (["cluster_review", "forwarded", "national", "evidence_check", "answered"], 4),
    (["cluster_review", "forwarded", "summary_commissioned"], 4),
    (["cluster_review", "forwarded", "evidence_check", "summary_commissioned", "summary_published"], 6),
    (["cluster_review", "forwarded", "research_proposal"], 3),
    (["cluster_review", "forwarded", "evidence_check", "research_proposal", "in_project"], 4),
    (["cluster_review", "forwarded", "evidence_check", "research_proposal", "in_project", "results_published"], 3),
]
LEVEL = {
    "submitted": "submitter", "clarification": "cluster", "withdrawn": "submitter", "cluster_review": "cluster",
    "rejected": "cluster", "merged": "cluster", "answered_locally": "cluster", "forwarded": "cluster",
    "national": "region", "evidence_check": "region", "summary_commissioned": "region", "research_proposal": "region",
    "answered": "partner", "summary_published": "partner", "in_project": "system", "results_published": "partner",
}


def build(n_needs: int, n_history: int, seed: int = 7) -> dict[str, Any]:
    import datetime as dt

    from django.core.management import call_command
    from django.db import transaction

    from ksf.core.personas import build_world
    from ksf.needs.models import Endorsement, Need, NeedStatusChange, ServiceArea
    from ksf.organisations.models import Organisation, OrgKind

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    build_world()
    if Need.objects.exists():
        sys.exit("The database already has needs; use an empty database (or --reuse to measure it as it is).")
    rng = random.Random(seed)
    munis = list(Organisation.objects.filter(kind=OrgKind.MUNICIPALITY).values_list("pk", "region_id"))
    cluster_of = dict(
        Organisation.members.through.objects.filter(from_organisation__kind=OrgKind.CLUSTER)
        .values_list("to_organisation_id", "from_organisation_id")
    )
    areas = list(ServiceArea.values)
    weights = [w for _p, w in PATHS]
    start = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
    span_days = (dt.datetime(2026, 11, 1, tzinfo=dt.UTC) - start).days

    plans: list[list[Any]] = []
    for i in range(n_needs):
        path = rng.choices(PATHS, weights)[0][0]
        plans.append([i, path, 0])
    base_rows = sum(1 + len(p[1]) for p in plans)
    extra_loops = max(0, (n_history - base_rows) // 2)
    for _ in range(extra_loops):
        plans[rng.randrange(n_needs)][2] += 1

    with transaction.atomic():
        needs = []
        for i, path, loops in plans:
            muni, region = rng.choice(munis)
            status = path[-1] if path else "submitted"
            needs.append(Need(
                public_id=f"KB-B-{i:06d}", title=f"Syntetisk behov {i}", question="Syntetisk spørsmål",
                service_area=rng.choice(areas), municipality_id=muni, cluster_id=cluster_of.get(muni), region_id=region,
                status=status,
            ))
        Need.objects.bulk_create(needs, batch_size=2000)
        ids = list(Need.objects.order_by("pk").values_list("pk", flat=True))
        history = []
        written = 0
        for (i, path, loops), need_id in zip(plans, ids, strict=True):
            when = start + dt.timedelta(days=rng.uniform(0, span_days))
            steps = ["submitted"] + ["clarification", "submitted"] * loops + path
            previous = "draft"
            for to in steps:
                history.append(NeedStatusChange(need_id=need_id, from_status=previous, to_status=to, level=LEVEL[to], created_at=when))
                previous = to
                when += dt.timedelta(days=rng.expovariate(1 / 12), hours=rng.uniform(0, 8))
            if len(history) >= 20000:
                NeedStatusChange.objects.bulk_create(history, batch_size=5000)
                written += len(history)
                history = []
        NeedStatusChange.objects.bulk_create(history, batch_size=5000)
        written += len(history)
        endorsements = set()
        for _ in range(int(n_needs * 0.4)):
            endorsements.add((rng.choice(ids), rng.choice(munis)[0]))
        Endorsement.objects.bulk_create([Endorsement(need_id=n, municipality_id=m) for n, m in endorsements], batch_size=5000)
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"needs": len(ids), "history": written, "endorsements": len(endorsements), "build_s": round(time.perf_counter() - t0, 1)}


def _pcts(samples: list[float], cpu: list[float] | None = None) -> dict[str, float]:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        h = (len(ordered) - 1) * p / 100
        lo = int(h)
        hi = min(lo + 1, len(ordered) - 1)
        return ordered[lo] + (h - lo) * (ordered[hi] - ordered[lo])

    out = {"p50_ms": round(pct(50) * 1000, 1), "p95_ms": round(pct(95) * 1000, 1), "max_ms": round(ordered[-1] * 1000, 1),
           "mean_ms": round(statistics.fmean(ordered) * 1000, 1), "runs": len(ordered)}
    if cpu:
        ordered = sorted(cpu)
        out["cpu_p50_ms"] = round(pct(50) * 1000, 1)
        out["cpu_p95_ms"] = round(pct(95) * 1000, 1)
    return out


def measure(url: str, runs: int, *, cold: bool) -> dict[str, float]:
    from django.core.cache import cache
    from django.test import Client

    client = Client()
    for _ in range(3):  # warm the process: templates, imports, SQLite page cache
        assert client.get(url).status_code == 200
    samples, cpu = [], []
    for _ in range(runs):
        if cold:
            cache.clear()
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(url)
        samples.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        assert response.status_code == 200, response.status_code
    return _pcts(samples, cpu)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--needs", type=int, default=50_000)
    parser.add_argument("--history", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=30, help="warm requests per URL")
    parser.add_argument("--cold-runs", type=int, default=5, help="requests per URL with the figure cache cleared")
    parser.add_argument("--db", type=Path, default=None, help="SQLite file to build (default: a temporary file)")
    parser.add_argument("--reuse", action="store_true", help="measure the --db file as it is, do not build")
    parser.add_argument("--configured-db", action="store_true", help="use DATABASE_URL / the configured database")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    tmpdir = None
    db: Path | None = None
    if not args.configured_db:
        if args.db is None:
            tmpdir = tempfile.TemporaryDirectory(prefix="ksf-bench-stats-")
            db = Path(tmpdir.name) / "bench.sqlite3"
        else:
            db = args.db
            if db.exists() and not args.reuse:
                for suffix in ("", "-wal", "-shm"):
                    Path(str(db) + suffix).unlink(missing_ok=True)
    _setup(db)
    from django.db import connection

    from ksf.needs.models import Endorsement, Need, NeedStatusChange

    if args.reuse:
        data = {"needs": Need.objects.count(), "history": NeedStatusChange.objects.count(),
                "endorsements": Endorsement.objects.count(), "build_s": 0.0}
    else:
        data = build(args.needs, args.history)

    from ksf.monitor import stats
    from ksf.monitor.stats import StatsFilter

    t0 = time.perf_counter()
    stats.compute_need_stats(StatsFilter())
    compute_s = time.perf_counter() - t0
    filtered = "/statistikk/?region=vest&service_area=hjemmetjenester"
    result: dict[str, Any] = {
        "database": connection.vendor,
        "data": data,
        "compute_need_stats_ms": round(compute_s * 1000, 1),
        "page_warm": measure("/statistikk/", args.runs, cold=False),
        "page_cold": measure("/statistikk/", args.cold_runs, cold=True),
        "page_filtered_warm": measure(filtered, args.runs, cold=False),
        "page_filtered_cold": measure(filtered, args.cold_runs, cold=True),
        "api_warm": measure("/api/v1/stats", args.runs, cold=False),
        "api_cold": measure("/api/v1/stats", args.cold_runs, cold=True),
        "target_p95_ms": 300,
    }
    result["load_average"] = [round(x, 1) for x in os.getloadavg()]
    result["cpus"] = os.cpu_count()
    result["meets_target_warm"] = result["page_warm"]["p95_ms"] < 300 and result["page_filtered_warm"]["p95_ms"] < 300
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        d = result["data"]
        print(f"database: {result['database']}; needs {d['needs']:,}, history rows {d['history']:,}, "
              f"endorsements {d['endorsements']:,} (built in {d['build_s']} s)")
        print(f"compute_need_stats (national, uncached): {result['compute_need_stats_ms']} ms")
        for key in ("page_warm", "page_cold", "page_filtered_warm", "page_filtered_cold", "api_warm", "api_cold"):
            r = result[key]
            print(f"{key:20s} p50 {r['p50_ms']:8.1f} ms   p95 {r['p95_ms']:8.1f} ms   max {r['max_ms']:8.1f} ms   "
                  f"cpu p50 {r['cpu_p50_ms']:7.1f} p95 {r['cpu_p95_ms']:7.1f} ms   ({r['runs']} runs)")
        print(f"target p95 < 300 ms warm: {'met' if result['meets_target_warm'] else 'NOT met'} "
              f"(load average {result['load_average']} on {result['cpus']} CPUs)")
    if tmpdir is not None:
        connection.close()
        tmpdir.cleanup()


if __name__ == "__main__":
    main()
