"""Ranking: weighted mean of the non-excluded scores, computed omfang, spread and explained ties (hand-checked)."""

import pytest

from ksf.priorities import services
from ksf.priorities.criteria import omfang_for, omfang_score
from ksf.priorities.ranking import compute_ranking

from .helpers import ONLY_SCORED, criteria, forwarded_need, score, vest_round


def _result(row, key):
    return next(r for r in row.results if r.criterion.key == key)


@pytest.mark.django_db
def test_total_is_the_weighted_mean_of_criterion_means_and_conflicted_scores_are_left_out(world):
    a = forwarded_need(world, "Fallforebygging for hjemmeboende eldre")
    b = forwarded_need(world, "Ernæring på sykehjem", area="sykehjem")
    round_ = vest_round(world, [a, b], weights=ONLY_SCORED)  # alvorlighet 2, nytte 2, ressurs 1, gjennomførbarhet 1
    p1, p2, p3 = world.regionkoordinator_vest, world.forsker_fhi, world.koordinator_bergen
    score(round_, p1, a, alvorlighet=4, nytte=5, ressurs=3, gjennomforbarhet=2)
    score(round_, p2, a, alvorlighet=2, nytte=3, ressurs=3, gjennomforbarhet=4)
    score(round_, p3, a, alvorlighet=5, nytte=5, ressurs=5, gjennomforbarhet=5)
    # P3 then declares a conflict for A: the scores stay stored (minutes) but are left out.
    services.conflict_declare(round_=round_, user=p3, need=a, conflicted=True, note="Meldt inn fra egen klynge.")
    for person in (p1, p2, p3):
        score(round_, person, b, alvorlighet=3, nytte=3, ressurs=3, gjennomforbarhet=3)

    ranking = compute_ranking(round_)
    first, second = ranking.rows
    assert first.need == a and second.need == b
    # A: means alvorlighet (4+2)/2=3, nytte (5+3)/2=4, ressurs 3, gjennomførbarhet (2+4)/2=3
    # total = (2·3 + 2·4 + 1·3 + 1·3) / (2+2+1+1) = 20/6
    assert first.total == pytest.approx(20 / 6)
    assert first.total_display == "3,33"
    assert second.total == pytest.approx(3.0)
    alv = _result(first, "alvorlighet")
    assert (alv.value, alv.count, alv.excluded, alv.minimum, alv.maximum) == (3.0, 2, 1, 2, 4)
    assert alv.sd == pytest.approx(1.0)
    assert _result(second, "nytte").sd == 0.0
    assert [c.key for c in ranking.criteria] == ["alvorlighet", "nytte", "ressurs", "gjennomforbarhet"]
    assert not first.tied and not second.tied


@pytest.mark.django_db
def test_omfang_counts_submitter_and_endorsers_with_their_population_and_maps_to_published_anchors(world):
    assert [omfang_score(1, 10_000), omfang_score(2, 0), omfang_score(1, 20_000), omfang_score(3, 0),
            omfang_score(1, 50_000), omfang_score(5, 0), omfang_score(1, 150_000), omfang_score(10, 0),
            omfang_score(1, 400_000)] == [1, 2, 2, 3, 3, 4, 4, 5, 5]
    need = forwarded_need(world, endorsers=(world.helsesykepleier_oygarden, world.fou_trondheim))
    info = omfang_for([need])[need.pk]
    population = world.askoy.population + world.oygarden.population + world.trondheim.population
    assert info.municipalities == 3
    assert info.population == population
    assert info.score == omfang_score(3, population) == 4  # Trondheim alone passes 150 000


