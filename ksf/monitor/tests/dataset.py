"""A small hand-built data set with chosen timestamps; the expected figures are worked out below.

All times are 12:00 UTC (13:00/14:00 in Oslo, same calendar day), so every duration is a whole
number of days. `d` = days from the first submission.

| need | municipality | area | history (date: to_status) | level | outcome |
|---|---|---|---|---|---|
| N1 | Askøy 4627 | hjemme | 01-10 submitted, 01-15 cluster_review, 01-20 forwarded (d10), 02-09 evidence_check (d30), 03-01 answered (d50) | region | answered_existing |
| N2 | Askøy | sykehjem | 02-01 submitted, 02-05 cluster_review, 02-21 answered_locally (cluster d20, answered d20) | cluster | answered_locally |
| N3 | Bergen 4601 | hjemme | 02-15 submitted, 02-16 cluster_review, 02-27 forwarded (d12), 03-07 national (region d20), 03-20 evidence_check, 04-01 summary_commissioned, 05-16 summary_published (d90) | national | summary |
| N4 | Trondheim 5001 | legevakt | 04-10 submitted, 04-20 rejected (cluster d10) | cluster | rejected |
| N5 | Trondheim | hjemme | 05-05 submitted, 05-06 cluster_review — still open | cluster | pending |
| N9 | Bergen | hjemme | 06-02 submitted, 06-03 clarification, 06-10 submitted, 06-11 cluster_review, 06-12 merged (cluster d10 from the FIRST submission) | cluster | merged |
| N6 | Tromsø 5501 | rus | 10-01 submitted, 10-03 withdrawn | municipality | withdrawn |
| N8 | Øygarden 4626 | hjemme | 10-20 submitted, 10-21 cluster_review, 11-04 forwarded (d15), 11-29 research_proposal (region d40) — open for "answered" | region | research_proposal |
| N10 | Bergen | velferd | 11-03 submitted, 11-04 cluster_review, 11-13 forwarded (d10) — open at the region | region | pending |
| N7 | Askøy | hjemme | draft only, never submitted: not counted anywhere | – | – |

Period 2025-01-01..2025-12-31, no other filter:
- per quarter: 2025 K1 = 3 (N1 N2 N3), K2 = 3 (N4 N5 N9), K3 = 0 (empty), K4 = 3 (N6 N8 N10); registered 9.
- levels: municipality 1, cluster 4, region 3, national 1.
- outcomes: answered_existing 1, summary 1, research_proposal 1, answered_locally 1, rejected 1, merged 1,
  withdrawn 1, pending 2.
- answered (ANSWERED_STATUSES) 3 (N1 N2 N3) → 33.3 %; open (not final) 3 (N5 N8 N10).
- cluster decision d: [10, 10, 10, 10, 12, 15, 20] (N1 N4 N9 N10 N3 N8 N2), n = 7
  median: h = 6 * 0.5 = 3 → x3 = 10.0; p80: h = 6 * 0.8 = 4.8 → x4 + 0.8 (x5 - x4) = 12 + 0.8 * 3 = 14.4;
  open 1 (N5; N6 withdrawn is not waiting).
- region decision d: [20, 30, 40] (N3 N1 N8): median 30.0; p80: h = 1.6 → 30 + 0.6 * 10 = 36.0; open 1 (N10).
- answered d: [20, 50, 90] (N2 N1 N3): median 50.0; p80: h = 1.6 → 50 + 0.6 * 40 = 74.0;
  open 3 (N5 N8 N10); N4 N6 N9 are closed without an answer and in neither.
- per quarter, answered stage: K1 median 50.0 / p80 74.0 / open 0; K2 none / open 1 (N5); K3 none, 0 submitted;
  K4 none / open 2 (N8 N10).

Endorsements: Trondheim → N1 (2025-03-05, already participating), Alver 4631 → N3 (2025-03-10),
Oslo 0301 → N1 (2025-04-02), Bodø 1804 → N3 (2026-01-15, outside the 2025 period).
Participation in 2025: submitted Askøy, Bergen, Trondheim, Tromsø, Øygarden (5) + endorsed Alver, Oslo = 7 of 357;
per region: vest 4 (Askøy Bergen Øygarden Alver), midt 1, nord 1 (Tromsø), sorost 1 (Oslo).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ksf.needs.models import Endorsement, Need, NeedStatusChange
from ksf.organisations.models import Organisation, OrgKind

UTC = dt.UTC
PERIOD_2025: dict[str, Any] = {"date_from": dt.date(2025, 1, 1), "date_to": dt.date(2025, 12, 31)}


def at(month: int, day: int, year: int = 2025, hour: int = 12) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=UTC)


LEVEL_OF = {
    "submitted": "submitter", "withdrawn": "submitter", "cluster_review": "cluster", "clarification": "cluster",
    "rejected": "cluster", "answered_locally": "cluster", "merged": "cluster", "forwarded": "cluster",
    "national": "region", "evidence_check": "region", "summary_commissioned": "region", "research_proposal": "region",
    "answered": "partner", "summary_published": "partner",
}


def muni(number: str) -> Organisation:
    return Organisation.objects.get(kind=OrgKind.MUNICIPALITY, municipality_number=number)


def make_need(key: str, number: str, area: str, steps: list[tuple[dt.datetime, str]], **extra: Any) -> Need:
    m = muni(number)
    cluster = m.clusters.filter(kind=OrgKind.CLUSTER).order_by("pk").first()
    status = steps[-1][1] if steps else "draft"
    need = Need.objects.create(
        public_id=f"KB-2025-{key}", title=f"Behov {key}", question="Spørsmål", service_area=area,
        municipality=m, cluster=cluster, region=m.region, status=status,  # type: ignore[misc]
        submitted_at=steps[0][0] if steps else None,
        published_at=next((when for when, to in steps if to == "cluster_review"), None), **extra,
    )
    previous = "draft"
    for when, to in steps:
        NeedStatusChange.objects.create(
            need=need, from_status=previous, to_status=to, level=LEVEL_OF[to], created_at=when,
            actor_organisation=m, reason="",
        )
        previous = to
    return need


def endorse(need: Need, number: str, when: dt.datetime) -> None:
    e = Endorsement.objects.create(need=need, municipality=muni(number))
    Endorsement.objects.filter(pk=e.pk).update(created_at=when)


def build() -> dict[str, Need]:
    """Needs N1..N10 as in the module docstring (requires the `world` fixture)."""
    n: dict[str, Need] = {}
    n["N1"] = make_need("0001", "4627", "hjemmetjenester", [
        (at(1, 10), "submitted"), (at(1, 15), "cluster_review"), (at(1, 20), "forwarded"),
        (at(2, 9), "evidence_check"), (at(3, 1), "answered")])
    n["N2"] = make_need("0002", "4627", "sykehjem", [
        (at(2, 1), "submitted"), (at(2, 5), "cluster_review"), (at(2, 21), "answered_locally")])
    n["N3"] = make_need("0003", "4601", "hjemmetjenester", [
        (at(2, 15), "submitted"), (at(2, 16), "cluster_review"), (at(2, 27), "forwarded"), (at(3, 7), "national"),
        (at(3, 20), "evidence_check"), (at(4, 1), "summary_commissioned"), (at(5, 16), "summary_published")])
    n["N4"] = make_need("0004", "5001", "legevakt", [(at(4, 10), "submitted"), (at(4, 20), "rejected")])
    n["N5"] = make_need("0005", "5001", "hjemmetjenester", [(at(5, 5), "submitted"), (at(5, 6), "cluster_review")])
    n["N9"] = make_need("0009", "4601", "hjemmetjenester", [
        (at(6, 2), "submitted"), (at(6, 3), "clarification"), (at(6, 10), "submitted"), (at(6, 11), "cluster_review"),
        (at(6, 12), "merged")], merged_into=n["N3"])
    n["N6"] = make_need("0006", "5501", "rus_psykisk", [(at(10, 1), "submitted"), (at(10, 3), "withdrawn")])
    n["N8"] = make_need("0008", "4626", "hjemmetjenester", [
        (at(10, 20), "submitted"), (at(10, 21), "cluster_review"), (at(11, 4), "forwarded"), (at(11, 29), "research_proposal")])
    n["N10"] = make_need("0010", "4601", "velferdsteknologi", [
        (at(11, 3), "submitted"), (at(11, 4), "cluster_review"), (at(11, 13), "forwarded")])
    n["N7"] = make_need("0007", "4627", "hjemmetjenester", [])
    endorse(n["N1"], "5001", at(3, 5))
    endorse(n["N3"], "4631", at(3, 10))
    endorse(n["N1"], "0301", at(4, 2))
    endorse(n["N3"], "1804", at(1, 15, 2026))
    return n
