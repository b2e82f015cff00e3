"""The transition table, applied by need_transition: every allowed step, every refusal."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ksf.accounts.access import actor_for
from ksf.needs import services
from ksf.needs.access import levels_for
from ksf.needs.models import Need, NeedStatusChange
from ksf.needs.workflow import ANSWER, ASSIGNMENT, PROJECT, REASON, TARGET, TRANSITIONS, Level, Status

from .helpers import actor_for_level, due, register, walk

S = Status
pytestmark = pytest.mark.django_db
LEVEL_ORDER = [Level.SUBMITTER, Level.CLUSTER, Level.REGION, Level.NATIONAL, Level.PARTNER, Level.SYSTEM]


def _requirements(world, transition):
    kwargs = {}
    if REASON in transition.requires:
        kwargs["reason"] = "Fordi klyngen har vurdert det."
    if ANSWER in transition.requires:
        kwargs["answer"] = "Trening med styrke og balanse minst to ganger i uka reduserer fall."
    if TARGET in transition.requires:
        kwargs["target"] = walk(world, S.CLUSTER_REVIEW, title="Fall hos eldre – samlebehov")
    if ASSIGNMENT in transition.requires:
        kwargs.update(partner=world.fhi, due=due())
    if PROJECT in transition.requires:
        kwargs["project_ref"] = "Prosjekt FALL-HJEM"
    return kwargs


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: f"{t.source}->{t.target}")
def test_every_transition_in_the_table_can_be_made_by_an_allowed_level_and_writes_one_history_row(world, transition):
    need = walk(world, transition.source)
    level = next(lv for lv in LEVEL_ORDER if lv in transition.levels)
    before = NeedStatusChange.objects.filter(need=need).count()
    kwargs = _requirements(world, transition)
    if level == Level.SYSTEM:
        result = services.need_transition(need=need, user=None, to=transition.target, system=True, **kwargs)
    else:
        result = services.need_transition(need=need, user=actor_for_level(world, level), to=transition.target, **kwargs)
    assert result.status == transition.target
    rows = NeedStatusChange.objects.filter(need=need).order_by("pk")
    assert rows.count() == before + 1
    last = rows.last()
    assert (last.from_status, last.to_status, last.level) == (transition.source, transition.target, level)
    if TARGET in transition.requires:
        assert result.merged_into == kwargs["target"]
    if ANSWER in transition.requires:
        assert result.answer and result.answered_at
    if ASSIGNMENT in transition.requires:
        assert result.assigned_partner == world.fhi and result.assignment_due == kwargs["due"]


PERSONAS = ["sykepleier_askoy", "koordinator_bergen", "regionkoordinator_vest", "forsker_fhi", "nasjonal_ks"]


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: f"{t.source}->{t.target}")
def test_every_transition_is_refused_for_a_role_that_is_not_in_the_table(world, transition):
    need = walk(world, transition.source)
    wrong = None
    for name in PERSONAS:
        user = getattr(world, name)
        levels = levels_for(actor_for(user), need)
        if not (levels & transition.levels):
            wrong = user
            break
    assert wrong is not None
    with pytest.raises(PermissionDenied):
        services.need_transition(need=need, user=wrong, to=transition.target, **_requirements(world, transition))
    need.refresh_from_db()
    assert need.status == transition.source


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: f"{t.source}->{t.target}")
def test_an_outsider_from_another_region_can_make_no_transition(world, transition):
    need = walk(world, transition.source)
    kwargs = _requirements(world, transition)
    before = NeedStatusChange.objects.count()
    with pytest.raises(PermissionDenied):
        services.need_transition(need=need, user=world.utenforstaende_tromso, to=transition.target, **kwargs)
    assert NeedStatusChange.objects.count() == before
    need.refresh_from_db()
    assert need.status == transition.source


def test_an_illegal_transition_is_refused_with_a_norwegian_message(world):
    need = register(world)
    with pytest.raises(ValidationError) as exc:
        services.need_transition(need=need, user=world.nasjonal_ks, to=S.ANSWERED, answer="Svar")
    assert "kan ikke gå fra «Utkast»" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError):
        services.need_transition(need=need, user=world.sykepleier_askoy, to="finnes-ikke")
    assert Need.objects.get(pk=need.pk).status == S.DRAFT
    assert not NeedStatusChange.objects.filter(need=need).exists()


@pytest.mark.parametrize(
    "status,to,field_name,user",
    [
        (S.SUBMITTED, S.REJECTED, "reason", "koordinator_bergen"),
        (S.SUBMITTED, S.CLARIFICATION, "reason", "koordinator_bergen"),
        (S.CLUSTER_REVIEW, S.ANSWERED_LOCALLY, "answer", "koordinator_bergen"),
        (S.CLUSTER_REVIEW, S.MERGED, "target", "koordinator_bergen"),
        (S.FORWARDED, S.EVIDENCE_CHECK, "partner", "regionkoordinator_vest"),
        (S.FORWARDED, S.EVIDENCE_CHECK, "due", "regionkoordinator_vest"),
        (S.EVIDENCE_CHECK, S.ANSWERED, "answer", "forsker_fhi"),
        (S.RESEARCH_PROPOSAL, S.IN_PROJECT, "project", "regionkoordinator_vest"),
    ],
)
def test_a_transition_without_what_the_table_requires_is_refused_naming_the_field(world, status, to, field_name, user):
    need = walk(world, status)
    history = NeedStatusChange.objects.filter(need=need).count()
    with pytest.raises(ValidationError) as exc:
        services.need_transition(need=need, user=getattr(world, user), to=to, reason="  ", answer="")
    assert field_name in exc.value.message_dict
    need.refresh_from_db()
    assert need.status == status
    assert NeedStatusChange.objects.filter(need=need).count() == history


def test_a_need_cannot_be_merged_into_itself(world):
    need = walk(world, S.CLUSTER_REVIEW)
    with pytest.raises(ValidationError) as exc:
        services.need_transition(need=need, user=world.koordinator_bergen, to=S.MERGED, target=need)
    assert "seg selv" in exc.value.message_dict["target"][0]


def test_a_need_cannot_be_merged_into_a_merged_need(world):
    survivor = walk(world, S.CLUSTER_REVIEW, title="Overlevende")
    merged = walk(world, S.CLUSTER_REVIEW, title="Sammenslått")
    services.need_transition(need=merged, user=world.koordinator_bergen, to=S.MERGED, target=survivor)
    third = walk(world, S.CLUSTER_REVIEW, title="Tredje")
    with pytest.raises(ValidationError) as exc:
        services.need_transition(need=third, user=world.koordinator_bergen, to=S.MERGED, target=Need.objects.get(pk=merged.pk))
    assert "kan ikke ta imot" in exc.value.message_dict["target"][0]
    third.refresh_from_db()
    assert third.status == S.CLUSTER_REVIEW and third.merged_into is None


def tromso_coordinator(world):
    from ksf.accounts.models import Membership, Role, User

    user = User.objects.create(username="koordinator.tromso", email="k@example.no")
    Membership.objects.create(user=user, organisation=world.tromso_klyngen, role=Role.CLUSTER_COORDINATOR)
    return user


def test_a_cluster_cannot_merge_across_regions_but_the_national_coordinator_can(world):
    from ksf.needs.services import need_create

    tromso_need = need_create(user=world.utenforstaende_tromso, data={
        "title": "Fall i Tromsø", "question": "Hva virker?", "service_area": "hjemmetjenester"}, submit=True)
    tromso_need = services.need_transition(need=tromso_need, user=tromso_coordinator(world), to=S.CLUSTER_REVIEW)
    need = walk(world, S.CLUSTER_REVIEW)
    with pytest.raises(ValidationError) as exc:
        services.need_transition(need=need, user=world.koordinator_bergen, to=S.MERGED, target=tromso_need)
    assert "nasjonale koordinatoren" in exc.value.message_dict["target"][0]
    result = services.need_transition(need=need, user=world.nasjonal_ks, to=S.MERGED, target=tromso_need)
    assert result.merged_into == tromso_need


def test_an_evidence_check_needs_a_research_partner_and_a_due_date_that_has_not_passed(world):
    need = walk(world, S.FORWARDED)
    with pytest.raises(ValidationError) as exc:
        services.need_transition(need=need, user=world.regionkoordinator_vest, to=S.EVIDENCE_CHECK,
                                 partner=world.askoy, due=dt.date(2020, 1, 1))
    assert set(exc.value.message_dict) == {"partner", "due"}


def test_a_research_partner_only_acts_on_needs_assigned_to_its_organisation(world):
    need = walk(world, S.FORWARDED)
    services.need_transition(need=need, user=world.regionkoordinator_vest, to=S.EVIDENCE_CHECK, partner=world.uib, due=due())
    need.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.need_transition(need=need, user=world.forsker_fhi, to=S.ANSWERED, answer="Svar")


def test_reason_and_answer_that_are_too_long_are_refused(world):
    need = walk(world, S.SUBMITTED)
    with pytest.raises(ValidationError) as exc:
        services.need_transition(need=need, user=world.koordinator_bergen, to=S.REJECTED, reason="x" * 4001)
    assert "for lang" in exc.value.message_dict["reason"][0]


def test_the_public_timeline_is_written_by_the_history_and_marks_publication(world):
    need = walk(world, S.FORWARDED)
    rows = list(NeedStatusChange.objects.filter(need=need).values_list("from_status", "to_status", "level"))
    assert rows == [
        (S.DRAFT, S.SUBMITTED, Level.SUBMITTER),
        (S.SUBMITTED, S.CLUSTER_REVIEW, Level.CLUSTER),
        (S.CLUSTER_REVIEW, S.FORWARDED, Level.CLUSTER),
    ]
    assert need.published_at is not None and need.submitted_at is not None
    org_names = list(NeedStatusChange.objects.filter(need=need).values_list("actor_organisation__name", flat=True))
    assert org_names == ["Askøy", "Bergensklyngen", "Bergensklyngen"]


def test_clarification_goes_back_to_the_submitter_and_the_thread_keeps_both_messages(world):
    need = walk(world, S.SUBMITTED)
    need = services.need_transition(need=need, user=world.koordinator_bergen, to=S.CLARIFICATION,
                                    reason="Gjelder det bare hjemmeboende over 80?")
    need = services.need_update(need=need, user=world.sykepleier_askoy, data={"population": "Hjemmeboende over 80 år"})
    need = services.need_transition(need=need, user=world.sykepleier_askoy, to=S.SUBMITTED, reason="Ja, over 80.")
    assert need.status == S.SUBMITTED and need.population == "Hjemmeboende over 80 år"
    assert [c.text for c in need.comments.all()] == ["Gjelder det bare hjemmeboende over 80?", "Ja, over 80."]


def test_public_ids_have_the_form_kb_year_four_digits_and_are_unique_for_every_kind(world):
    first = register(world)
    second = register(world, kind="innovation", title="Digitalt tilsyn om natten")
    third = register(world, user=world.fou_askoy)
    ids = [first.public_id, second.public_id, third.public_id]
    for public_id in ids:
        assert re.fullmatch(r"KB-\d{4}-\d{4}", public_id)
    assert len(set(ids)) == 3
    numbers = [int(i.rsplit("-", 1)[1]) for i in ids]
    assert numbers == sorted(numbers) and numbers[2] - numbers[0] == 2


def test_a_withdrawn_number_is_never_reused(world):
    need = register(world)
    services.need_transition(need=need, user=world.sykepleier_askoy, to=S.WITHDRAWN)
    Need.objects.filter(pk=need.pk).delete()
    again = register(world)
    assert again.public_id != need.public_id
