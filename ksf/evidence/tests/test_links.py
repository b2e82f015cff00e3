"""Linking evidence to needs: who may, the privacy guard, and the need page's evidence section."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from ksf.core.models import AuditEvent
from ksf.evidence.models import Evidence, NeedEvidenceLink
from ksf.evidence.selectors import evidence_candidates, need_evidence_context
from ksf.evidence.services import evidence_import_file, evidence_link, evidence_unlink

from .conftest import DEMO_JSON, fodselsnummer

pytestmark = pytest.mark.django_db


@pytest.fixture
def falls(db):
    evidence_import_file(source=DEMO_JSON)
    return Evidence.objects.get(doi="10.1002/14651858.cd012424.pub2")


def _post_link(client, need, evidence, **extra):
    data = {"evidence": evidence.pk, "relation": "answers", "what_we_know": "Trening reduserer fall.", **extra}
    return client.post(reverse("evidence:link", args=[need.public_id]), data)


@pytest.mark.parametrize("persona", ["koordinator_bergen", "regionkoordinator_vest", "nasjonal_ks"])
def test_coordinators_with_a_level_on_the_need_may_link_evidence(client, world, make_need, falls, persona):
    need = make_need()
    client.force_login(getattr(world, persona))
    response = _post_link(client, need, falls)
    assert response.status_code == 302 and response["Location"] == reverse("needs:detail", args=[need.public_id]) + "#kunnskap"
    link = NeedEvidenceLink.objects.get()
    assert (link.need, link.evidence, link.relation, link.created_by) == (need, falls, "answers", getattr(world, persona))


def test_research_partner_assigned_to_the_need_may_link_evidence(client, world, make_need, falls):
    need = make_need(partner=world.fhi)
    client.force_login(world.forsker_fhi)
    assert _post_link(client, need, falls).status_code == 302
    assert NeedEvidenceLink.objects.filter(need=need).exists()


def test_research_partner_not_assigned_to_the_need_may_not_link_evidence(client, world, make_need, falls):
    need = make_need()
    client.force_login(world.forsker_fhi)
    assert _post_link(client, need, falls).status_code == 403
    assert not NeedEvidenceLink.objects.exists()


def test_outsider_cannot_link_evidence_to_a_need(client, world, make_need, falls):
    need = make_need()
    client.force_login(world.utenforstaende_tromso)
    assert _post_link(client, need, falls).status_code == 403
    unpublished = make_need(status="submitted", published=False)
    assert _post_link(client, unpublished, falls).status_code == 404
    assert not NeedEvidenceLink.objects.exists()


def test_reporter_cannot_link_evidence_even_to_her_own_need(client, world, make_need, falls):
    need = make_need()
    client.force_login(world.sykepleier_askoy)
    assert _post_link(client, need, falls).status_code == 403
    assert not NeedEvidenceLink.objects.exists()


def test_anonymous_visitor_is_sent_to_log_in(client, make_need, falls):
    response = _post_link(client, make_need(), falls)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert not NeedEvidenceLink.objects.exists()


def test_fodselsnummer_in_what_we_know_is_refused_and_nothing_stored(client, world, make_need, falls):
    need = make_need()
    client.force_login(world.koordinator_bergen)
    response = _post_link(client, need, falls, what_we_know=f"Gjelder pasient {fodselsnummer()}.")
    assert response.status_code == 302
    assert not NeedEvidenceLink.objects.exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("fødselsnummer" in m for m in messages)
    with pytest.raises(ValidationError):
        evidence_link(need=need, evidence=falls, relation="related", what_we_know=fodselsnummer(), user=world.koordinator_bergen)


def test_linking_again_changes_the_link_and_records_who_changed_it(world, make_need, falls):
    need = make_need()
    evidence_link(need=need, evidence=falls, relation="related", user=world.koordinator_bergen)
    link = evidence_link(need=need, evidence=falls, relation="answers", what_we_know="Ny tekst.", user=world.regionkoordinator_vest)
    assert NeedEvidenceLink.objects.count() == 1
    assert (link.relation, link.what_we_know, link.created_by, link.updated_by) == (
        "answers", "Ny tekst.", world.koordinator_bergen, world.regionkoordinator_vest)


def test_an_unknown_relation_is_refused(world, make_need, falls):
    with pytest.raises(ValidationError):
        evidence_link(need=make_need(), evidence=falls, relation="maybe", user=world.nasjonal_ks)


def test_coordinator_can_unlink_and_the_audit_log_keeps_it(client, world, make_need, falls):
    need = make_need()
    evidence_link(need=need, evidence=falls, relation="answers", user=world.koordinator_bergen)
    client.force_login(world.koordinator_bergen)
    response = client.post(reverse("evidence:unlink", args=[need.public_id, falls.pk]))
    assert response.status_code == 302
    assert not NeedEvidenceLink.objects.exists()
    event = AuditEvent.objects.get(action="evidence.unlink")
    assert event.actor == world.koordinator_bergen and need.public_id in event.object_repr


def test_outsider_cannot_unlink(client, world, make_need, falls):
    need = make_need()
    evidence_link(need=need, evidence=falls, relation="answers", user=world.koordinator_bergen)
    client.force_login(world.utenforstaende_tromso)
    assert client.post(reverse("evidence:unlink", args=[need.public_id, falls.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        evidence_unlink(need=need, evidence=falls, user=world.sykepleier_askoy)
    assert NeedEvidenceLink.objects.count() == 1


def test_need_context_groups_links_and_ranks_candidates_for_coordinators(world, make_need, falls):
    need = make_need(title="Fallforebygging for hjemmeboende eldre")
    evidence_link(need=need, evidence=falls, relation="answers", what_we_know="Trening virker.", user=world.koordinator_bergen)
    context = need_evidence_context(world.koordinator_bergen, need)["need_evidence"]
    assert context["can_link"] and context["count"] == 1
    assert [g["relation"] for g in context["groups"]] == ["answers"]
    candidate_ids = [c.evidence.pk for c in context["candidates"]]
    assert falls.pk not in candidate_ids  # already linked
    other_falls = Evidence.objects.get(doi="10.1002/14651858.cd007146.pub3")
    assert candidate_ids[0] == other_falls.pk


@pytest.mark.parametrize("persona", ["utenforstaende_tromso", "sykepleier_askoy"])
def test_people_who_may_not_link_see_links_but_no_candidates(world, make_need, falls, persona):
    need = make_need()
    evidence_link(need=need, evidence=falls, relation="answers", user=world.koordinator_bergen)
    context = need_evidence_context(getattr(world, persona), need)["need_evidence"]
    assert not context["can_link"] and context["candidates"] == [] and context["count"] == 1


def test_candidates_come_from_the_search_service_when_it_exists(world, make_need, falls, monkeypatch):
    @dataclass
    class Hit:
        evidence_id: int
        score: float
        snippet: str

    other = Evidence.objects.get(doi="10.1002/14651858.cd007146.pub3")
    calls = []

    def search_evidence(query, *, filters=None, limit=10):
        calls.append((query, limit))
        return [Hit(other.pk, 0.9, "…preventing <falls>…"), Hit(falls.pk, 0.8, "x"), Hit(999999, 0.5, "gone")]

    module = types.ModuleType("ksf.search.services")
    module.search_evidence = search_evidence  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ksf.search.services", module)
    need = make_need(title="Fallforebygging for hjemmeboende eldre")
    candidates = evidence_candidates(need, limit=5)
    assert [c.evidence.pk for c in candidates] == [other.pk, falls.pk]
    assert candidates[0].snippet == "…preventing <falls>…"
    assert "Fallforebygging" in calls[0][0]


def test_need_evidence_include_renders_forms_only_for_those_who_may_link(world, make_need, falls):
    need = make_need(title="Fallforebygging for hjemmeboende eldre")
    evidence_link(need=need, evidence=falls, relation="answers", what_we_know="Trening reduserer fall.", user=world.koordinator_bergen)
    request = RequestFactory().get("/")
    request.user = world.koordinator_bergen
    html = render_to_string("evidence/includes/need_evidence.html", need_evidence_context(request.user, need), request=request)
    assert "Trening reduserer fall." in html and "Besvarer" in html
    assert reverse("evidence:link", args=[need.public_id]) in html
    assert html.count('name="relation"') >= 2  # the edit form and at least one candidate
    request.user = world.utenforstaende_tromso
    html = render_to_string("evidence/includes/need_evidence.html", need_evidence_context(request.user, need), request=request)
    assert "Trening reduserer fall." in html
    assert reverse("evidence:link", args=[need.public_id]) not in html
