"""The evidence API: list with filters, a record, a need's links, linking (with the same access)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from ksf.evidence.models import Evidence, NeedEvidenceLink
from ksf.evidence.services import evidence_import_file, evidence_link

from .conftest import DEMO_JSON, fodselsnummer

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def demo(db):
    evidence_import_file(source=DEMO_JSON)


@pytest.fixture
def falls(demo):
    return Evidence.objects.get(doi="10.1002/14651858.cd012424.pub2")


def test_evidence_list_is_public_paginated_and_filtered(api, demo):
    response = api.get("/api/v1/evidence")
    assert response.status_code == 200
    assert response.data["count"] == 42 and len(response.data["results"]) == 42
    first = response.data["results"][0]
    assert {"id", "title", "title_no", "source", "type", "doi_url", "pubmed_url", "cochrane_id"} <= set(first)
    assert api.get("/api/v1/evidence", {"source": "cochrane"}).data["count"] == 23
    assert api.get("/api/v1/evidence", {"q": "falls"}).data["count"] == 2
    assert api.get("/api/v1/evidence", {"year_from": 2019, "year_to": 2019, "source": "cochrane"}).data["count"] == 1
    assert api.get("/api/v1/evidence", {"type": "guideline"}).data["count"] == 0
    assert api.get("/api/v1/evidence", {"year_from": "abc"}).data["count"] == 42
    page = api.get("/api/v1/evidence", {"page_size": 10, "page": 2}).data
    assert len(page["results"]) == 10 and page["previous"]


def test_evidence_detail_has_links_and_only_published_needs(api, falls, make_need, world):
    published = make_need()
    hidden = make_need(status="submitted", published=False)
    for need in (published, hidden):
        NeedEvidenceLink.objects.create(need=need, evidence=falls, relation="answers")
    data = api.get(f"/api/v1/evidence/{falls.pk}").data
    assert data["doi_url"] == "https://doi.org/10.1002/14651858.cd012424.pub2"
    assert data["pubmed_url"] == "https://pubmed.ncbi.nlm.nih.gov/30703272/"
    assert [n["public_id"] for n in data["needs"]] == [published.public_id]
    assert api.get("/api/v1/evidence/999999").status_code == 404


def test_need_evidence_is_listed_for_anyone_who_may_see_the_need(api, falls, make_need, world):
    need = make_need()
    evidence_link(need=need, evidence=falls, relation="answers", what_we_know="Trening virker.", user=world.nasjonal_ks)
    data = api.get(f"/api/v1/needs/{need.public_id}/evidence").data
    assert [(d["relation"], d["what_we_know"], d["evidence"]["id"]) for d in data] == [("answers", "Trening virker.", falls.pk)]
    unpublished = make_need(status="submitted", published=False)
    assert api.get(f"/api/v1/needs/{unpublished.public_id}/evidence").status_code == 404
    api.force_authenticate(world.koordinator_bergen)
    assert api.get(f"/api/v1/needs/{unpublished.public_id}/evidence").status_code == 200


def test_coordinator_links_evidence_through_the_api(api, falls, make_need, world):
    need = make_need()
    api.force_authenticate(world.koordinator_bergen)
    url = f"/api/v1/needs/{need.public_id}/evidence"
    response = api.post(url, {"evidence": falls.pk, "relation": "partly", "what_we_know": "Delvis."}, format="json")
    assert response.status_code == 201 and response.data["relation"] == "partly"
    response = api.post(url, {"evidence": falls.pk, "relation": "answers"}, format="json")
    assert response.status_code == 200 and response.data["relation"] == "answers"
    assert NeedEvidenceLink.objects.get().created_by == world.koordinator_bergen
    assert api.delete(f"{url}/{falls.pk}").status_code == 204
    assert api.delete(f"{url}/{falls.pk}").status_code == 404


@pytest.mark.parametrize("persona", ["utenforstaende_tromso", "sykepleier_askoy", "forsker_fhi"])
def test_people_without_a_linking_level_cannot_link_through_the_api(api, falls, make_need, world, persona):
    need = make_need()
    api.force_authenticate(getattr(world, persona))
    response = api.post(f"/api/v1/needs/{need.public_id}/evidence", {"evidence": falls.pk, "relation": "answers"}, format="json")
    assert response.status_code == 403
    assert not NeedEvidenceLink.objects.exists()


def test_anonymous_cannot_link_through_the_api(api, falls, make_need):
    need = make_need()
    response = api.post(f"/api/v1/needs/{need.public_id}/evidence", {"evidence": falls.pk, "relation": "answers"}, format="json")
    assert response.status_code in (401, 403)
    assert not NeedEvidenceLink.objects.exists()


def test_api_refuses_fodselsnummer_and_bad_input_with_messages(api, falls, make_need, world):
    need = make_need()
    api.force_authenticate(world.regionkoordinator_vest)
    url = f"/api/v1/needs/{need.public_id}/evidence"
    response = api.post(url, {"evidence": falls.pk, "relation": "answers", "what_we_know": f"Pasient {fodselsnummer()}"}, format="json")
    assert response.status_code == 400 and "fødselsnummer" in str(response.data["what_we_know"])
    assert api.post(url, {"evidence": falls.pk, "relation": "kanskje"}, format="json").status_code == 400
    assert api.post(url, {"evidence": 999999, "relation": "answers"}, format="json").status_code == 404
    assert not NeedEvidenceLink.objects.exists()


def test_evidence_endpoints_are_in_the_openapi_schema(api):
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"] if hasattr(response, "json") else {}
    for path in ["/api/v1/evidence", "/api/v1/evidence/{id}", "/api/v1/needs/{public_id}/evidence"]:
        assert path in paths, path
    assert "post" in paths["/api/v1/needs/{public_id}/evidence"]
