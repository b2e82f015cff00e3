"""The statistics functions against the hand-computed figures in `dataset.py`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Sum

from ksf.monitor import stats
from ksf.monitor.stats import StatsFilter, percentile
from ksf.monitor.tests import dataset
from ksf.needs.models import NeedStatusChange
from ksf.organisations.models import Organisation, OrgKind

P2025 = StatsFilter(**dataset.PERIOD_2025)


@pytest.fixture
def needs(world):
    return dataset.build()


# --- percentile method -----------------------------------------------------------------------


def test_percentile_interpolates_linearly_between_closest_ranks():
    # [10, 20, 30, 40]: h = 3 * 0.5 = 1.5 → 20 + 0.5 * 10 = 25; h = 3 * 0.8 = 2.4 → 30 + 0.4 * 10 = 34.
    assert percentile([40, 10, 30, 20], 50) == 25.0
    assert percentile([40, 10, 30, 20], 80) == pytest.approx(34.0)


def test_percentile_of_odd_count_median_is_the_middle_value_and_edges_are_min_and_max():
    assert percentile([7, 1, 3], 50) == 3
    assert percentile([7, 1, 3], 0) == 1
    assert percentile([7, 1, 3], 100) == 7


def test_percentile_of_one_value_is_that_value_and_of_none_is_none():
    assert percentile([5.0], 80) == 5.0
    assert percentile([], 50) is None


# --- needs ------------------------------------------------------------------------------------


def test_needs_per_quarter_counts_first_submission_and_includes_empty_quarters(needs):
    rows = stats.needs_per_quarter(P2025)
    assert [(r.label, r.count) for r in rows] == [("2025 K1", 3), ("2025 K2", 3), ("2025 K3", 0), ("2025 K4", 3)]
    assert rows[2].start == "2025-07-01"


def test_a_need_resubmitted_after_clarification_counts_once_in_the_quarter_of_its_first_submission(needs):
    # N9: submitted 06-02 and again 06-10 → one need in K2.
    rows = stats.needs_per_quarter(StatsFilter(date_from=dt.date(2025, 6, 1), date_to=dt.date(2025, 6, 30)))
    assert [(r.label, r.count) for r in rows] == [("2025 K2", 1)]


def test_drafts_never_submitted_are_not_counted(needs):
    assert stats.need_stats(P2025).registered == 9
    assert stats.need_stats(StatsFilter(municipality="4627")).registered == 2  # N1, N2 (not the draft N7)


def test_quarter_boundaries_are_local_time_in_oslo(world):
    # 2025-03-31 23:30 in Oslo is 21:30 UTC (summer time) → K1; 2025-04-01 00:30 Oslo is 22:30 UTC on 03-31 → K2.
    dataset.make_need("0101", "4627", "annet", [(dt.datetime(2025, 3, 31, 21, 30, tzinfo=dt.UTC), "submitted")])
    dataset.make_need("0102", "4627", "annet", [(dt.datetime(2025, 3, 31, 22, 30, tzinfo=dt.UTC), "submitted")])
    rows = stats.needs_per_quarter(StatsFilter(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 6, 30)))
    assert [(r.label, r.count) for r in rows] == [("2025 K1", 1), ("2025 K2", 1)]
    # The period filter uses the same local days, both ends inclusive.
    assert stats.need_stats(StatsFilter(date_from=dt.date(2025, 4, 1), date_to=dt.date(2025, 4, 1))).registered == 1


def test_needs_by_highest_level_reached_come_from_the_history(needs):
    assert {r.key: r.count for r in stats.needs_by_level(P2025)} == {
        "municipality": 1, "cluster": 4, "region": 3, "national": 1}


def test_needs_by_outcome_cover_every_need_once(needs):
    outcomes = {r.key: r.count for r in stats.needs_by_outcome(P2025)}
    assert outcomes == {
        "answered_existing": 1, "summary": 1, "research_proposal": 1, "answered_locally": 1,
        "rejected": 1, "merged": 1, "withdrawn": 1, "pending": 2,
    }
    assert sum(outcomes.values()) == 9
    shares = {r.key: r.share for r in stats.needs_by_outcome(P2025)}
    assert shares["pending"] == 22.2  # 2 / 9


# --- lead times -------------------------------------------------------------------------------


def test_lead_times_median_and_p80_per_stage(needs):
    rows = {r.key: r for r in stats.lead_times(P2025)}
    c, r, a = rows["cluster_decision"], rows["region_decision"], rows["answered"]
    assert (c.completed, c.open, c.median_days, c.p80_days) == (7, 1, 10.0, 14.4)
    assert (r.completed, r.open, r.median_days, r.p80_days) == (3, 1, 30.0, 36.0)
    assert (a.completed, a.open, a.median_days, a.p80_days) == (3, 3, 50.0, 74.0)


def test_open_needs_are_not_in_the_durations_until_they_close(needs):
    # N10 is waiting at the region; once decided after 30 days it joins the region durations.
    NeedStatusChange.objects.create(need=needs["N10"], from_status="forwarded", to_status="evidence_check",
                                    level="region", created_at=dataset.at(12, 3))
    needs["N10"].status = "evidence_check"
    needs["N10"].save()
    r = {row.key: row for row in stats.lead_times(P2025)}["region_decision"]
    # [20, 30, 30, 40]: median h = 1.5 → 30.0; p80 h = 2.4 → 30 + 0.4 * 10 = 34.0.
    assert (r.completed, r.open, r.median_days, r.p80_days) == (4, 0, 30.0, 34.0)


def test_lead_times_per_quarter_of_submission(needs):
    rows = stats.lead_times_by_quarter(P2025)
    answered = [(q.label, q.submitted, q.stages["answered"].median_days, q.stages["answered"].p80_days,
                 q.stages["answered"].open) for q in rows]
    assert answered == [
        ("2025 K1", 3, 50.0, 74.0, 0),
        ("2025 K2", 3, None, None, 1),
        ("2025 K3", 0, None, None, 0),
        ("2025 K4", 3, None, None, 2),
    ]


# --- participation ----------------------------------------------------------------------------


def test_participation_counts_submitting_and_endorsing_municipalities(needs):
    p = stats.participation(P2025)
    assert (p.total.municipalities, p.total.participating) == (357, 7)
    numbers = ["4627", "4601", "5001", "5501", "4626", "4631", "0301"]
    munis = Organisation.objects.filter(kind=OrgKind.MUNICIPALITY)
    part_pop = munis.filter(municipality_number__in=numbers).aggregate(s=Sum("population"))["s"]
    total_pop = munis.aggregate(s=Sum("population"))["s"]
    assert p.total.participating_population == part_pop
    assert p.total.population_share == round(100 * part_pop / total_pop, 1)
    assert p.total.share == 2.0  # 7 / 357 = 1.96 %
    assert {r.key: r.participating for r in p.regions} == {"vest": 4, "midt": 1, "nord": 1, "sorost": 1}


def test_participation_respects_the_period_for_endorsements(needs):
    # Without a period Bodø's endorsement from 2026 counts too.
    assert stats.participation(StatsFilter()).total.participating == 8
    vestland = next(c for c in stats.participation(P2025).counties if c.row.label == "Vestland")
    cells = {m.number: m for m in vestland.municipalities}
    assert (cells["4627"].needs, cells["4627"].endorsements, cells["4627"].participating) == (2, 0, True)
    assert (cells["4631"].needs, cells["4631"].endorsements, cells["4631"].participating) == (0, 1, True)
    assert cells["4613"].participating is False
    assert vestland.row.participating == 4


# --- filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"region": "vest"}, 6),  # N1 N2 N3 N8 N9 N10
        ({"service_area": "hjemmetjenester"}, 5),  # N1 N3 N5 N8 N9
        ({"municipality": "4601"}, 3),  # N3 N9 N10
        ({"date_from": dt.date(2025, 4, 1), "date_to": dt.date(2025, 6, 30)}, 3),  # N4 N5 N9
        ({"region": "midt", "service_area": "legevakt"}, 1),  # N4
    ],
)
def test_filters_select_the_needs(needs, kwargs, expected):
    assert stats.need_stats(StatsFilter(**kwargs)).registered == expected


def test_cluster_filter_and_its_participation_scope(needs):
    cluster = Organisation.objects.get(slug="bergensklyngen")
    f = StatsFilter(cluster=cluster.pk, **dataset.PERIOD_2025)
    assert stats.need_stats(f).registered == 6
    p = stats.participation(f)
    # Members: Bergen, Askøy, Øygarden, Alver, Vaksdal?, ... (7); Bergen, Askøy, Øygarden, Alver take part.
    assert (p.total.municipalities, p.total.participating) == (7, 4)


def test_headline_figures(needs):
    h = stats.headline(P2025)
    assert h["needs_registered"] == 9
    assert h["needs_answered"] == 3
    assert h["share_answered_pct"] == 33.3
    assert h["needs_open"] == 3
    assert h["municipalities_participating"] == 7
    assert h["municipalities_total"] == 357
    assert h["median_days_to_answer"] == 50.0
    assert h["p80_days_to_answer"] == 74.0
    assert h["median_days_to_cluster_decision"] == 10.0


def test_cached_figures_change_when_the_data_changes(needs):
    assert stats.need_stats(P2025).registered == 9
    dataset.make_need("0200", "4627", "annet", [(dataset.at(8, 1), "submitted")])
    after = stats.need_stats(P2025)
    assert after.registered == 10
    assert [q.count for q in after.quarters] == [3, 3, 1, 3]
