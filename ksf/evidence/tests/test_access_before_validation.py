"""Linking evidence: access is decided before the form or payload is validated, so someone who
may not link gets 403 whatever they send, and nothing is stored."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from ksf.evidence.models import Evidence, NeedEvidenceLink
from ksf.evidence.services import evidence_import_file, evidence_link

from .conftest import DEMO_JSON

pytestmark = pytest.mark.django_db

BROKEN_FORMS = [
    {},
    {"evidence": "abc", "relation": "kanskje"},
    {"evidence": 999999, "relation": "answers"},  # no such evidence
    {"evidence": 1, "relation": "answers", "what_we_know": "x" * 6000},
]
NOT_LINKING = ["utenforstaende_tromso", "leverandor", "sykepleier_askoy", "fou_askoy", "forsker_fhi"]


@pytest.fixture
def falls(db):
    evidence_import_file(source=DEMO_JSON)
    return Evidence.objects.get(doi="10.1002/14651858.cd012424.pub2")


@pytest.mark.parametrize("data", BROKEN_FORMS)
@pytest.mark.parametrize("persona", NOT_LINKING)
def test_someone_who_may_not_link_gets_403_whatever_the_form_contains(client, world, make_need, persona, data):
    need = make_need()
    client.force_login(getattr(world, persona))
    response = client.post(reverse("evidence:link", args=[need.public_id]), data)
    assert response.status_code == 403
    assert not NeedEvidenceLink.objects.exists()


def test_a_coordinator_with_a_broken_form_is_sent_back_with_a_message(client, world, make_need):
    need = make_need()
    client.force_login(world.koordinator_bergen)
    response = client.post(reverse("evidence:link", args=[need.public_id]), {"evidence": "abc"}, follow=True)
    assert response.redirect_chain[-1][1] == 302
    assert "Koblingen mangler opplysninger" in response.content.decode()
    assert not NeedEvidenceLink.objects.exists()


def test_an_unpublished_need_stays_not_found_for_an_outsider_whatever_is_posted(client, world, make_need):
    need = make_need(published=False)
    client.force_login(world.utenforstaende_tromso)
    assert client.post(reverse("evidence:link", args=[need.public_id]), {}).status_code == 404


@pytest.mark.parametrize("persona", NOT_LINKING)
def test_someone_who_may_not_unlink_gets_403_also_for_evidence_that_does_not_exist(client, world, make_need, falls, persona):
    need = make_need()
    evidence_link(need=need, evidence=falls, relation="answers", user=world.koordinator_bergen)
    client.force_login(getattr(world, persona))
    for pk in (falls.pk, 999999):
        assert client.post(reverse("evidence:unlink", args=[need.public_id, pk])).status_code == 403
    api = APIClient()
    api.force_authenticate(getattr(world, persona))
    for pk in (falls.pk, 999999):
        assert api.delete(f"/api/v1/needs/{need.public_id}/evidence/{pk}").status_code == 403
    assert NeedEvidenceLink.objects.filter(need=need, evidence=falls).exists()


@pytest.mark.parametrize("persona", NOT_LINKING)
def test_the_api_refuses_linking_with_403_whatever_the_payload(world, make_need, persona):
    need = make_need()
    api = APIClient()
    api.force_authenticate(getattr(world, persona))
    for payload in ({}, {"evidence": "abc"}, {"evidence": 999999, "relation": "answers"}):
        assert api.post(f"/api/v1/needs/{need.public_id}/evidence", payload, format="json").status_code == 403
    assert not NeedEvidenceLink.objects.exists()
