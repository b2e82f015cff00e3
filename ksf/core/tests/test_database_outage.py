"""While the database is unreachable, every page answers with the clear 503 page, never a 500."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def _refuse(*args, **kwargs):
    raise OperationalError("connection to server at \"127.0.0.1\", port 5432 failed: Connection refused")


def test_a_logged_in_visitor_gets_the_clear_503_page_when_the_session_cannot_be_read(world, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(world.sykepleier_askoy)
    monkeypatch.setattr(SessionStore, "_get_session_from_db", _refuse)
    response = client.get("/behov/nytt/")
    assert response.status_code == 503
    assert "midlertidig utilgjengelig" in response.content.decode()
    assert response["Retry-After"] == "10"


def test_an_anonymous_visitor_gets_the_clear_503_page_when_a_view_cannot_reach_the_database(monkeypatch):
    from ksf.needs import selectors

    monkeypatch.setattr(selectors, "need_list", _refuse)
    response = Client(raise_request_exception=False).get("/behov/?service_area=sykehjem")
    assert response.status_code == 503
    assert "midlertidig utilgjengelig" in response.content.decode()
