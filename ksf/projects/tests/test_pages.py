"""Project pages: list with filters, detail, register/edit forms with formsets, results, municipality page."""

import pytest
from django.urls import reverse

from ksf.projects.models import Project

from .factories import make_project, research_need


def form_data(world, **overrides):
    data = {
        "title": "Ernæring på sykehjem", "summary": "Om prosjektet.", "kind": "research", "status": "planned",
        "start_date": "2025-01-01", "end_date": "2026-01-01", "owner": world.askoy.pk, "leader": world.uib.pk,
        "partners": [world.usht_vestland.pk], "municipalities": [world.askoy.pk], "keywords": "ernæring; måltid",
        "service_areas": ["sykehjem"], "cristin_id": "", "participation_reported": "participation", "is_published": "on",
        "funding-TOTAL_FORMS": "2", "funding-INITIAL_FORMS": "0", "funding-MIN_NUM_FORMS": "0", "funding-MAX_NUM_FORMS": "30",
        "funding-0-source": "forskningsradet", "funding-0-amount": "1 500 000", "funding-0-note": "",
        "funding-1-source": "", "funding-1-amount": "", "funding-1-note": "",
        "participation-TOTAL_FORMS": "2", "participation-INITIAL_FORMS": "0", "participation-MIN_NUM_FORMS": "0",
        "participation-MAX_NUM_FORMS": "60",
        "participation-0-phase": "design", "participation-0-capacity": "adviser", "participation-0-who": "next_of_kin",
        "participation-1-phase": "", "participation-1-capacity": "", "participation-1-who": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_public_list_shows_published_projects_and_filters(world, client):
    make_project(world, title="Synlig prosjekt", status="ongoing")
    make_project(world, title="Upublisert prosjekt", is_published=False)
    make_project(world, title="Trondheimsprosjekt", owner=world.trondheim, leader=world.trondheim,
                 municipalities=[world.trondheim], user=world.fou_trondheim, status="completed")
    response = client.get(reverse("projects:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Synlig prosjekt" in body and "Trondheimsprosjekt" in body and "Upublisert" not in body
    assert "Registrer prosjekt" not in body
    response = client.get(reverse("projects:list"), {"region": "midt"})
    assert [p.title for p in response.context["projects"]] == ["Trondheimsprosjekt"]
    response = client.get(reverse("projects:list"), {"municipality": "4627", "status": "ongoing"})
    assert [p.title for p in response.context["projects"]] == ["Synlig prosjekt"]
    assert "status=ongoing" in response.context["export_query"]


@pytest.mark.django_db
def test_detail_shows_needs_funding_participation_and_results(world, client):
    need = research_need(world)
    project = make_project(world)
    from ksf.projects import services

    services.project_link_need(project=project, user=world.fou_askoy, need=need)
    services.project_publish_results(project=project, user=world.fou_askoy, results="Vi fant en klar effekt.")
    body = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert need.public_id in body and "Vi fant en klar effekt." in body
    assert "Regionale forskningsfond" in body
    assert any(amount in body for amount in ("1 000 000", "1\xa0000\xa0000", "1,000,000"))
    assert "Utforme og planlegge" in body and "Rådgiver / referansegruppe – Pasienter og brukere" in body
    assert "Endre prosjektet" not in body


@pytest.mark.django_db
def test_unpublished_project_is_hidden_from_the_public_and_outsiders(world, client):
    project = make_project(world, is_published=False)
    url = reverse("projects:detail", args=[project.pk])
    assert client.get(url).status_code == 404
    client.force_login(world.utenforstaende_tromso)
    assert client.get(url).status_code == 404
    client.force_login(world.koordinator_bergen)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_contact_registers_a_project_through_the_form(world, client):
    client.force_login(world.fou_askoy)
    assert client.get(reverse("projects:create")).status_code == 200
    response = client.post(reverse("projects:create"), form_data(world, owner=world.askoy.pk))
    assert response.status_code == 302, response.content.decode()[:3000]
    project = Project.objects.get()
    assert [(f.source, f.amount) for f in project.funding.all()] == [("forskningsradet", 1_500_000)]
    assert [(r.phase, r.capacity, r.who) for r in project.participation.all()] == [("design", "adviser", "next_of_kin")]
    assert project.keyword_list == ["ernæring", "måltid"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_date": "2024-01-01"}, "Sluttdatoen kan ikke være før startdatoen."),
        ({"funding-0-amount": "-5"}, "beløpet kan ikke være negativt"),
        ({"funding-0-amount": "9999999999"}, "urimelig høyt"),
        ({"funding-0-source": ""}, "Fyll ut både kilde og beløp"),
        ({"participation-0-capacity": ""}, "Velg fase, rolle og hvem"),
        ({"participation-0-phase": "hemmelig"}, "Velg et gyldig valg"),
        ({"participation_reported": "none"}, "bare registreres"),
        ({"participation_reported": "participation", "participation-0-phase": "", "participation-0-capacity": "",
          "participation-0-who": ""}, "minst én rad"),
        ({"title": ""}, "Dette feltet er påkrevd"),
    ],
)
@pytest.mark.django_db
def test_form_shows_norwegian_errors_and_stores_nothing(world, client, overrides, message):
    client.force_login(world.fou_askoy)
    response = client.post(reverse("projects:create"), form_data(world, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Project.objects.count() == 0


@pytest.mark.django_db
def test_owner_edits_through_the_form_and_outsider_cannot(world, client):
    project = make_project(world)
    url = reverse("projects:edit", args=[project.pk])
    client.force_login(world.utenforstaende_tromso)
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(world, title="Kapret", version=project.version)).status_code == 403
    assert client.get(reverse("projects:create")).status_code == 403
    assert client.post(reverse("projects:create"), form_data(world)).status_code == 403
    assert client.post(reverse("projects:results", args=[project.pk]), {"results": "Falskt"}).status_code == 403
    assert client.post(reverse("projects:link_need", args=[project.pk]), {"need": "KB-2026-0001"}).status_code == 403
    project.refresh_from_db()
    assert project.title != "Kapret" and project.results == "" and Project.objects.count() == 1

    client.force_login(world.koordinator_bergen)
    page = client.get(url)
    assert page.status_code == 200 and project.title in page.content.decode()
    response = client.post(url, form_data(world, title="Nytt navn", version=project.version, owner=world.askoy.pk))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "Nytt navn"
    stale = client.post(url, form_data(world, title="Gammel versjon", version=project.version - 1, owner=world.askoy.pk))
    assert stale.status_code == 400 and "endret av noen andre" in stale.content.decode()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in_for_writes(world, client):
    project = make_project(world)
    for url in (reverse("projects:create"), reverse("projects:edit", args=[project.pk]), reverse("projects:import")):
        response = client.get(url)
        assert response.status_code == 302 and "/konto/logg-inn/" in response["Location"]


@pytest.mark.django_db
def test_linking_a_need_and_publishing_results_through_the_pages(world, client):
    need = research_need(world)
    project = make_project(world)
    client.force_login(world.fou_askoy)
    response = client.post(reverse("projects:link_need", args=[project.pk]), {"need": need.public_id.lower()})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == "in_project"
    response = client.post(reverse("projects:results", args=[project.pk]),
                           {"results": "Resultatene i klarspråk.", "publications": "10.1186/s12913-020-05000-1\n", "links": ""})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == "results_published"
    response = client.post(reverse("projects:results", args=[project.pk]), {"results": "x", "publications": "feil-doi"})
    assert response.status_code == 400 and "Ugyldig DOI" in response.content.decode()


@pytest.mark.django_db
def test_municipality_page_lists_its_projects(world, client):
    make_project(world, title="Askøy-prosjektet")
    make_project(world, title="Ikke publisert i Askøy", is_published=False)
    body = client.get(reverse("organisations:detail", args=["4627"])).content.decode()
    assert "FoU- og innovasjonsprosjekter" in body and "Askøy-prosjektet" in body and "Ikke publisert" not in body
    body = client.get(reverse("organisations:detail", args=["5501"])).content.decode()
    assert "Ingen registrerte prosjekter" in body
