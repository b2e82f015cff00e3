"""The projects API decides access before it validates: 403 whatever the payload, nothing stored."""

import pytest
from rest_framework.test import APIClient

from ksf.projects.models import Project

from .factories import make_project

pytestmark = pytest.mark.django_db

BROKEN = [{}, {"title": "", "start_date": "i går", "owner": "finnes-ikke"}, {"funding": [{"source": "x", "amount": -1}]}]


@pytest.mark.parametrize("payload", BROKEN)
@pytest.mark.parametrize("persona", ["sykepleier_askoy", "leverandor"])
def test_someone_who_may_not_register_projects_gets_403_whatever_the_payload(world, persona, payload):
    api = APIClient()
    api.force_authenticate(getattr(world, persona))
    before = Project.objects.count()
    response = api.post("/api/v1/projects", payload, format="json")
    assert response.status_code == 403
    assert Project.objects.count() == before


def test_a_contact_with_a_broken_payload_still_gets_400(world):
    api = APIClient()
    api.force_authenticate(world.fou_askoy)
    assert api.post("/api/v1/projects", BROKEN[1], format="json").status_code == 400


@pytest.mark.parametrize("payload", BROKEN)
def test_an_outsider_changing_a_project_gets_403_whatever_the_payload(world, payload):
    project = make_project(world, title="Uendret")
    api = APIClient()
    api.force_authenticate(world.utenforstaende_tromso)
    assert api.patch(f"/api/v1/projects/{project.pk}", payload, format="json").status_code == 403
    assert api.post(f"/api/v1/projects/{project.pk}/results", payload, format="json").status_code == 403
    assert Project.objects.get(pk=project.pk).title == "Uendret"
