"""Access is decided before a form or payload is validated: whoever may not act gets 403 whatever
they send (never a 400 that shows the form and its errors); invisible needs stay 404."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from ksf.needs.models import Comment, Endorsement, Need, NeedStatusChange
from ksf.needs.workflow import Status

from .helpers import register, walk

pytestmark = pytest.mark.django_db
API = "/api/v1/needs"

# Forms that fail validation in different ways (missing fields, bad values, prefixed action forms).
INVALID_TRANSITION_FORMS = [
    {},
    {"to": "forwarded", "t-forwarded-to": "forwarded", "t-forwarded-due": "ikke en dato"},
    {"to": "evidence_check", "due": "ikke en dato", "partner": "999999"},
    {"to": "merged", "target": "KB-1900-0000"},
]


@pytest.fixture
def published(world):
    return walk(world, Status.CLUSTER_REVIEW)


@pytest.fixture
def api():
    return APIClient()


def _history_count(need: Need) -> int:
    return NeedStatusChange.objects.filter(need=need).count()


@pytest.mark.parametrize("data", INVALID_TRANSITION_FORMS)
@pytest.mark.parametrize("persona", ["utenforstaende_tromso", "leverandor", "helsesykepleier_oygarden", "forsker_fhi"])
def test_an_outsider_posting_any_transition_form_gets_403(client, world, published, persona, data):
    client.force_login(getattr(world, persona))
    before = _history_count(published)
    response = client.post(reverse("needs:transition", args=[published.public_id]), data)
    assert response.status_code == 403
    assert Need.objects.get(pk=published.pk).status == Status.CLUSTER_REVIEW
    assert _history_count(published) == before


# Moves only the cluster may make from "cluster review", each with a form that fails validation.
COORDINATOR_MOVES_BROKEN = [
    {"to": "forwarded", "t-forwarded-to": "forwarded", "t-forwarded-due": "ikke en dato"},
    {"to": "rejected"},
    {"to": "merged", "target": "KB-1900-0000"},
    {"to": "answered_locally", "answer": ""},
]


@pytest.mark.parametrize("data", COORDINATOR_MOVES_BROKEN)
def test_the_submitter_asking_for_a_coordinators_move_with_a_broken_form_gets_403(client, world, published, data):
    # The reporter has a level on her own need (she may withdraw it), but these moves are the cluster's.
    client.force_login(world.sykepleier_askoy)
    response = client.post(reverse("needs:transition", args=[published.public_id]), data)
    assert response.status_code == 403
    assert Need.objects.get(pk=published.pk).status == Status.CLUSTER_REVIEW


def test_a_coordinator_with_a_broken_form_still_gets_the_form_back_with_errors(client, world, published):
    client.force_login(world.koordinator_bergen)
    response = client.post(reverse("needs:transition", args=[published.public_id]), {"to": "rejected"})
    assert response.status_code == 400
    assert "Skriv en begrunnelse." in response.content.decode()
    assert Need.objects.get(pk=published.pk).status == Status.CLUSTER_REVIEW


def test_a_coordinator_naming_no_possible_move_gets_400_not_403(client, world, published):
    client.force_login(world.koordinator_bergen)
    response = client.post(reverse("needs:transition", args=[published.public_id]), {"to": "answered"})
    assert response.status_code == 400


def test_the_draft_of_someone_else_stays_not_found_whatever_is_posted(client, world):
    draft = register(world)
    client.force_login(world.utenforstaende_tromso)
    assert client.post(reverse("needs:transition", args=[draft.public_id]), {}).status_code == 404
    assert client.post(reverse("needs:comment", args=[draft.public_id]), {"text": ""}).status_code == 404


@pytest.mark.parametrize("text", ["", "   ", "x" * 5000])
@pytest.mark.parametrize("persona", ["utenforstaende_tromso", "leverandor", "helsesykepleier_oygarden"])
def test_an_outsider_posting_any_comment_gets_403(client, world, published, persona, text):
    client.force_login(getattr(world, persona))
    response = client.post(reverse("needs:comment", args=[published.public_id]), {"text": text})
    assert response.status_code == 403
    assert not Comment.objects.filter(need=published).exists()


def test_the_submitter_posting_an_empty_comment_gets_400(client, world, published):
    client.force_login(world.sykepleier_askoy)
    response = client.post(reverse("needs:comment", args=[published.public_id]), {"text": ""})
    assert response.status_code == 400


# --- the API ---------------------------------------------------------------------------------------

INVALID_TRANSITION_PAYLOADS = [
    {},
    {"to": "forwarded", "due": "ikke en dato"},
    {"to": "evidence_check", "due": "31.12.2099", "partner": "finnes-ikke"},
    {"to": "ukjent-status"},
    {"to": ["forwarded"]},
]


@pytest.mark.parametrize("payload", INVALID_TRANSITION_PAYLOADS)
@pytest.mark.parametrize("persona", ["utenforstaende_tromso", "leverandor", "helsesykepleier_oygarden", "forsker_fhi"])
def test_the_api_refuses_a_transition_with_403_before_looking_at_the_payload(api, world, published, persona, payload):
    api.force_authenticate(getattr(world, persona))
    response = api.post(f"{API}/{published.public_id}/transition", payload, format="json")
    assert response.status_code == 403
    assert "detail" in response.json()
    assert Need.objects.get(pk=published.pk).status == Status.CLUSTER_REVIEW


@pytest.mark.parametrize("payload", [{"to": "forwarded", "due": "ikke en dato"}, {"to": "rejected"}, {"to": "merged", "target": 7}])
def test_the_api_refuses_the_submitter_a_coordinators_move_whatever_the_payload(api, world, published, payload):
    api.force_authenticate(world.sykepleier_askoy)
    response = api.post(f"{API}/{published.public_id}/transition", payload, format="json")
    assert response.status_code == 403
    assert Need.objects.get(pk=published.pk).status == Status.CLUSTER_REVIEW


def test_the_api_still_validates_for_someone_who_may_move_the_need(api, world, published):
    api.force_authenticate(world.koordinator_bergen)
    response = api.post(f"{API}/{published.public_id}/transition", {"to": "forwarded", "due": "ikke en dato"}, format="json")
    assert response.status_code == 400 and "due" in response.json()
    response = api.post(f"{API}/{published.public_id}/transition", {"to": "ukjent-status"}, format="json")
    assert response.status_code == 400 and "to" in response.json()


def test_the_api_answers_404_for_a_need_the_caller_cannot_see_whatever_the_payload(api, world):
    draft = register(world)
    api.force_authenticate(world.utenforstaende_tromso)
    assert api.post(f"{API}/{draft.public_id}/transition", {"to": 1}, format="json").status_code == 404
    assert api.post(f"{API}/{draft.public_id}/endorse", {"comment": {"x": 1}}, format="json").status_code == 404


def test_the_api_refuses_support_for_an_unpublished_need_before_looking_at_the_payload(api, world):
    submitted = walk(world, Status.SUBMITTED)
    api.force_authenticate(world.koordinator_bergen)  # sees the submitted need, cannot support it
    response = api.post(f"{API}/{submitted.public_id}/endorse", {"comment": {"ikke": "tekst"}}, format="json")
    assert response.status_code == 403
    assert not Endorsement.objects.filter(need=submitted).exists()


@pytest.mark.parametrize("persona", ["leverandor", "forsker_fhi", "koordinator_bergen"])
def test_the_api_refuses_registration_by_someone_outside_a_municipality_whatever_the_payload(api, world, persona):
    api.force_authenticate(getattr(world, persona))
    before = Need.objects.count()
    for payload in ({}, {"kind": "ukjent", "urgency": "ukjent"}, {"title": "T", "question": "Q", "service_area": "sykehjem"}):
        response = api.post(API, payload, format="json")
        assert response.status_code == 403
    assert Need.objects.count() == before


def test_a_reporter_with_a_broken_registration_still_gets_400(api, world):
    api.force_authenticate(world.sykepleier_askoy)
    response = api.post(API, {"kind": "ukjent"}, format="json")
    assert response.status_code == 400
