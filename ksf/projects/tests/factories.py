"""Helpers for the project tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ksf.needs.models import Need
from ksf.needs.services import need_create, need_transition
from ksf.needs.workflow import Status
from ksf.projects import services
from ksf.projects.models import Project
from ksf.projects.services import FundingRow, ParticipationRow


def project_data(world: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Tidlig oppdagelse av forverring i hjemmesykepleien",
        "summary": "Prosjektet prøver ut strukturert observasjon hos hjemmeboende eldre.",
        "kind": "research",
        "status": "ongoing",
        "start_date": dt.date(2025, 1, 1),
        "end_date": dt.date(2026, 12, 31),
        "owner": world.askoy,
        "leader": world.askoy,
        "partners": [world.uib],
        "municipalities": [world.askoy, world.oygarden],
        "keywords": ["NEWS2", "eldre"],
        "service_areas": ["hjemmetjenester"],
        "cristin_id": "",
        "is_published": True,
    }
    data.update(overrides)
    return data


def make_project(world: Any, *, user: Any = None, funding: Any = None, state: str = "participation",
                 rows: Any = None, **overrides: Any) -> Project:
    return services.project_create(
        user=user or world.fou_askoy,
        data=project_data(world, **overrides),
        funding=funding if funding is not None else [FundingRow("regionale_forskningsfond", 1_000_000)],
        participation_state=state,
        participation=rows if rows is not None else (
            [ParticipationRow("design", "adviser", "patients")] if state == "participation" else []
        ),
    )


def research_need(world: Any, title: str = "Hvordan oppdage forverring tidlig hos eldre?") -> Need:
    """A need from Askøy walked to «research proposal» by the cluster and RSO Vest."""
    need = need_create(
        user=world.sykepleier_askoy,
        data={"title": title, "question": "Hvilke verktøy virker i hjemmesykepleien?", "service_area": "hjemmetjenester"},
        submit=True,
    )
    need = need_transition(need=need, user=world.koordinator_bergen, to=Status.CLUSTER_REVIEW)
    need = need_transition(need=need, user=world.koordinator_bergen, to=Status.FORWARDED)
    return need_transition(need=need, user=world.regionkoordinator_vest, to=Status.RESEARCH_PROPOSAL,
                           reason="Ingen oppsummert forskning finnes.")
