"""The default language of a logged-in user (own choice, else the municipality's målform) is taken
from data the request loads anyway: it costs no database query of its own."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _get(client, path="/"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    membership_queries = [q["sql"] for q in queries.captured_queries if "accounts_membership" in q["sql"]]
    return response, len(queries.captured_queries), membership_queries


def test_a_nynorsk_municipality_user_gets_nynorsk_without_an_extra_query(client, world):
    user = world.helsesykepleier_oygarden  # Øygarden writes nynorsk; no language chosen
    assert user.language == ""
    client.force_login(user)
    _get(client)  # warm caches (site sections etc.)
    response, by_malform, memberships = _get(client)
    assert response.context["LANGUAGE_CODE"] == "nn"
    assert len(memberships) == 1  # the actor's, reused for the language default
    user.language = "nn"
    user.save(update_fields=["language"])
    response, by_choice, _ = _get(client)
    assert response.context["LANGUAGE_CODE"] == "nn"
    assert by_malform == by_choice


def test_the_default_language_is_unchanged_for_choices_cookies_and_other_users(client, world):
    client.force_login(world.sykepleier_askoy)  # Askøy is a bokmål municipality
    assert client.get("/").context["LANGUAGE_CODE"] == "nb"
    client.force_login(world.koordinator_bergen)  # no municipality membership
    assert client.get("/").context["LANGUAGE_CODE"] == "nb"
    client.force_login(world.helsesykepleier_oygarden)
    client.cookies["django_language"] = "en"  # the switcher's choice wins over målform
    assert client.get("/").context["LANGUAGE_CODE"] == "en"
    del client.cookies["django_language"]
    user = world.helsesykepleier_oygarden
    user.language = "en"
    user.save(update_fields=["language"])
    assert client.get("/").context["LANGUAGE_CODE"] == "en"
