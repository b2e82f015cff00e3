"""ksf.core.pagecache: a value is computed once per version, a stale copy only within the grace
period, and threads that miss the same key together compute it once."""

from __future__ import annotations

import threading
import time

from ksf.core.pagecache import cached_value


def test_a_new_version_is_computed_and_an_old_copy_is_served_only_within_the_grace_period(settings, monkeypatch):
    clock = [1_000.0]
    monkeypatch.setattr("ksf.core.pagecache._now", lambda: clock[0])
    calls: list[str] = []

    def compute(label: str):
        def run() -> str:
            calls.append(label)
            return label

        return run

    assert cached_value(["k"], compute("v1"), version="1") == "v1"
    assert cached_value(["k"], compute("again"), version="1") == "v1"
    assert cached_value(["k"], compute("v2"), version="2") == "v2"  # no grace: at once

    settings.PAGECACHE_GRACE_SECONDS = 5
    clock[0] += 10
    assert cached_value(["k"], compute("v3"), version="3") == "v3"  # the copy is 10 s old
    clock[0] += 3
    assert cached_value(["k"], compute("v4"), version="4") == "v3"  # 3 s old: still served
    clock[0] += 3
    assert cached_value(["k"], compute("v4"), version="4") == "v4"
    assert calls == ["v1", "v2", "v3", "v4"]


def test_threads_missing_the_same_key_together_compute_it_once():
    started = threading.Event()
    calls = []

    def slow() -> str:
        calls.append(1)
        started.set()
        time.sleep(0.3)
        return "page"

    results: list[str] = []
    first = threading.Thread(target=lambda: results.append(cached_value(["slow"], slow, version="1")))
    first.start()
    started.wait(5)
    others = [threading.Thread(target=lambda: results.append(cached_value(["slow"], slow, version="1"))) for _ in range(4)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join(5)
    assert results == ["page"] * 5
    assert len(calls) == 1
