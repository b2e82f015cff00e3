"""Counting user participation by phase and capacity (the monitor's numbers), checked by hand."""

import pytest

from ksf.projects import selectors
from ksf.projects.services import FundingRow
from ksf.projects.services import ParticipationRow as P

from .factories import make_project


@pytest.fixture
def projects(world):
    # A: design/adviser twice (patients + next of kin: one project), conduct/co_researcher.
    a = make_project(world, title="A", status="ongoing", rows=[
        P("design", "adviser", "patients"), P("design", "adviser", "next_of_kin"), P("conduct", "co_researcher", "patients")],
        funding=[FundingRow("forskningsradet", 1_000_000), FundingRow("egenandel", 250_000)])
    # B: design/adviser, disseminate/representative.
    b = make_project(world, title="B", status="completed", rows=[
        P("design", "adviser", "user_organisations"), P("disseminate", "representative", "user_organisations")],
        funding=[FundingRow("forskningsradet", 500_000)])
    # C: identify/co_researcher, design/other.
    c = make_project(world, title="C", status="completed", rows=[
        P("identify", "co_researcher", "patients"), P("design", "other", "next_of_kin")],
        funding=[FundingRow("pilot_helse", 2_000_000)])
    d = make_project(world, title="D", status="planned", state="none", rows=[], funding=[])
    e = make_project(world, title="E", status="stopped", state="none", rows=[], funding=[FundingRow("eu", 300)])
    f = make_project(world, title="F", status="ongoing", state="not_reported", rows=[], funding=[])
    return {p.title: p for p in (a, b, c, d, e, f)}


@pytest.mark.django_db
def test_participation_is_counted_per_project_by_phase_and_capacity(projects):
    counts = selectors.participation_counts(selectors.published_projects())
    assert (counts["total"], counts["participation"], counts["none"], counts["not_reported"]) == (6, 3, 2, 1)
    assert counts["by_phase"] == {"identify": 1, "design": 3, "conduct": 1, "analyse": 0, "disseminate": 1}
    assert counts["by_capacity"] == {"co_researcher": 2, "adviser": 2, "representative": 1, "other": 1}
    assert counts["by_phase_capacity"]["design"] == {"co_researcher": 0, "adviser": 2, "representative": 0, "other": 1}
    assert counts["by_phase_capacity"]["conduct"]["co_researcher"] == 1
    assert counts["by_phase_capacity"]["identify"]["co_researcher"] == 1
    assert counts["by_phase_capacity"]["disseminate"]["representative"] == 1
    assert sum(sum(row.values()) for row in counts["by_phase_capacity"].values()) == 6
    assert counts["by_who"] == {"patients": 2, "next_of_kin": 2, "user_organisations": 1, "other": 0}


@pytest.mark.django_db
def test_counts_follow_the_queryset_given(projects):
    qs = selectors.published_projects().filter(title__in=["A", "D"])
    counts = selectors.participation_counts(qs)
    assert (counts["total"], counts["participation"], counts["none"], counts["not_reported"]) == (2, 1, 1, 0)
    assert counts["by_phase"]["design"] == 1


@pytest.mark.django_db
def test_funding_is_summed_by_source_and_projects_counted_by_status(projects):
    qs = selectors.published_projects()
    assert selectors.funding_by_source(qs) == {
        "forskningsradet": 1_500_000, "regionale_forskningsfond": 0, "pilot_helse": 2_000_000, "rhf": 0,
        "eu": 300, "egenandel": 250_000, "annet": 0}
    assert selectors.projects_by_status(qs) == {"planned": 1, "ongoing": 2, "completed": 2, "stopped": 1}


@pytest.mark.django_db
def test_list_filters_by_participation_state_phase_capacity_and_funding(world, projects):
    def titles(**kw):
        return sorted(p.title for p in selectors.project_list(user=None, filters=selectors.ProjectFilters(**kw)))

    assert titles(participation="none") == ["D", "E"]
    assert titles(phase="design") == ["A", "B", "C"]
    assert titles(phase="design", capacity="adviser") == ["A", "B"]
    assert titles(capacity="co_researcher") == ["A", "C"]
    assert titles(phase="identify", capacity="other") == []  # C has identify and other, but not in one row
    assert titles(funding_source="forskningsradet") == ["A", "B"]
    assert titles(status="completed") == ["B", "C"]
    assert titles(region="vest") == ["A", "B", "C", "D", "E", "F"]
    assert titles(region="nord") == []
    assert titles(municipality="4626") == ["A", "B", "C", "D", "E", "F"]
    assert titles(service_area="sykehjem") == []
