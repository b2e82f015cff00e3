"""GET/POST /api/v1/needs…: public reads, authenticated writes, Norwegian errors, the schema."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from ksf.needs import services
from ksf.needs.models import Need, NeedStatusChange
from ksf.needs.workflow import Status

from .helpers import BASE_DATA, due, register, valid_fnr, walk

pytestmark = pytest.mark.django_db
API = "/api/v1/needs"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def needs(world):
    published = walk(world, Status.FORWARDED, title="Fall hos hjemmeboende eldre")
    services.need_endorse(need=published, user=world.helsesykepleier_oygarden)
    return {
        "published": published,
        "submitted": walk(world, Status.SUBMITTED, title="Innsendt"),
        "draft": register(world, title="Utkast"),
    }


def test_the_public_list_is_paginated_filtered_and_shows_support(api, needs, world):
    data = api.get(API).json()
    assert data["count"] == 1
    item = data["results"][0]
    assert item["public_id"] == needs["published"].public_id
    assert item["endorsement_count"] == 1
    assert item["combined_population"] == world.askoy.population + world.oygarden.population
    assert item["municipality"]["number"] == "4627" and item["region"] == "vest"
    assert api.get(API, {"region": "nord"}).json()["count"] == 0
    assert api.get(API, {"status": "forwarded", "municipality": "4627", "q": "fall"}).json()["count"] == 1
    assert api.get(API, {"year": "abc"}).status_code == 400


def test_the_detail_has_history_and_never_names_a_person(api, needs):
    response = api.get(f"{API}/{needs['published'].public_id}")
    assert response.status_code == 200
    data = response.json()
    assert [h["to_status"] for h in data["history"]] == ["submitted", "cluster_review", "forwarded"]
    assert data["history"][1]["organisation"] == "Bergensklyngen" and data["history"][1]["level"] == "cluster"
    assert data["endorsing_municipalities"][0]["name"] == "Øygarden"
    text = json.dumps(data)
    for private in ("sykepleier", "Siri", "@example.no", "koordinator.bergen", "created_by", "actor\""):
        assert private not in text


def test_drafts_and_unpublished_needs_are_not_found_for_the_public_and_outsiders(api, needs, world):
    for user in (None, world.utenforstaende_tromso):
        api.force_authenticate(user)
        for key in ("draft", "submitted"):
            assert api.get(f"{API}/{needs[key].public_id}").status_code == 404
        assert api.get(API).json()["count"] == 1
    api.force_authenticate(world.koordinator_bergen)
    assert api.get(f"{API}/{needs['submitted'].public_id}").status_code == 200
    assert api.get(f"{API}/{needs['draft'].public_id}").status_code == 404
    assert api.get(f"{API}/KB-1999-0001").json()["detail"] == "Fant ikke behovet."


def test_creating_needs_a_log_in_and_answers_norwegian_errors_per_field(api, world):
    assert api.post(API, BASE_DATA, format="json").status_code in (401, 403)
    api.force_authenticate(world.sykepleier_askoy)
    response = api.post(API, {**BASE_DATA, "title": "", "service_area": "romfart"}, format="json")
    assert response.status_code == 400
    assert response.json()["title"] == ["Skriv en tittel."]
    assert "Ukjent tjenesteområde" in response.json()["service_area"][0]
    response = api.post(API, {**BASE_DATA, "why_it_matters": f"Gjelder {valid_fnr()}"}, format="json")
    assert response.status_code == 400 and "fødselsnummer" in response.json()["why_it_matters"][0]
    response = api.post(API, {"title": "x"}, format="json")
    assert response.status_code == 400 and response.json()["question"] == ["Feltet må fylles ut."]
    assert Need.objects.count() == 0
    response = api.post(API, {**BASE_DATA, "submit": True}, format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "submitted" and data["public_id"].startswith("KB-")


def test_an_outsider_cannot_create_for_another_municipality(api, world):
    api.force_authenticate(world.utenforstaende_tromso)
    response = api.post(API, {**BASE_DATA, "municipality": "4627"}, format="json")
    assert response.status_code == 403
    api.force_authenticate(world.leverandor)
    assert api.post(API, BASE_DATA, format="json").status_code == 403
    assert Need.objects.count() == 0


def test_endorse_once_per_municipality(api, needs, world):
    url = f"{API}/{needs['published'].public_id}/endorse"
    assert api.post(url).status_code in (401, 403)
    api.force_authenticate(world.fou_trondheim)
    response = api.post(url, {}, format="json")
    assert response.status_code == 201 and response.json()["endorsement_count"] == 2
    response = api.post(url, {}, format="json")
    assert response.status_code == 400 and "allerede" in response.json()["municipality"][0]
    api.force_authenticate(world.utenforstaende_tromso)
    assert api.post(f"{API}/{needs['submitted'].public_id}/endorse").status_code == 404


def test_follow_and_unfollow(api, needs, world):
    url = f"{API}/{needs['published'].public_id}/follow"
    assert api.post(url).status_code in (401, 403)
    api.force_authenticate(world.fou_trondheim)
    assert api.post(url).json() == {"following": True}
    assert needs["published"].follows.filter(user=world.fou_trondheim).exists()
    assert api.delete(url).json() == {"following": False}
    assert not needs["published"].follows.filter(user=world.fou_trondheim).exists()


def test_transition_by_the_right_role_with_what_the_table_requires(api, needs, world):
    url = f"{API}/{needs['published'].public_id}/transition"
    api.force_authenticate(world.regionkoordinator_vest)
    response = api.post(url, {"to": "evidence_check"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"partner", "due"}
    response = api.post(url, {"to": "evidence_check", "partner": "ukjent", "due": due().isoformat()}, format="json")
    assert response.status_code == 400 and response.json()["partner"] == ["Ukjent forskningspartner."]
    response = api.post(url, {"to": "evidence_check", "partner": "fhi", "due": due().isoformat()}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "evidence_check"
    response = api.post(url, {"to": "himmelen"}, format="json")
    assert response.status_code == 400 and "Ukjent status" in response.json()["to"][0]
    response = api.post(url, {"to": "draft"}, format="json")
    assert response.status_code == 400 and "kan ikke gå fra" in json.dumps(response.json(), ensure_ascii=False)


def test_transition_refusals_wrong_role_outsider_and_anonymous(api, needs, world):
    url = f"{API}/{needs['published'].public_id}/transition"
    assert api.post(url, {"to": "national", "reason": "x"}, format="json").status_code in (401, 403)
    api.force_authenticate(world.sykepleier_askoy)
    response = api.post(url, {"to": "national", "reason": "x"}, format="json")
    assert response.status_code == 403 and "rolle" in response.json()["detail"]
    api.force_authenticate(world.utenforstaende_tromso)
    assert api.post(url, {"to": "national", "reason": "x"}, format="json").status_code == 403
    assert api.post(f"{API}/{needs['submitted'].public_id}/transition", {"to": "rejected", "reason": "x"}, format="json").status_code == 404
    assert Need.objects.get(pk=needs["published"].pk).status == Status.FORWARDED


def test_transition_conflict_is_409_and_nothing_is_written(api, needs, world, monkeypatch):
    need = needs["submitted"]
    stale = Need.objects.get(pk=need.pk)
    services.need_transition(need=need, user=world.koordinator_bergen, to=Status.CLUSTER_REVIEW)
    from ksf.needs import api as needs_api

    monkeypatch.setattr(needs_api, "_get", lambda request, public_id, write=False: stale)
    api.force_authenticate(world.koordinator_bergen)
    response = api.post(f"{API}/{need.public_id}/transition", {"to": "rejected", "reason": "Dobbelt"}, format="json")
    assert response.status_code == 409
    assert "endret av noen andre samtidig" in response.json()["detail"]
    assert not NeedStatusChange.objects.filter(need=need, to_status=Status.REJECTED).exists()


def test_the_openapi_schema_is_valid_and_lists_every_needs_endpoint(api):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/needs"])
    assert "get" in paths["/api/v1/needs/{public_id}"]
    assert "post" in paths["/api/v1/needs/{public_id}/endorse"]
    assert {"post", "delete"} <= set(paths["/api/v1/needs/{public_id}/follow"])
    assert "409" in paths["/api/v1/needs/{public_id}/transition"]["post"]["responses"]
    assert "history" in schema["components"]["schemas"]["NeedDetail"]["properties"]
