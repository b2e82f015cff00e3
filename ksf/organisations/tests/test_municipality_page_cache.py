"""A municipality page's sections (needs, projects, comparison, ...) are cached for anonymous
visitors under the data versions of every app that adds one, so a change in any of them shows
on the next visit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ksf.needs import services as need_services
from ksf.needs.workflow import Status
from ksf.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db


def _page(client, number: str = "4627") -> str:
    response = client.get(reverse("organisations:detail", args=[number]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_project_and_a_published_need_show_on_the_next_anonymous_visit(client, world):
    assert "Tidlig oppdagelse av forverring" not in _page(client)

    make_project(world)
    assert "Tidlig oppdagelse av forverring" in _page(client)

    need = need_services.need_create(
        user=world.sykepleier_askoy,
        data={"title": "Ernæring hos hjemmeboende med demens", "question": "Hva virker?", "service_area": "hjemmetjenester"},
        submit=True,
    )
    assert "Ernæring hos hjemmeboende med demens" not in _page(client)  # not public yet
    need_services.need_transition(need=need, user=world.koordinator_bergen, to=Status.CLUSTER_REVIEW)
    assert "Ernæring hos hjemmeboende med demens" in _page(client)


def test_logged_in_visitors_get_freshly_rendered_sections(client, world):
    _page(client)
    client.force_login(world.sykepleier_askoy)
    make_project(world)
    assert "Tidlig oppdagelse av forverring" in _page(client)


def test_the_anonymous_project_list_shows_a_new_project_and_a_new_filter_choice_on_the_next_visit(client, world):
    url = reverse("projects:list")
    assert "Tidlig oppdagelse av forverring" not in client.get(url).content.decode()
    make_project(world)
    body = client.get(url).content.decode()
    assert "Tidlig oppdagelse av forverring" in body and '<option value="4627"' in body
    make_project(world, title="Velferdsteknologi i Bergen", municipalities=[world.bergen])
    body = client.get(url).content.decode()
    assert "Velferdsteknologi i Bergen" in body and '<option value="4601"' in body
