"""A need in «research proposal» is followed to its project, and the project's results reach it."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from ksf.needs.models import NeedStatusChange
from ksf.needs.services import need_follow
from ksf.projects import services

from .factories import make_project, research_need


@pytest.mark.django_db
def test_need_goes_to_project_and_results_reach_its_timeline_and_followers(world, django_capture_on_commit_callbacks):
    need = research_need(world)
    need_follow(need=need, user=world.fou_trondheim)  # someone else follows it too
    project = make_project(world)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.project_link_need(project=project, user=world.fou_askoy, need=need)
    need.refresh_from_db()
    assert need.status == "in_project"
    link = NeedStatusChange.objects.filter(need=need).last()
    assert (link.from_status, link.to_status, link.level) == ("research_proposal", "in_project", "system")
    assert project.title in link.reason and f"/prosjekter/{project.pk}/" in link.reason
    assert {m.to[0] for m in mail.outbox} == {world.sykepleier_askoy.email, world.fou_trondheim.email}
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        project = services.project_publish_results(
            project=project, user=world.fou_askoy,
            results="Strukturert observasjon ga færre uplanlagte innleggelser.",
            publications=["10.1186/s12913-020-05000-1"],
        )
    need.refresh_from_db()
    assert need.status == "results_published"
    assert "færre uplanlagte innleggelser" in need.answer and project.title in need.answer
    last = NeedStatusChange.objects.filter(need=need).last()
    assert (last.from_status, last.to_status) == ("in_project", "results_published")
    assert "Resultater publisert" in last.reason
    assert {m.to[0] for m in mail.outbox} == {world.sykepleier_askoy.email, world.fou_trondheim.email}
    assert all("Resultater publisert" in m.subject for m in mail.outbox)
    assert project.results_published_at is not None


@pytest.mark.django_db
def test_linking_a_need_after_results_are_published_takes_it_straight_to_results(world):
    project = make_project(world)
    services.project_publish_results(project=project, user=world.fou_askoy, results="Resultatene i klarspråk.")
    project.refresh_from_db()
    need = research_need(world)
    services.project_link_need(project=project, user=world.fou_askoy, need=need)
    need.refresh_from_db()
    assert need.status == "results_published"
    assert list(NeedStatusChange.objects.filter(need=need).values_list("to_status", flat=True))[-2:] == [
        "in_project", "results_published"]


@pytest.mark.django_db
def test_republishing_results_does_not_move_needs_twice(world):
    need = research_need(world)
    project = make_project(world)
    services.project_link_need(project=project, user=world.fou_askoy, need=need)
    project = services.project_publish_results(project=project, user=world.fou_askoy, results="Første versjon.")
    first = project.results_published_at
    project = services.project_publish_results(project=project, user=world.fou_askoy, results="Rettet versjon.")
    assert project.results == "Rettet versjon." and project.results_published_at == first
    assert NeedStatusChange.objects.filter(need=need, to_status="results_published").count() == 1


@pytest.mark.django_db
def test_outsider_cannot_link_needs_or_publish_results(world):
    need = research_need(world)
    project = make_project(world)
    with pytest.raises(PermissionDenied):
        services.project_link_need(project=project, user=world.utenforstaende_tromso, need=need)
    with pytest.raises(PermissionDenied):
        services.project_publish_results(project=project, user=world.utenforstaende_tromso, results="Falske resultater")
    with pytest.raises(PermissionDenied):
        services.project_set_participation(project=project, user=world.utenforstaende_tromso, state="none")
    with pytest.raises(PermissionDenied):
        services.project_unlink_need(project=project, user=world.utenforstaende_tromso, need=need)
    need.refresh_from_db()
    project.refresh_from_db()
    assert need.status == "research_proposal" and project.results == "" and project.needs.count() == 0


@pytest.mark.django_db
def test_an_unpublished_need_cannot_be_linked(world):
    from ksf.needs.services import need_create

    draft = need_create(user=world.sykepleier_askoy, data={"title": "Utkast", "question": "Hva?", "service_area": "sykehjem"})
    project = make_project(world)
    with pytest.raises(ValidationError):
        services.project_link_need(project=project, user=world.fou_askoy, need=draft)
    assert project.needs.count() == 0


@pytest.mark.django_db
def test_publishing_results_needs_text(world):
    project = make_project(world)
    with pytest.raises(ValidationError) as exc:
        services.project_publish_results(project=project, user=world.fou_askoy, results="   ")
    assert "klarspråk" in exc.value.message_dict["results"][0]
