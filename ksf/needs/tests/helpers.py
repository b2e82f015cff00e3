"""Shared helpers for the needs tests: register a need and walk it along the path."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from ksf.core.tests.fnr import valid_fnr  # noqa: F401 - re-exported for the tests here
from ksf.needs import services
from ksf.needs.models import Need
from ksf.needs.workflow import Level, Status

S = Status

BASE_DATA = {
    "title": "Fallforebygging for hjemmeboende eldre",
    "question": "Hvilke tiltak forebygger fall hos eldre som bor hjemme og får hjemmetjenester?",
    "service_area": "hjemmetjenester",
    "kind": "knowledge",
}


def register(world: Any, *, user: Any = None, submit: bool = False, **data: Any) -> Need:
    return services.need_create(user=user or world.sykepleier_askoy, data={**BASE_DATA, **data}, submit=submit)


def due() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=30)


# The canonical way to reach each status: (previous status, who acts, what they give).
def _step(world: Any, need: Need, to: str) -> Need:
    actors: dict[str, Any] = {
        S.SUBMITTED: world.sykepleier_askoy,
        S.CLARIFICATION: world.koordinator_bergen,
        S.CLUSTER_REVIEW: world.koordinator_bergen,
        S.FORWARDED: world.koordinator_bergen,
        S.NATIONAL: world.regionkoordinator_vest,
        S.EVIDENCE_CHECK: world.regionkoordinator_vest,
        S.SUMMARY_COMMISSIONED: world.regionkoordinator_vest,
        S.RESEARCH_PROPOSAL: world.forsker_fhi,
        S.IN_PROJECT: world.regionkoordinator_vest,
    }
    extra: dict[str, Any] = {}
    if to in (S.EVIDENCE_CHECK, S.SUMMARY_COMMISSIONED):
        extra = {"partner": world.fhi, "due": due()}
    if to in (S.CLARIFICATION, S.NATIONAL, S.RESEARCH_PROPOSAL):
        extra = {"reason": "Begrunnelse for steget."}
    if to == S.IN_PROJECT:
        extra = {"project_ref": "Prosjekt FALL-HJEM"}
    return services.need_transition(need=need, user=actors[to], to=to, **extra)


PATHS: dict[str, list[str]] = {
    S.DRAFT: [],
    S.SUBMITTED: [S.SUBMITTED],
    S.CLARIFICATION: [S.SUBMITTED, S.CLARIFICATION],
    S.CLUSTER_REVIEW: [S.SUBMITTED, S.CLUSTER_REVIEW],
    S.FORWARDED: [S.SUBMITTED, S.CLUSTER_REVIEW, S.FORWARDED],
    S.NATIONAL: [S.SUBMITTED, S.CLUSTER_REVIEW, S.FORWARDED, S.NATIONAL],
    S.EVIDENCE_CHECK: [S.SUBMITTED, S.CLUSTER_REVIEW, S.FORWARDED, S.EVIDENCE_CHECK],
    S.SUMMARY_COMMISSIONED: [S.SUBMITTED, S.CLUSTER_REVIEW, S.FORWARDED, S.SUMMARY_COMMISSIONED],
    S.RESEARCH_PROPOSAL: [S.SUBMITTED, S.CLUSTER_REVIEW, S.FORWARDED, S.EVIDENCE_CHECK, S.RESEARCH_PROPOSAL],
    S.IN_PROJECT: [S.SUBMITTED, S.CLUSTER_REVIEW, S.FORWARDED, S.EVIDENCE_CHECK, S.RESEARCH_PROPOSAL, S.IN_PROJECT],
}


def walk(world: Any, status: str, **data: Any) -> Need:
    need = register(world, **data)
    for to in PATHS[status]:
        need = _step(world, need, to)
    assert need.status == status
    return need


def actor_for_level(world: Any, level: str) -> Any:
    by_level: dict[str, Any] = {
        Level.SUBMITTER: world.sykepleier_askoy,
        Level.CLUSTER: world.koordinator_bergen,
        Level.REGION: world.regionkoordinator_vest,
        Level.NATIONAL: world.nasjonal_ks,
        Level.PARTNER: world.forsker_fhi,
    }
    return by_level[level]
