"""Rounds: who may open and run them, habilitet before scoring, and refusals that store nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ksf.priorities import services
from ksf.priorities.models import Candidate, ConflictDeclaration, Participant, Round, RoundLevel, RoundStatus, Score

from .helpers import criteria, forwarded_need, midt_national_need, score, valid_fnr, vest_round


@pytest.mark.django_db
def test_a_regional_round_starts_with_default_criteria_and_the_regions_forwarded_needs(world):
    vest_need = forwarded_need(world)
    round_ = services.round_create(user=world.regionkoordinator_vest, level=RoundLevel.REGIONAL,
                                   region=world.rso_vest.region, title="Vårmøtet", meeting_date=dt.date(2026, 4, 1))
    assert [c.key for c in round_.criteria.all()] == [
        "omfang", "alvorlighet", "nytte", "ressurs", "kunnskapsstatus", "gjennomforbarhet"]
    assert all(c.anchor_list() for c in round_.criteria.all())
    assert list(Candidate.objects.filter(round=round_).values_list("need", flat=True)) == [vest_need.pk]
    assert round_.status == RoundStatus.DRAFT


@pytest.mark.django_db
def test_coordinators_open_rounds_only_at_their_own_level(world):
    vest = world.rso_vest.region
    for user in (world.regionkoordinator_midt, world.koordinator_bergen, world.utenforstaende_tromso, world.forsker_fhi):
        with pytest.raises(PermissionDenied):
            services.round_create(user=user, level=RoundLevel.REGIONAL, region=vest, title="X", meeting_date=dt.date(2026, 4, 1))
    with pytest.raises(PermissionDenied):
        services.round_create(user=world.regionkoordinator_vest, level=RoundLevel.NATIONAL, region=None, title="X",
                              meeting_date=dt.date(2026, 4, 1))
    assert not Round.objects.exists()
    national = services.round_create(user=world.nasjonal_ks, level=RoundLevel.NATIONAL, region=None, title="Nasjonalt møte",
                                     meeting_date=dt.date(2026, 4, 1))
    assert national.region is None


@pytest.mark.django_db
def test_national_round_takes_national_needs_from_all_regions_and_flags_possible_duplicates(world):
    vest = forwarded_need(world, "Fallforebygging hos hjemmeboende eldre")
    from ksf.needs.services import need_transition

    vest = need_transition(need=vest, user=world.regionkoordinator_vest, to="national", reason="Flere regioner.")
    midt = midt_national_need(world, "Fallforebygging for eldre hjemmeboende i Trondheim")
    other = midt_national_need(world, "Legevakt og ventetid", area="legevakt")
    round_ = services.round_create(user=world.nasjonal_ks, level=RoundLevel.NATIONAL, region=None, title="Nasjonalt",
                                   meeting_date=dt.date(2026, 5, 1))
    assert set(round_.candidates.values_list("need", flat=True)) == {vest.pk, midt.pk, other.pk}
    from ksf.priorities.ranking import compute_ranking

    rows = {r.need.pk: r for r in compute_ranking(round_).rows}
    assert [d.other for d in rows[vest.pk].duplicates] == [midt]
    assert [d.other for d in rows[midt.pk].duplicates] == [vest]
    assert rows[other.pk].duplicates == []


@pytest.mark.django_db
def test_scoring_without_a_declaration_is_refused_and_nothing_is_stored(world):
    need = forwarded_need(world)
    round_ = vest_round(world, [need])
    with pytest.raises(ValidationError, match="erklære habilitet"):
        services.scores_submit(round_=round_, user=world.forsker_fhi, need=need, values={criteria(round_)["nytte"]: 3})
    assert not Score.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", [0, 6, "3,5", "abc", -1])
def test_a_score_outside_the_scale_is_refused_and_nothing_is_stored(world, value):
    need = forwarded_need(world)
    round_ = vest_round(world, [need])
    services.conflict_declare(round_=round_, user=world.forsker_fhi, need=need, conflicted=False)
    keys = criteria(round_)
    with pytest.raises(ValidationError) as exc:
        services.scores_submit(round_=round_, user=world.forsker_fhi, need=need,
                               values={keys["alvorlighet"]: 4, keys["nytte"]: value})
    assert "helt tall fra 1 til 5" in str(exc.value)
    assert not Score.objects.exists()


@pytest.mark.django_db
def test_computed_criteria_cannot_be_scored(world):
    need = forwarded_need(world)
    round_ = vest_round(world, [need])
    services.conflict_declare(round_=round_, user=world.forsker_fhi, need=need, conflicted=False)
    with pytest.raises(ValidationError, match="beregnes av systemet"):
        services.scores_submit(round_=round_, user=world.forsker_fhi, need=need, values={criteria(round_)["omfang"]: 5})
    assert not Score.objects.exists()


@pytest.mark.django_db
def test_a_conflicted_participant_cannot_score_the_need(world):
    need = forwarded_need(world)
    round_ = vest_round(world, [need])
    services.conflict_declare(round_=round_, user=world.koordinator_bergen, need=need, conflicted=True, note="Egen klynge.")
    with pytest.raises(ValidationError, match="inhabil"):
        services.scores_submit(round_=round_, user=world.koordinator_bergen, need=need, values={criteria(round_)["nytte"]: 5})
    assert not Score.objects.exists()


@pytest.mark.django_db
def test_a_conflict_needs_a_note(world):
    need = forwarded_need(world)
    round_ = vest_round(world, [need])
    with pytest.raises(ValidationError, match="inhabiliteten"):
        services.conflict_declare(round_=round_, user=world.koordinator_bergen, need=need, conflicted=True)
    assert not ConflictDeclaration.objects.exists()


@pytest.mark.django_db
def test_participants_not_invited_cannot_declare_or_score(world):
    need = forwarded_need(world)
    round_ = vest_round(world, [need])
    for user in (world.bibliotekar_uib, world.utenforstaende_tromso, world.nasjonal_ks):
        with pytest.raises(PermissionDenied, match="ikke invitert"):
            services.conflict_declare(round_=round_, user=user, need=need, conflicted=False)
        with pytest.raises(PermissionDenied, match="ikke invitert"):
            services.scores_submit(round_=round_, user=user, need=need, values={criteria(round_)["nytte"]: 3})
    assert not ConflictDeclaration.objects.exists() and not Score.objects.exists()


@pytest.mark.django_db
def test_scoring_a_need_that_is_not_in_the_round_is_refused(world):
    inside = forwarded_need(world, "Med i runden")
    outside = forwarded_need(world, "Ikke med")
    round_ = vest_round(world, [inside])
    with pytest.raises(ValidationError, match="ikke med i denne runden"):
        services.conflict_declare(round_=round_, user=world.forsker_fhi, need=outside, conflicted=False)
    assert not ConflictDeclaration.objects.exists()


@pytest.mark.django_db
def test_a_closed_round_cannot_be_edited(world):
    need = forwarded_need(world)
    round_ = vest_round(world, [need], status=RoundStatus.SCORING)
    score(round_, world.forsker_fhi, need, nytte=3)
    services.round_set_status(round_=round_, user=world.regionkoordinator_vest, to=RoundStatus.CLOSED)
    keys = criteria(round_)
    coordinator = world.regionkoordinator_vest
    attempts = [
        lambda: services.scores_submit(round_=round_, user=world.forsker_fhi, need=need, values={keys["nytte"]: 5}),
        lambda: services.conflict_declare(round_=round_, user=world.forsker_fhi, need=need, conflicted=True, note="x"),
        lambda: services.criteria_set_weights(round_=round_, user=coordinator, weights={keys["nytte"]: 5}),
        lambda: services.criterion_add(round_=round_, user=coordinator, name="Nytt kriterium"),
        lambda: services.participant_invite(round_=round_, user=coordinator, invitee=world.bibliotekar_uib),
        lambda: services.candidate_remove(round_=round_, user=coordinator, need=need),
        lambda: services.round_update(round_=round_, user=coordinator, title="Nytt navn", meeting_date=dt.date(2026, 1, 1)),
        lambda: services.round_decide(round_=round_, user=coordinator, need=need, kind="defer"),
        lambda: services.round_set_status(round_=round_, user=coordinator, to=RoundStatus.SCORING),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="avsluttet"):
            attempt()
    round_.refresh_from_db()
    assert round_.title == "Prioriteringsmøte RSO Vest mars" and round_.status == RoundStatus.CLOSED
    assert list(Score.objects.values_list("value", flat=True)) == [3]
    assert round_.criteria.get(key="nytte").weight == 2
    assert not Participant.objects.filter(user=world.bibliotekar_uib).exists()
    assert not round_.decisions.exists()


@pytest.mark.django_db
def test_only_the_rounds_coordinator_changes_its_setup(world):
    need = forwarded_need(world)
    round_ = vest_round(world, [need], status=RoundStatus.DRAFT)
    for user in (world.forsker_fhi, world.regionkoordinator_midt, world.utenforstaende_tromso):
        with pytest.raises(PermissionDenied):
            services.participant_invite(round_=round_, user=user, invitee=world.bibliotekar_uib)
        with pytest.raises(PermissionDenied):
            services.round_set_status(round_=round_, user=user, to=RoundStatus.OPEN)
    assert round_.participants.count() == 3


@pytest.mark.django_db
def test_a_round_opens_only_with_participants_and_candidates(world):
    round_ = services.round_create(user=world.regionkoordinator_vest, level=RoundLevel.REGIONAL,
                                   region=world.rso_vest.region, title="Tom runde", meeting_date=dt.date(2026, 4, 1))
    with pytest.raises(ValidationError) as exc:
        services.round_set_status(round_=round_, user=world.regionkoordinator_vest, to=RoundStatus.OPEN)
    assert "Inviter minst én deltaker." in exc.value.messages and "Legg til minst ett kandidatbehov." in exc.value.messages
    round_.refresh_from_db()
    assert round_.status == RoundStatus.DRAFT


@pytest.mark.django_db
def test_weights_are_validated_and_a_custom_criterion_can_be_added(world):
    need = forwarded_need(world)
    round_ = vest_round(world, [need], status=RoundStatus.DRAFT)
    keys = criteria(round_)
    for bad in ("-1", "11", "1,25", "mye"):
        with pytest.raises(ValidationError, match="Vekten"):
            services.criteria_set_weights(round_=round_, user=world.regionkoordinator_vest, weights={keys["nytte"]: bad})
    assert round_.criteria.get(key="nytte").weight == 2
    services.criteria_set_weights(round_=round_, user=world.regionkoordinator_vest, weights={keys["nytte"]: "1,5"})
    assert str(round_.criteria.get(key="nytte").weight) == "1.5"
    added = services.criterion_add(round_=round_, user=world.regionkoordinator_vest, name="Brukernes prioritet",
                                   weight="1", anchors={"1": "Lav", "5": "Høy"})
    assert added.is_scored and added.anchor_list() == [(1, "Lav"), (5, "Høy")]


@pytest.mark.django_db
def test_free_text_with_a_fodselsnummer_is_refused(world):
    need = forwarded_need(world)
    round_ = vest_round(world, [need])
    with pytest.raises(ValidationError, match="fødselsnummer"):
        services.conflict_declare(round_=round_, user=world.koordinator_bergen, need=need, conflicted=True,
                                  note=f"Gjelder pasient {valid_fnr()}")
    assert not ConflictDeclaration.objects.exists()