@pytest.mark.django_db
def test_computed_omfang_and_kunnskapsstatus_enter_the_total_with_their_weights(world):
    need = forwarded_need(world)  # Askøy only: 1 municipality, ~30 000 people → omfang 2
    round_ = vest_round(world, [need], weights={"omfang": 1, "alvorlighet": 1, "nytte": 0, "ressurs": 0,
                                               "kunnskapsstatus": 2, "gjennomforbarhet": 0})
    score(round_, world.forsker_fhi, need, alvorlighet=5)
    row = compute_ranking(round_).rows[0]
    omfang = _result(row, "omfang").value
    assert omfang == omfang_score(1, world.askoy.population) == 2
    assert _result(row, "kunnskapsstatus").value == 4  # forwarded, no evidence linked yet
    # (1·2 + 1·5 + 2·4) / 4 = 15/4
    assert row.total == pytest.approx(3.75)


@pytest.mark.django_db
def test_equal_totals_are_broken_by_higher_severity_and_the_tie_is_explained(world):
    a = forwarded_need(world, "Behov A")
    b = forwarded_need(world, "Behov B")
    round_ = vest_round(world, [b, a], weights={**ONLY_SCORED, "alvorlighet": 1, "nytte": 1, "ressurs": 0, "gjennomforbarhet": 0})
    score(round_, world.forsker_fhi, a, alvorlighet=4, nytte=2)
    score(round_, world.forsker_fhi, b, alvorlighet=2, nytte=4)
    first, second = compute_ranking(round_).rows
    assert first.total == second.total == 3.0
    assert (first.need, second.need) == (a, b)
    assert first.tied and second.tied
    assert second.tie_note == f"Lik poengsum som {a.public_id}; {a.public_id} står foran på grunn av høyere alvorlighet (4,00 mot 2,00)."


@pytest.mark.django_db
def test_with_equal_severity_more_municipalities_then_earlier_submission_decide(world):
    early = forwarded_need(world, "Tidlig innsendt")
    late = forwarded_need(world, "Sent innsendt")
    wide = forwarded_need(world, "Mange kommuner", endorsers=(world.fou_trondheim,))
    round_ = vest_round(world, [late, wide, early], weights={**ONLY_SCORED, "nytte": 0, "ressurs": 0, "gjennomforbarhet": 0})
    for need in (early, late, wide):
        score(round_, world.forsker_fhi, need, alvorlighet=3)
    rows = compute_ranking(round_).rows
    assert [r.need for r in rows] == [wide, early, late]
    assert "flere kommuner (2 mot 1)" in rows[1].tie_note
    assert "tidligere innsendt" in rows[2].tie_note
    assert [r.position for r in rows] == [1, 2, 3]


@pytest.mark.django_db
def test_weight_zero_leaves_a_criterion_out_and_missing_scores_mark_the_need_incomplete(world):
    need = forwarded_need(world)
    round_ = vest_round(world, [need], weights={**ONLY_SCORED, "ressurs": 0})
    score(round_, world.forsker_fhi, need, alvorlighet=4, nytte=2)
    ranking = compute_ranking(round_)
    row = ranking.rows[0]
    assert "ressurs" not in [c.key for c in ranking.criteria]
    assert row.incomplete  # gjennomførbarhet has no scores yet
    assert row.total == pytest.approx((2 * 4 + 2 * 2) / 4)
    assert criteria(round_)["ressurs"]


@pytest.mark.django_db
def test_computed_criteria_are_frozen_when_the_meeting_starts_so_decisions_do_not_change_the_result(world):
    from ksf.needs.services import need_endorse
    from ksf.priorities.models import RoundStatus

    need = forwarded_need(world)
    round_ = vest_round(world, [need], status=RoundStatus.SCORING)
    before = compute_ranking(round_).rows[0]
    services.round_decide(round_=round_, user=world.regionkoordinator_vest, need=need, kind="research")
    need_endorse(need=need, user=world.fou_trondheim)  # endorsements after the meeting started
    after = compute_ranking(round_).rows[0]
    assert _result(after, "kunnskapsstatus").value == _result(before, "kunnskapsstatus").value == 4
    assert after.municipalities == before.municipalities == 1
    assert after.total == before.total
