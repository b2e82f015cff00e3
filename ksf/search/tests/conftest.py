"""Fixtures for the search tests: a fresh index per test, synced on every query, and records."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.utils import timezone

_numbers = itertools.count(7001)


@pytest.fixture(autouse=True)
def _fresh_index(settings: Any) -> Any:
    from ksf.search import index

    settings.SEARCH_SYNC_SECONDS = 0
    index.reset()
    yield
    index.reset()


@pytest.fixture
def make_evidence(db: Any) -> Any:
    from ksf.evidence.models import Evidence

    def make(title: str, abstract: str = "", **kw: Any) -> Evidence:
        kw.setdefault("language", "en")
        kw.setdefault("source", "cochrane")
        kw.setdefault("year", 2020)
        return Evidence.objects.create(title=title, abstract=abstract, title_key=title.lower(), **kw)

    return make


@pytest.fixture
def make_need(world: Any) -> Any:
    """A need from Askøy (Bergen cluster, Helse Vest); published unless told otherwise."""
    from ksf.needs.models import Need

    def make(title: str, question: str = "", *, status: str = "cluster_review", published: bool = True,
             municipality: Any = None, created_by: Any = None, answer: str = "") -> Need:
        muni = municipality or world.askoy
        return Need.objects.create(
            public_id=f"KB-2026-{next(_numbers):04d}", title=title, question=question or title,
            service_area="hjemmetjenester", municipality=muni, region_id=muni.region_id,
            cluster=world.bergensklyngen if muni == world.askoy else None,
            created_by=created_by or world.sykepleier_askoy, status=status, answer=answer,
            published_at=timezone.now() if published else None,
        )

    return make
