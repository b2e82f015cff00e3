"""Helpers for the priorities tests: forwarded needs, rounds in a given status, valid fødselsnummer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from ksf.core.tests.fnr import valid_fnr  # noqa: F401 - re-exported for the tests here
from ksf.needs import services as need_services
from ksf.needs.models import Need
from ksf.needs.workflow import Status
from ksf.priorities import services
from ksf.priorities.models import Round, RoundLevel, RoundStatus


def forwarded_need(world: Any, title: str = "Fallforebygging for hjemmeboende eldre", *, reporter: Any = None,
                   area: str = "hjemmetjenester", endorsers: tuple[Any, ...] = ()) -> Need:
    need = need_services.need_create(
        user=reporter or world.sykepleier_askoy,
        data={"title": title, "question": f"Hva vet vi om {title.lower()}?", "service_area": area}, submit=True,
    )
    need = need_services.need_transition(need=need, user=world.koordinator_bergen, to=Status.CLUSTER_REVIEW)
    for user in endorsers:
        need_services.need_endorse(need=need, user=user)
    return need_services.need_transition(need=need, user=world.koordinator_bergen, to=Status.FORWARDED)


def midt_national_need(world: Any, title: str, area: str = "hjemmetjenester") -> Need:
    need = need_services.need_create(
        user=world.fou_trondheim, data={"title": title, "question": f"Hva vet vi om {title.lower()}?", "service_area": area},
        submit=True,
    )
    need = need_services.need_transition(need=need, user=world.koordinator_trondheim, to=Status.CLUSTER_REVIEW)
    need = need_services.need_transition(need=need, user=world.koordinator_trondheim, to=Status.FORWARDED)
    return need_services.need_transition(need=need, user=world.regionkoordinator_midt, to=Status.NATIONAL, reason="Gjelder flere regioner.")


def answered_need(world: Any, title: str = "Trygghetsalarm med fallsensor") -> Need:
    need = forwarded_need(world, title, area="velferdsteknologi")
    need = need_services.need_transition(need=need, user=world.regionkoordinator_vest, to=Status.EVIDENCE_CHECK,
                                         partner=world.fhi, due=due())
    return need_services.need_transition(need=need, user=world.forsker_fhi, to=Status.ANSWERED, answer="Kunnskapen er moderat sikker.")


def due(days: int = 30) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def vest_round(world: Any, needs: list[Need], *, participants: tuple[Any, ...] | None = None,
               status: str = RoundStatus.OPEN, title: str = "Prioriteringsmøte RSO Vest mars",
               weights: dict[str, Any] | None = None) -> Round:
    coordinator = world.regionkoordinator_vest
    round_ = services.round_create(
        user=coordinator, level=RoundLevel.REGIONAL, region=world.rso_vest.region, title=title,
        meeting_date=dt.date(2026, 3, 12), candidates=needs,
    )
    if weights is not None:
        by_key = {c.key: c.pk for c in round_.criteria.all()}
        services.criteria_set_weights(round_=round_, user=coordinator, weights={by_key[k]: v for k, v in weights.items()})
    for user in participants if participants is not None else (coordinator, world.forsker_fhi, world.koordinator_bergen):
        services.participant_invite(round_=round_, user=coordinator, invitee=user)
    path: list[str] = [RoundStatus.OPEN, RoundStatus.SCORING, RoundStatus.CLOSED, RoundStatus.PUBLISHED]
    for step in path[: path.index(status) + 1] if status != RoundStatus.DRAFT else []:
        services.round_set_status(round_=round_, user=coordinator, to=step)
    round_.refresh_from_db()
    return round_


def criteria(round_: Round) -> dict[str, int]:
    return {c.key: c.pk for c in round_.criteria.all()}


def score(round_: Round, user: Any, need: Need, **values: int) -> None:
    """Declare habil (if not yet) and score by criterion key."""
    from ksf.priorities.models import ConflictDeclaration

    if not ConflictDeclaration.objects.filter(round=round_, user=user, need=need).exists():
        services.conflict_declare(round_=round_, user=user, need=need, conflicted=False)
    keys = criteria(round_)
    services.scores_submit(round_=round_, user=user, need=need, values={keys[k]: v for k, v in values.items()})


ONLY_SCORED = {"omfang": 0, "kunnskapsstatus": 0}
