"""Municipality pages and GET /api/v1/municipalities."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_municipality_list_shows_all_and_filters_by_county_and_region(client, reference_data):
    response = client.get(reverse("organisations:list"))
    assert response.status_code == 200
    assert response.context["count"] == 357
    assert "Askøy" in response.content.decode()
    response = client.get(reverse("organisations:list"), {"fylke": "46"})
    assert response.context["count"] == 43
    response = client.get(reverse("organisations:list"), {"region": "nord"})
    names = {m.name for m in response.context["municipalities"]}
    assert "Tromsø" in names and "Bergen" not in names


@pytest.mark.django_db
def test_municipality_search_by_name_or_number(client, reference_data):
    response = client.get(reverse("organisations:list"), {"q": "trond"})
    assert [m.name for m in response.context["municipalities"]] == ["Trondheim"]
    response = client.get(reverse("organisations:list"), {"q": "4627"})
    assert [m.name for m in response.context["municipalities"]] == ["Askøy"]


@pytest.mark.django_db
def test_municipality_page_shows_its_clusters(client, world):
    response = client.get(reverse("organisations:detail", args=["4627"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Askøy" in body and "Bergensklyngen" in body
    assert client.get(reverse("organisations:detail", args=["9999"])).status_code == 404


@pytest.mark.django_db
def test_cluster_page_lists_members_and_motorkommune(client, world):
    response = client.get(reverse("organisations:cluster", args=["bergensklyngen"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Bergen" in body and "Øygarden" in body and "Motorkommune" in body


@pytest.mark.django_db
def test_api_lists_all_357_municipalities_with_region_and_population(client, reference_data):
    response = client.get("/api/v1/municipalities", {"page_size": 500})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 357
    oslo = next(m for m in data["results"] if m["number"] == "0301")
    assert oslo == {
        "number": "0301", "name": "Oslo", "county": "03", "county_name": "Oslo",
        "region": "sorost", "region_name": "Helse Sør-Øst", "population": 717710, "malform": "neutral",
    }


@pytest.mark.django_db
def test_api_filters_municipalities_by_county_and_region(client, reference_data):
    assert client.get("/api/v1/municipalities", {"county": "46"}).json()["count"] == 43
    nord = client.get("/api/v1/municipalities", {"region": "nord", "page_size": 500}).json()
    assert {m["region"] for m in nord["results"]} == {"nord"}
    assert client.get("/api/v1/municipalities", {"region": "ukjent"}).json()["count"] == 0


@pytest.mark.django_db
def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/municipalities" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"
