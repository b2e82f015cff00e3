"""How long a full garbage collection holds a web process, before and after `ksf.core.warmup`.

    python -m bench.gc_pause [--runs 5]

Sets Django up with the configured database (the embedded default unless DATABASE_URL is set;
`eval "$(deploy/run-local-prod.sh env)"` first for the production setup), opens each main page
once through the test client (as a web process has after its first visitors), then times a full
collection (`gc.collect(2)`) `--runs` times; then runs `ksf.core.warmup.warm_up()` (what gunicorn's
post_worker_init does) and times it again. While a collection runs, no other thread of the
process runs (it holds the GIL). Prints milliseconds and the number of tracked objects.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time

PAGES = ["/", "/behov/", "/sok/?q=fall", "/statistikk/", "/prosjekter/", "/api/v1/needs", "/kommuner/4601/"]


def _pauses(runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        gc.collect(2)
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksf.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "*")
    import django

    django.setup()
    from django.test import Client

    from ksf.core.warmup import warm_up

    client = Client()
    for path in PAGES:
        client.get(path)
    before = _pauses(args.runs)
    tracked = len(gc.get_objects())
    summary = warm_up()
    after = _pauses(args.runs)
    print(f"tracked objects after the first visits: {tracked:,}; frozen by warm-up: {summary['frozen_objects']:,}")
    print(f"full collection before warm-up: median {statistics.median(before):.1f} ms, max {max(before):.1f} ms")
    print(f"full collection after warm-up:  median {statistics.median(after):.1f} ms, max {max(after):.1f} ms")


if __name__ == "__main__":
    main()
