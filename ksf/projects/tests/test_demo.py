"""The demo set loads, is idempotent, and lets a need be followed to its project and results."""

import pytest

from ksf.needs.models import Need
from ksf.projects import demo
from ksf.projects.models import Project


@pytest.mark.django_db
def test_demo_loads_projects_in_several_regions_and_is_idempotent(world):
    message = demo.load(world)
    assert "prosjekter" in message
    count = Project.objects.count()
    assert count == len(demo.PROJECTS)
    regions = set(Project.objects.values_list("owner__region__code", flat=True))
    assert {"vest", "midt", "nord", "sorost"} <= regions
    states = set(Project.objects.values_list("participation_reported", flat=True))
    assert states == {"participation", "none", "not_reported"}
    assert not Project.objects.exclude(cristin_id="").exists()
    demo.load(world)
    assert Project.objects.count() == count


@pytest.mark.django_db
def test_demo_needs_are_followed_to_project_and_results(world):
    demo.load(world)
    in_project = Need.objects.get(title=demo.DEMO_NEEDS[0]["title"])
    with_results = Need.objects.get(title=demo.DEMO_NEEDS[1]["title"])
    assert in_project.status == "in_project"
    assert with_results.status == "results_published"
    assert with_results.projects.get().results_published_at is not None
    assert "medisindispenser" in with_results.answer


@pytest.mark.django_db
def test_demo_pages_render_for_the_public(world, client):
    from django.urls import reverse

    demo.load(world)
    response = client.get(reverse("projects:list"))
    assert response.status_code == 200 and response.context["count"] == len(demo.PROJECTS)
    need = Need.objects.get(title=demo.DEMO_NEEDS[1]["title"])
    project = need.projects.get()
    body = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert need.public_id in body and "Resultater" in body and "Medforsker" in body
    assert client.get(reverse("projects:list"), {"participation": "not_reported"}).context["count"] == 1


@pytest.mark.django_db
def test_demo_gives_needs_already_in_project_a_project_to_follow(world):
    from ksf.needs.services import need_transition

    from .factories import research_need

    need = research_need(world, title="Ensomhet blant eldre")
    need = need_transition(need=need, user=world.regionkoordinator_vest, to="in_project", project_ref="Et prosjekt")
    demo.load(world)
    project = need.projects.get()
    assert project.title.startswith("Ensomhet blant eldre") and project.owner == world.askoy
    assert project.leader == world.uib and project.participation_reported == "participation"
    demo.load(world)
    assert need.projects.count() == 1
