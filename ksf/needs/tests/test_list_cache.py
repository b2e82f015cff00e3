"""The public list is cached for anonymous visitors, and every change shows on the next visit."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from ksf.needs import services
from ksf.needs.workflow import Status

from .helpers import walk

pytestmark = pytest.mark.django_db


def _row(body: str, public_id: str) -> str:
    match = re.search(rf"<tr>\s*<td><span class=\"nowrap\">{public_id}</span>.*?</tr>", body, re.S)
    assert match, f"{public_id} not in the list"
    return match.group(0)


def test_a_new_endorsement_a_new_need_and_a_status_change_show_on_the_next_anonymous_visit(client, world):
    need = walk(world, Status.CLUSTER_REVIEW, title="Fall hos hjemmeboende eldre")
    url = reverse("needs:list")
    assert '<td class="num">1</td>' in _row(client.get(url).content.decode(), need.public_id)

    services.need_endorse(need=need, user=world.helsesykepleier_oygarden)
    assert '<td class="num">2</td>' in _row(client.get(url).content.decode(), need.public_id)

    other = walk(world, Status.CLUSTER_REVIEW, title="Ensomhet blant eldre")
    assert "Ensomhet blant eldre" in client.get(url).content.decode()

    services.need_transition(need=other, user=world.koordinator_bergen, to=Status.REJECTED, reason="Utenfor mandatet.")
    assert "Avvist" in _row(client.get(url).content.decode(), other.public_id)


def test_the_cached_list_follows_the_language(client, world):
    walk(world, Status.CLUSTER_REVIEW, title="Fall hos hjemmeboende eldre")
    url = reverse("needs:list")
    assert "Ingen behov passer" not in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    bokmal = client.get(url).content.decode()
    assert "Last ned CSV" in bokmal and "Last ned CSV" not in english


def test_a_repeated_anonymous_visit_does_not_query_the_needs_again(client, world, django_assert_max_num_queries):
    for i in range(5):
        walk(world, Status.CLUSTER_REVIEW, title=f"Behov {i}")
    client.get(reverse("needs:list"))
    # The data version, then the filter choices (regions, clusters); the rows come from the cache.
    with django_assert_max_num_queries(3):
        client.get(reverse("needs:list"))


def test_with_a_grace_period_a_change_shows_to_anonymous_visitors_once_it_has_passed(client, world, settings, monkeypatch):
    settings.PAGECACHE_GRACE_SECONDS = 5
    clock = [1_000_000.0]
    monkeypatch.setattr("ksf.core.pagecache._now", lambda: clock[0])
    need = walk(world, Status.CLUSTER_REVIEW, title="Fall hos hjemmeboende eldre")
    url = reverse("needs:list")
    assert '<td class="num">1</td>' in _row(client.get(url).content.decode(), need.public_id)

    services.need_endorse(need=need, user=world.helsesykepleier_oygarden)
    clock[0] += 4
    assert '<td class="num">1</td>' in _row(client.get(url).content.decode(), need.public_id)
    # The reporter who endorsed is logged in and sees it at once.
    client.force_login(world.helsesykepleier_oygarden)
    assert '<td class="num">2</td>' in _row(client.get(url).content.decode(), need.public_id)
    client.logout()

    clock[0] += 2
    assert '<td class="num">2</td>' in _row(client.get(url).content.decode(), need.public_id)
    detail = client.get(reverse("needs:detail", args=[need.public_id])).content.decode()
    assert "Øygarden" in detail.split('id="support"')[1].split("</section>")[0]
