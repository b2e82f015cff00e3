"""Anonymous search results and the anonymous API list are cached, and a change to what they show
is there on the next request (ksf.core.pagecache, ksf.search.services.results_version)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ksf.search.tests.test_services import FALL_NEED, FALLS

pytestmark = pytest.mark.django_db


def _search(client: Any, q: str) -> str:
    response = client.get(reverse("search:search"), {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def test_new_and_changed_records_show_in_the_next_anonymous_search(client, make_evidence, make_need):
    falls = make_evidence(*FALLS, year=2019)
    first = _search(client, "fallforebygging")
    assert reverse("evidence:detail", args=[falls.pk]) in first and "KB-2026" not in first.split('id="need-results-h"')[1]

    need = make_need(*FALL_NEED)
    assert need.public_id in _search(client, "fallforebygging")

    falls.title = "Exercise for preventing falls in older people (updated review)"
    falls.save()
    assert "(updated review)" in _search(client, "fallforebygging")

    need.status = "rejected"
    need.save()
    assert "Avvist" in _search(client, "fallforebygging")

    url = reverse("evidence:detail", args=[falls.pk])
    falls.delete()
    assert url not in _search(client, "fallforebygging")


def test_a_new_need_shows_in_the_next_anonymous_api_list(client, make_need):
    url = "/api/v1/needs"
    before = client.get(url).json()["count"]
    make_need("Ernæring hos eldre med demens")
    after = client.get(url).json()
    assert after["count"] == before + 1
    assert "Ernæring hos eldre med demens" in [n["title"] for n in after["results"]]
