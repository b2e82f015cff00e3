"""A web process warms up before its first request: search ready, long-lived objects frozen."""

from __future__ import annotations

import gc

import pytest

from ksf.core.warmup import warm_up


@pytest.mark.django_db(transaction=True)
def test_warm_up_builds_the_search_indexes_and_freezes_what_the_process_loaded(reference_data):
    try:
        summary = warm_up()
        assert summary["ready"] == {"search": True}
        assert summary["frozen_objects"] == gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
