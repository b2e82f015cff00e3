"""GET/POST /api/v1/projects, GET/PATCH /api/v1/projects/{id}, POST .../results, and the schema."""

import pytest
from rest_framework.test import APIClient

from ksf.projects.models import Project

from .factories import make_project, research_need


def payload(**overrides):
    data = {
        "title": "Digital hjemmeoppfølging", "summary": "Om prosjektet.", "kind": "innovation", "status": "ongoing",
        "start_date": "2025-01-01", "end_date": "2026-06-30", "owner": "4627", "leader": "uib",
        "partners": ["usht-vestland"], "municipalities": ["4627", "4626"], "keywords": ["kols"],
        "service_areas": ["velferdsteknologi"],
        "funding": [{"source": "pilot_helse", "amount": 2_000_000}],
        "participation_reported": "participation",
        "participation": [{"phase": "conduct", "capacity": "representative", "who": "patients"}],
    }
    data.update(overrides)
    return data


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.django_db
def test_anyone_lists_published_projects_with_filters_and_pages(world, api):
    make_project(world, title="A", status="ongoing")
    make_project(world, title="B", status="completed", state="none", rows=[])
    make_project(world, title="Skjult", is_published=False)
    data = api.get("/api/v1/projects").json()
    assert data["count"] == 2 and {p["title"] for p in data["results"]} == {"A", "B"}
    assert api.get("/api/v1/projects", {"participation": "none"}).json()["results"][0]["title"] == "B"
    assert api.get("/api/v1/projects", {"phase": "design", "capacity": "adviser"}).json()["count"] == 1
    page = api.get("/api/v1/projects", {"page_size": 1}).json()
    assert page["count"] == 2 and len(page["results"]) == 1 and page["next"]


@pytest.mark.django_db
def test_detail_shows_the_need_and_results_so_a_need_can_be_followed(world, api):
    from ksf.projects import services

    need = research_need(world)
    project = make_project(world)
    services.project_link_need(project=project, user=world.fou_askoy, need=need)
    data = api.get(f"/api/v1/projects/{project.pk}").json()
    assert data["needs"] == [{"public_id": need.public_id, "title": need.title, "status": "in_project"}]
    assert data["owner"] == {"ref": "4627", "name": "Askøy", "kind": "municipality"}
    assert data["funding"] == [{"source": "regionale_forskningsfond", "amount": 1_000_000, "note": ""}]
    assert data["participation"] == [{"phase": "design", "capacity": "adviser", "who": "patients"}]
    assert [p["id"] for p in api.get("/api/v1/projects", {"need": need.public_id}).json()["results"]] == [project.pk]

    api.force_authenticate(world.fou_askoy)
    response = api.post(f"/api/v1/projects/{project.pk}/results", {"results": "Klar effekt."}, format="json")
    assert response.status_code == 200
    assert response.json()["needs"][0]["status"] == "results_published"
    assert api.get(f"/api/v1/projects/{project.pk + 1000}").status_code == 404


@pytest.mark.django_db
def test_authorised_user_creates_and_patches_a_project(world, api):
    need = research_need(world)
    api.force_authenticate(world.koordinator_bergen)
    response = api.post("/api/v1/projects", payload(needs=[need.public_id]), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["owner"]["ref"] == "4627" and data["needs"][0]["status"] == "in_project"
    assert data["participation_reported"] == "participation"
    project_id = data["id"]
    response = api.patch(f"/api/v1/projects/{project_id}", {"status": "completed", "version": data["version"]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "completed" and response.json()["title"] == "Digital hjemmeoppfølging"
    assert response.json()["funding"] == [{"source": "pilot_helse", "amount": 2_000_000, "note": ""}]
    stale = api.patch(f"/api/v1/projects/{project_id}", {"title": "X", "version": data["version"]}, format="json")
    assert stale.status_code == 400 and "endret av noen andre" in str(stale.json())


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"owner": "finnes-ikke"}, "owner", "Ukjent organisasjon"),
        ({"end_date": "2020-01-01"}, "end_date", "før startdatoen"),
        ({"funding": [{"source": "eu", "amount": -1}]}, "funding", "negativt"),
        ({"funding": [{"source": "eu", "amount": 10_000_000_000}]}, "funding", "urimelig høyt"),
        ({"participation": [{"phase": "sleep", "capacity": "adviser", "who": "patients"}]}, "participation", "sleep"),
        ({"participation_reported": "none"}, "participation", "bare registreres"),
        ({"publications": ["doi"]}, "publications", "Ugyldig DOI"),
    ],
)
@pytest.mark.django_db
def test_bad_input_gives_400_with_norwegian_message_and_stores_nothing(world, api, overrides, field, message):
    api.force_authenticate(world.fou_askoy)
    response = api.post("/api/v1/projects", payload(**overrides), format="json")
    assert response.status_code == 400
    assert message in str(response.json().get(field)), response.json()
    assert Project.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_cristin_id_is_refused_by_the_api(world, api):
    make_project(world, cristin_id="4242")
    api.force_authenticate(world.fou_askoy)
    response = api.post("/api/v1/projects", payload(cristin_id="4242"), format="json")
    assert response.status_code == 400 and "4242" in str(response.json()["cristin_id"])
    assert Project.objects.count() == 1


@pytest.mark.django_db
def test_outsider_and_anonymous_cannot_write_through_the_api(world, api):
    project = make_project(world)
    assert api.post("/api/v1/projects", payload(), format="json").status_code in (401, 403)
    assert api.patch(f"/api/v1/projects/{project.pk}", {"title": "X"}, format="json").status_code in (401, 403)
    api.force_authenticate(world.utenforstaende_tromso)
    assert api.post("/api/v1/projects", payload(), format="json").status_code == 403
    assert api.post("/api/v1/projects", payload(owner="5501", leader="5501"), format="json").status_code == 403
    assert api.patch(f"/api/v1/projects/{project.pk}", {"title": "Kapret"}, format="json").status_code == 403
    assert api.post(f"/api/v1/projects/{project.pk}/results", {"results": "Falskt"}, format="json").status_code == 403
    assert api.delete(f"/api/v1/projects/{project.pk}").status_code == 405
    project.refresh_from_db()
    assert project.title != "Kapret" and project.results == "" and Project.objects.count() == 1


@pytest.mark.django_db
def test_projects_are_in_the_openapi_schema(api, db):
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/projects"])
    assert {"get", "patch"} <= set(paths["/api/v1/projects/{id}"])
    assert "post" in paths["/api/v1/projects/{id}/results"]
    names = {p["name"] for p in paths["/api/v1/projects"]["get"]["parameters"]}
    assert {"region", "municipality", "service_area", "status", "funding_source", "participation", "phase", "capacity"} <= names
    assert "ProjectWriteRequest" in schema["components"]["schemas"] or any(
        "ProjectWrite" in k for k in schema["components"]["schemas"])
