"""Shared pytest fixtures: reference data and the test personas for every level.

Personas (as in the brief): a nurse reporting in Askøy, Askøy's R&D contact, the Bergen
cluster coordinator, the RSO Vest coordinator, an FHI research partner, the national
coordinator, a supplier, an administrator — and an outsider from Tromsø (Helse Nord).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksf.settings")


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = True
    # Lexical search only in tests; tests of the dense path switch it on for a few texts.
    settings.SEARCH_EMBEDDINGS = False
    # The in-process index lives for the whole test process: re-sync on every query.
    settings.SEARCH_SYNC_SECONDS = 0
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load the 357 municipalities once per test database (tests roll back on top of it)."""
    with django_db_blocker.unblock():
        _ensure_reference_data()
        from ksf.core.personas import build_world

        build_world()


def _ensure_reference_data() -> None:
    from ksf.organisations.models import Organisation, OrgKind
    from ksf.organisations.reference import load_reference_data

    # Transactional tests (live server, concurrency) flush the tables; reload only then.
    if Organisation.objects.filter(kind=OrgKind.MUNICIPALITY).count() != 357:
        load_reference_data()


@pytest.fixture
def reference_data(db: Any) -> None:
    _ensure_reference_data()


@pytest.fixture
def world(reference_data: Any) -> Any:
    """Clusters, bodies, partners and one user per persona (see ksf/core/personas.py)."""
    from ksf.core.personas import load_world

    return load_world()
