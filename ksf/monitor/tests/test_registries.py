"""Projects and joint procurement in the monitor: figures from the other apps' selectors, and the
page still works (showing "ikke tilgjengelig ennå") when a selector is not there."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from ksf.monitor import stats
from ksf.monitor.stats import StatsFilter
from ksf.monitor.tests import dataset
from ksf.organisations.models import Organisation
from ksf.procurement.models import Initiative
from ksf.projects.models import Funding, Project, UserParticipation


@pytest.fixture
def registry(world):
    """Three published projects and one hidden; two published initiatives and one draft.

    P1 (Askøy, ongoing): Forskningsrådet 1 000 000 + egenandel 200 000; users in design as adviser
        and in conduct as co-researcher.
    P2 (Bergen, completed): Pilot Helse 500 000; no user participation.
    P3 (Trondheim, planned): no funding; participation not reported.
    P4 unpublished: not counted.
    Expected, whole country: by status ongoing 1, completed 1, planned 1, stopped 0;
    funding forskningsradet 1 000 000, egenandel 200 000, pilot_helse 500 000;
    participation 1 of 3 (33.3 %), none 1, not reported 1; phase design 1, conduct 1;
    capacity adviser 1, co_researcher 1. Region vest: P1 and P2 only.
    Procurement: markedsdialog 1, utproving 1, the others 0 (the draft is not counted).
    """
    needs = dataset.build()
    askoy, bergen, trondheim = (dataset.muni(n) for n in ("4627", "4601", "5001"))

    def project(title, owner, status, reported, published=True):
        p = Project.objects.create(title=title, summary="Sammendrag", status=status, start_date=dt.date(2025, 1, 1),
                                   owner=owner, leader=owner, participation_reported=reported, is_published=published)
        p.municipalities.add(owner)
        return p

    p1 = project("P1", askoy, "ongoing", "participation")
    p1.needs.add(needs["N1"])
    Funding.objects.create(project=p1, source="forskningsradet", amount=1_000_000)
    Funding.objects.create(project=p1, source="egenandel", amount=200_000)
    UserParticipation.objects.create(project=p1, phase="design", capacity="adviser", who="patients")
    UserParticipation.objects.create(project=p1, phase="conduct", capacity="co_researcher", who="next_of_kin")
    p2 = project("P2", bergen, "completed", "none")
    Funding.objects.create(project=p2, source="pilot_helse", amount=500_000)
    project("P3", trondheim, "planned", "not_reported")
    project("P4", askoy, "stopped", "none", published=False)
    Initiative.objects.create(title="I1", description="d", lead=bergen, phase="markedsdialog", published_at=timezone.now())
    Initiative.objects.create(title="I2", description="d", lead=bergen, phase="utproving", published_at=timezone.now())
    Initiative.objects.create(title="I3", description="d", lead=bergen, phase="konkurranse")
    return needs


def _values(fig):
    return {r["key"]: r["value"] for r in fig.rows}


def test_projects_by_status_and_funding_by_source(registry):
    figs = stats.project_figures(StatsFilter())
    assert _values(figs["by_status"]) == {"planned": 1, "ongoing": 1, "completed": 1, "stopped": 0}
    funding = _values(figs["funding"])
    assert (funding["forskningsradet"], funding["egenandel"], funding["pilot_helse"], funding["eu"]) == (1_000_000, 200_000, 500_000, 0)


def test_user_participation_shares_by_phase_and_capacity_and_not_reported(registry):
    rows = {r["key"]: (r["value"], r["share"]) for r in stats.project_figures(StatsFilter())["participation"].rows}
    assert rows["participation"] == (1, 33.3)
    assert rows["none"] == (1, 33.3)
    assert rows["not_reported"] == (1, 33.3)
    assert rows["phase:design"] == (1, 33.3) and rows["phase:conduct"] == (1, 33.3) and rows["phase:analyse"] == (0, 0.0)
    assert rows["capacity:adviser"] == (1, 33.3) and rows["capacity:co_researcher"] == (1, 33.3)


def test_project_figures_follow_the_region_filter_and_projects_per_answered_need(registry):
    vest = StatsFilter(region="vest", **dataset.PERIOD_2025)
    assert _values(stats.project_figures(vest)["by_status"]) == {"planned": 0, "ongoing": 1, "completed": 1, "stopped": 0}
    ratio = stats.projects_per_answered_need(vest)
    # 2 projects in Vest; answered needs in Vest in 2025: N1, N2, N3 → 2 / 3 = 0.67.
    assert (ratio.projects, ratio.answered, ratio.ratio) == (2, 3, 0.67)
    assert stats.headline(StatsFilter())["projects_total"] == 3


def test_joint_procurements_by_phase(registry):
    fig = stats.procurement_figures(StatsFilter())
    assert _values(fig) == {"behovsavklaring": 0, "markedsdialog": 1, "konkurranse": 0, "kontrakt": 0, "utproving": 1, "skalering": 0}
    assert stats.headline(StatsFilter())["joint_procurements_total"] == 2


def test_the_page_says_not_yet_available_when_another_app_has_no_selector(client, registry, monkeypatch):
    monkeypatch.setattr(stats, "_selector", lambda module, name: None)
    response = client.get(reverse("monitor:stats"))
    assert response.status_code == 200
    assert "ikke tilgjengelig ennå" in response.content.decode()
    assert client.get("/api/v1/stats").json()["headline"]["projects_total"] is None


def test_cluster_filter_counts_projects_of_member_municipalities(registry):
    cluster = Organisation.objects.get(slug="bergensklyngen")
    assert _values(stats.project_figures(StatsFilter(cluster=cluster.pk))["by_status"])["ongoing"] == 1
