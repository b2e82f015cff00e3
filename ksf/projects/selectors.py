"""Reads of projects: the filtered list (pages, exports, API) and counts for the monitor.

For the monitor engineer — every function takes any Project queryset (e.g. `published_projects()`
or a filtered `project_list(...)`) and returns plain dicts keyed by the choice codes:

- `participation_counts(qs)` — projects by phase × capacity, plus "none" / "not reported";
- `funding_by_source(qs)` — NOK summed per funding source;
- `projects_by_status(qs)` — number of projects per status.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from ksf.core.pagecache import request_memo
from ksf.organisations.models import Organisation, OrgKind

from .access import visible_projects
from .models import (
    Capacity,
    Funding,
    FundingSource,
    Participant,
    ParticipationState,
    Phase,
    Project,
    ProjectKind,
    ProjectServiceArea,
    ProjectStatus,
    UserParticipation,
)


@dataclass(frozen=True)
class ProjectFilters:
    q: str = ""
    region: str = ""  # HealthRegion.code
    municipality: str = ""  # municipality number
    service_area: str = ""
    status: str = ""
    kind: str = ""
    funding_source: str = ""
    participation: str = ""  # ParticipationState
    phase: str = ""
    capacity: str = ""
    need: str = ""  # need public id

    @classmethod
    def from_params(cls, params: Any) -> ProjectFilters:
        return cls(**{f.name: str(params.get(f.name, "") or "").strip()[:100] for f in fields(cls)})

    def as_params(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


def published_projects() -> QuerySet[Project]:
    return Project.objects.filter(is_published=True)


def with_details(qs: QuerySet[Project]) -> QuerySet[Project]:
    return qs.select_related("owner", "leader", "owner__region", "leader__region").prefetch_related(
        "partners", "municipalities", "service_area_rows", "needs",
        Prefetch("funding", queryset=Funding.objects.order_by("pk")),
        Prefetch("participation", queryset=UserParticipation.objects.order_by("pk")),
    )


def filter_projects(qs: QuerySet[Project], filters: ProjectFilters) -> QuerySet[Project]:
    f = filters
    if f.q:
        qs = qs.filter(
            Q(title__icontains=f.q) | Q(summary__icontains=f.q) | Q(keywords__icontains=f.q) | Q(cristin_id=f.q)
        )
    if f.region:
        qs = qs.filter(
            Q(owner__region__code=f.region) | Q(leader__region__code=f.region) | Q(municipalities__region__code=f.region)
        )
    if f.municipality:
        qs = qs.filter(
            Q(municipalities__municipality_number=f.municipality) | Q(owner__municipality_number=f.municipality)
            | Q(leader__municipality_number=f.municipality)
        )
    if f.service_area:
        qs = qs.filter(service_area_rows__area=f.service_area)
    if f.status in ProjectStatus.values:
        qs = qs.filter(status=f.status)
    if f.kind in ProjectKind.values:
        qs = qs.filter(kind=f.kind)
    if f.funding_source in FundingSource.values:
        qs = qs.filter(funding__source=f.funding_source)
    if f.participation in ParticipationState.values:
        qs = qs.filter(participation_reported=f.participation)
    # Phase and capacity in one filter(): the same participation row must match both.
    row: dict[str, str] = {}
    if f.phase in Phase.values:
        row["participation__phase"] = f.phase
    if f.capacity in Capacity.values:
        row["participation__capacity"] = f.capacity
    if row:
        qs = qs.filter(**row)
    if f.need:
        qs = qs.filter(needs__public_id=f.need)
    return qs


def project_list(*, user: Any, filters: ProjectFilters | None = None) -> QuerySet[Project]:
    """Projects the user may see, filtered, newest first (distinct: filters join child rows)."""
    qs = filter_projects(visible_projects(user), filters or ProjectFilters())
    ids = qs.values("pk")
    return with_details(Project.objects.filter(pk__in=ids)).order_by("-start_date", "title", "pk")


def projects_for_municipality(municipality: Organisation) -> QuerySet[Project]:
    """Published projects where the municipality takes part, owns or leads."""
    ids = published_projects().filter(
        Q(municipalities=municipality) | Q(owner=municipality) | Q(leader=municipality)
    ).values("pk")
    return Project.objects.filter(pk__in=ids).select_related("owner").order_by("-start_date", "title")


def resolve_organisation(ref: str) -> Organisation | None:
    """An organisation by municipality number (4 digits), organisation number (9 digits), slug or exact name."""
    ref = (ref or "").strip()
    if not ref:
        return None
    if ref.isdigit() and len(ref) == 4:
        return Organisation.objects.filter(kind=OrgKind.MUNICIPALITY, municipality_number=ref).first()
    if ref.isdigit() and len(ref) == 9:
        found = Organisation.objects.filter(org_number=ref).order_by("pk").first()
        if found:
            return found
    found = Organisation.objects.filter(slug=ref.lower()).first()
    if found:
        return found
    matches = list(Organisation.objects.filter(name__iexact=ref)[:2])
    return matches[0] if len(matches) == 1 else None


# --- counts for the monitor ------------------------------------------------------------------

def data_version() -> str:
    """Changes whenever a row the project figures read is added, changed or deleted: projects
    (count, max id, `updated_at`, which every service write sets), and the rows services replace
    rather than edit (funding, user participation, service areas, participating municipalities,
    partners, linked needs: count and max id). One round trip, once per read-only request."""
    return request_memo("projects.data_version", _compute_data_version)


def _compute_data_version() -> str:
    q = connection.ops.quote_name
    parts = [f"(SELECT COUNT(id) FROM {q(Project._meta.db_table)}), (SELECT MAX(id) FROM {q(Project._meta.db_table)}),"
             f" (SELECT MAX(updated_at) FROM {q(Project._meta.db_table)})"]
    for model in (Funding, UserParticipation, ProjectServiceArea, Project.municipalities.through, Project.partners.through,
                  Project.needs.through):
        table = q(model._meta.db_table)
        parts.append(f"(SELECT COUNT(id) FROM {table}), (SELECT MAX(id) FROM {table})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return hashlib.sha1(repr(row).encode(), usedforsecurity=False).hexdigest()[:16]


def participation_counts(qs: QuerySet[Project]) -> dict[str, Any]:
    """Count projects (not rows) by user participation.

    Returns {
      "total": all projects in qs,
      "participation": projects that reported user participation,
      "none": projects that reported no user participation,
      "not_reported": projects with no answer,
      "by_phase": {phase: projects with any participation in that phase},
      "by_capacity": {capacity: projects with participation in that capacity},
      "by_phase_capacity": {phase: {capacity: projects with that phase in that capacity}},
      "by_who": {who: projects where that group took part},
    } — every phase/capacity/who code present (0 if none), in the order of the choices.
    """
    ids = qs.values("pk")
    states = dict(
        Project.objects.filter(pk__in=ids).values_list("participation_reported").annotate(n=Count("pk")).order_by()
    )
    rows = UserParticipation.objects.filter(project_id__in=ids, project__participation_reported=ParticipationState.PARTICIPATION)
    by_pair = {
        (r["phase"], r["capacity"]): r["n"]
        for r in rows.values("phase", "capacity").annotate(n=Count("project", distinct=True)).order_by()
    }
    by_phase = {r["phase"]: r["n"] for r in rows.values("phase").annotate(n=Count("project", distinct=True)).order_by()}
    by_capacity = {
        r["capacity"]: r["n"] for r in rows.values("capacity").annotate(n=Count("project", distinct=True)).order_by()
    }
    by_who = {r["who"]: r["n"] for r in rows.values("who").annotate(n=Count("project", distinct=True)).order_by()}
    return {
        "total": sum(states.values()),
        "participation": states.get(ParticipationState.PARTICIPATION, 0),
        "none": states.get(ParticipationState.NONE, 0),
        "not_reported": states.get(ParticipationState.NOT_REPORTED, 0),
        "by_phase": {p: by_phase.get(p, 0) for p in Phase.values},
        "by_capacity": {c: by_capacity.get(c, 0) for c in Capacity.values},
        "by_phase_capacity": {p: {c: by_pair.get((p, c), 0) for c in Capacity.values} for p in Phase.values},
        "by_who": {w: by_who.get(w, 0) for w in Participant.values},
    }


def funding_by_source(qs: QuerySet[Project]) -> dict[str, int]:
    """NOK per funding source (every source present, 0 if none)."""
    sums = dict(
        Funding.objects.filter(project_id__in=qs.values("pk")).values_list("source").annotate(total=Sum("amount")).order_by()
    )
    return {s: int(sums.get(s) or 0) for s in FundingSource.values}


def projects_by_status(qs: QuerySet[Project]) -> dict[str, int]:
    counts = dict(
        Project.objects.filter(pk__in=qs.values("pk")).values_list("status").annotate(n=Count("pk")).order_by()
    )
    return {s: counts.get(s, 0) for s in ProjectStatus.values}


def participation_table(project: Project) -> list[dict[str, Any]]:
    """One row per phase with the capacities and groups recorded (for the detail page)."""
    rows = list(project.participation.all())
    table = []
    for phase in Phase:
        in_phase = [r for r in rows if r.phase == phase.value]
        table.append({
            "phase": phase.label,
            "entries": [f"{r.get_capacity_display()} – {r.get_who_display()}" for r in in_phase],
        })
    return table
