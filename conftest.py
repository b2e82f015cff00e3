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
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def reference_data(db: Any) -> None:
    from ksf.organisations.reference import load_reference_data

    load_reference_data()


@pytest.fixture
def world(reference_data: Any) -> Any:
    """Clusters, bodies, partners and one user per persona (see ksf/core/personas.py)."""
    from ksf.core.personas import build_world

    return build_world()
