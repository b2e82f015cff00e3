"""Whole answers shared between anonymous visitors within the grace period (production setting),
each with the visitor's own working CSRF token; never for logged-in users."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import path, reverse

from ksf.core.pagecache import CSRF_PLACEHOLDER, public_page
from ksf.needs.tests.helpers import walk
from ksf.needs.workflow import Status

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def clock(settings, monkeypatch):
    settings.PAGECACHE_GRACE_SECONDS = 5
    now = [1_000_000.0]
    monkeypatch.setattr("ksf.core.pagecache._now", lambda: now[0])
    return now


def test_a_visitor_within_the_grace_period_gets_the_shared_page_with_a_token_of_their_own(world, clock):
    walk(world, Status.CLUSTER_REVIEW, title="Fall hos hjemmeboende eldre")
    url = reverse("needs:list")
    first, second, later = (Client(enforce_csrf_checks=True) for _ in range(3))
    assert "Fall hos hjemmeboende eldre" in first.get(url).content.decode()

    walk(world, Status.CLUSTER_REVIEW, title="Ensomhet blant eldre")
    clock[0] += 4
    page = second.get(url).content.decode()
    assert "Ensomhet blant eldre" not in page  # the answer the first visitor got, 4 s old
    assert CSRF_PLACEHOLDER not in page
    # The language switcher on the shared page carries this visitor's own token, and it works.
    token = TOKEN.search(page).group(1)
    response = second.post(reverse("set_language"), {"language": "en", "next": url, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert second.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Knowledge needs" in second.get(url).content.decode()

    clock[0] += 2
    assert "Ensomhet blant eldre" in later.get(url).content.decode()


def test_the_token_of_one_visitor_does_not_work_for_another(world, clock):
    url = reverse("needs:list")
    one, other = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    token_one = TOKEN.search(one.get(url).content.decode()).group(1)
    other.get(url)  # the shared answer, with a CSRF cookie of its own
    response = other.post(reverse("set_language"), {"language": "en", "next": url, "csrfmiddlewaretoken": token_one})
    assert response.status_code == 403


def test_logged_in_users_always_get_a_fresh_page(client, world, clock):
    url = reverse("needs:list")
    client.get(url)
    walk(world, Status.CLUSTER_REVIEW, title="Ensomhet blant eldre")
    user = world.helsesykepleier_oygarden
    user.language = "nb"  # the same language as the anonymous page
    user.save()
    client.force_login(user)
    page = client.get(url).content.decode()
    assert "Ensomhet blant eldre" in page
    assert user.display_name in page


def test_a_pending_message_is_shown_to_the_visitor_it_belongs_to(client, world, clock):
    home = reverse("core:home")
    client.get(home)  # the shared front page, without a message
    # Erasing one's account ends on the front page as an anonymous visitor, with a message.
    user = world.helsesykepleier_oygarden
    user.set_password("et-langt-passord-1")
    user.language = "nb"  # the same language as the anonymous page
    user.save()
    client.force_login(user)
    response = client.post(reverse("accounts:privacy"), {"password": "et-langt-passord-1", "confirm": "on"}, follow=True)
    page = response.content.decode()
    assert 'class="messages"' in page and "Kontoen din er slettet" in page


def test_an_htmx_request_gets_its_own_answer_not_the_full_page(client, world, clock):
    walk(world, Status.CLUSTER_REVIEW, title="Fall hos hjemmeboende eldre")
    url = reverse("needs:list")
    assert "<html" in client.get(url).content.decode()
    partial = client.get(url, headers={"HX-Request": "true", "HX-Target": "results"}).content.decode()
    assert "<html" not in partial and "Fall hos hjemmeboende eldre" in partial


def test_pages_that_are_not_shared_still_get_a_working_token(world, clock):
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(reverse("accounts:login")).content.decode()
    assert CSRF_PLACEHOLDER not in page
    tokens = TOKEN.findall(page)
    assert tokens
    world.helsesykepleier_oygarden.set_password("et-langt-passord-1")
    world.helsesykepleier_oygarden.save()
    response = visitor.post(reverse("accounts:login"), {
        "username": world.helsesykepleier_oygarden.username, "password": "et-langt-passord-1", "csrfmiddlewaretoken": tokens[-1],
    })
    assert response.status_code == 302


@public_page
def _page_with_own_token(request):
    return HttpResponse(f"<p>{get_token(request)}</p>")


urlpatterns = [path("eget/", _page_with_own_token)]


@pytest.mark.urls(__name__)
def test_an_answer_holding_a_token_the_view_made_itself_is_not_shared(clock):
    first, second = Client(), Client()
    assert first.get("/eget/").content != second.get("/eget/").content
