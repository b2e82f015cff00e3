"""Decisions apply the matching workflow transition with the round as reason; refusals move nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ksf.needs.models import Need, NeedStatusChange
from ksf.needs.workflow import Status
from ksf.priorities import services
from ksf.priorities.models import DecisionKind, RoundDecision, RoundLevel, RoundStatus

from .helpers import due, forwarded_need, midt_national_need, vest_round

REASON = "Vedtak i prioriteringsmøte Prioriteringsmøte RSO Vest mars, 12.03.2026"


def _last_reason(need):
    return NeedStatusChange.objects.filter(need=need).order_by("-pk").first().reason


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "status", "with_partner"),
    [
        (DecisionKind.EVIDENCE_CHECK, Status.EVIDENCE_CHECK, True),
        (DecisionKind.SUMMARY, Status.SUMMARY_COMMISSIONED, True),
        (DecisionKind.RESEARCH, Status.RESEARCH_PROPOSAL, False),
        (DecisionKind.NATIONAL, Status.NATIONAL, False),
    ],
)
def test_each_decision_moves_the_need_with_the_round_as_reason(world, kind, status, with_partner):
    need = forwarded_need(world)
    round_ = vest_round(world, [need], status=RoundStatus.SCORING)
    extra = {"partner": world.fhi, "due": due()} if with_partner else {}
    decision = services.round_decide(round_=round_, user=world.regionkoordinator_vest, need=need, kind=kind,
                                     note="Høyt rangert.", **extra)
    need.refresh_from_db()
    assert need.status == status
    assert REASON in _last_reason(need)
    assert (decision.from_status, decision.to_status) == (Status.FORWARDED, status)
    if with_partner:
        assert need.assigned_partner == world.fhi


@pytest.mark.django_db
def test_defer_records_the_decision_without_moving_the_need_and_can_be_replaced(world):
    need = forwarded_need(world)
    round_ = vest_round(world, [need], status=RoundStatus.SCORING)
    services.round_decide(round_=round_, user=world.regionkoordinator_vest, need=need, kind=DecisionKind.DEFER)
    assert Need.objects.get(pk=need.pk).status == Status.FORWARDED
    services.round_decide(round_=round_, user=world.regionkoordinator_vest, need=need, kind=DecisionKind.RESEARCH)
    assert Need.objects.get(pk=need.pk).status == Status.RESEARCH_PROPOSAL
    assert RoundDecision.objects.get(round=round_, need=need).kind == DecisionKind.RESEARCH
    with pytest.raises(ValidationError, match="allerede fattet vedtak"):
        services.round_decide(round_=round_, user=world.regionkoordinator_vest, need=need, kind=DecisionKind.DEFER)


@pytest.mark.django_db
def test_evidence_check_without_partner_and_due_is_refused_and_nothing_moves(world):
    need = forwarded_need(world)
    round_ = vest_round(world, [need], status=RoundStatus.SCORING)
    with pytest.raises(ValidationError) as exc:
        services.round_decide(round_=round_, user=world.regionkoordinator_vest, need=need, kind=DecisionKind.EVIDENCE_CHECK)
    assert set(exc.value.message_dict) == {"partner", "due"}
    assert Need.objects.get(pk=need.pk).status == Status.FORWARDED
    assert not RoundDecision.objects.exists()


@pytest.mark.django_db
def test_a_decision_on_a_need_not_in_the_round_is_refused(world):
    inside = forwarded_need(world, "Med i runden")
    outside = forwarded_need(world, "Ikke med i runden")
    round_ = vest_round(world, [inside], status=RoundStatus.SCORING)
    with pytest.raises(ValidationError, match="ikke med i denne runden"):
        services.round_decide(round_=round_, user=world.regionkoordinator_vest, need=outside, kind=DecisionKind.NATIONAL)
    assert Need.objects.get(pk=outside.pk).status == Status.FORWARDED
    assert not RoundDecision.objects.exists()


@pytest.mark.django_db
def test_decisions_are_only_made_during_the_meeting_and_by_the_coordinator(world):
    need = forwarded_need(world)
    round_ = vest_round(world, [need], status=RoundStatus.OPEN)
    with pytest.raises(ValidationError, match="Vedtak er ikke mulig"):
        services.round_decide(round_=round_, user=world.regionkoordinator_vest, need=need, kind=DecisionKind.NATIONAL)
    services.round_set_status(round_=round_, user=world.regionkoordinator_vest, to=RoundStatus.SCORING)
    for user in (world.forsker_fhi, world.koordinator_bergen, world.utenforstaende_tromso):
        with pytest.raises(PermissionDenied):
            services.round_decide(round_=round_, user=user, need=need, kind=DecisionKind.NATIONAL)
    assert Need.objects.get(pk=need.pk).status == Status.FORWARDED
    assert not RoundDecision.objects.exists()


@pytest.mark.django_db
def test_a_need_that_moved_on_meanwhile_gives_a_clear_refusal(world):
    need = forwarded_need(world)
    round_ = vest_round(world, [need], status=RoundStatus.SCORING)
    from ksf.needs.services import need_transition

    need_transition(need=need, user=world.regionkoordinator_vest, to=Status.EVIDENCE_CHECK, partner=world.fhi, due=due())
    with pytest.raises(ValidationError, match="kan ikke gå fra"):
        services.round_decide(round_=round_, user=world.regionkoordinator_vest, need=need, kind=DecisionKind.NATIONAL)
    assert not RoundDecision.objects.exists()


@pytest.mark.django_db
def test_national_round_orders_evidence_checks_at_national_level_and_cannot_lift_again(world):
    need = midt_national_need(world, "Ensomhet blant eldre")
    from ksf.priorities.models import Round

    round_ = services.round_create(user=world.nasjonal_ks, level=RoundLevel.NATIONAL, region=None, title="Nasjonalt møte",
                                   meeting_date=due(-1))
    services.participant_invite(round_=round_, user=world.nasjonal_ks, invitee=world.nasjonal_ks)
    for step in (RoundStatus.OPEN, RoundStatus.SCORING):
        services.round_set_status(round_=round_, user=world.nasjonal_ks, to=step)
    with pytest.raises(ValidationError, match="allerede på nasjonalt nivå"):
        services.round_decide(round_=round_, user=world.nasjonal_ks, need=need, kind=DecisionKind.NATIONAL)
    services.round_decide(round_=round_, user=world.nasjonal_ks, need=need, kind=DecisionKind.EVIDENCE_CHECK,
                          partner=world.ntnu, due=due())
    need.refresh_from_db()
    assert need.status == Status.EVIDENCE_CHECK
    assert "Vedtak i prioriteringsmøte Nasjonalt møte" in _last_reason(need)
    assert NeedStatusChange.objects.filter(need=need).order_by("-pk").first().level == "national"
    assert Round.objects.count() == 1
