"""Reads with filters for joint procurement (pages, API, monitor and notifications)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from ksf.accounts.models import Role, User
from ksf.core.pagecache import request_memo
from ksf.organisations.models import Organisation, OrgKind

from . import access
from .models import Document, ExperienceReport, Initiative, Participation, PhaseChange, PhasePlan
from .phases import ORDER, Phase


def data_version() -> str:
    """Changes whenever an initiative (count, max id, `updated_at`, set by every service write) or
    a participation (count, max id) changes: what other apps' pages show of procurement."""
    def compute() -> str:
        a = Initiative.objects.aggregate(n=Count("id"), ids=Max("id"), at=Max("updated_at"))
        b = Participation.objects.aggregate(n=Count("id"), ids=Max("id"))
        return repr((a["n"], a["ids"], a["at"], b["n"], b["ids"]))

    return request_memo("procurement.data_version", compute)


def initiatives_by_phase() -> dict[str, int]:
    """Published initiatives per LUP phase, every phase present (for the monitor)."""
    counts = {phase: 0 for phase in ORDER}
    rows = Initiative.objects.filter(published_at__isnull=False).values("phase").annotate(n=Count("pk"))
    for row in rows:
        counts[row["phase"]] = row["n"]
    return counts


def initiative_list(user: Any, *, phase: str = "", q: str = "") -> QuerySet[Initiative]:
    qs = access.visible_initiatives(user).select_related("lead").annotate(
        participant_count=Count("participations", distinct=True),
        need_count=Count("needs", distinct=True),
    )
    if phase in Phase.values:
        qs = qs.filter(phase=phase)
    q = (q or "").strip()[:200]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q) | Q(lead__name__icontains=q))
    return qs.order_by("-updated_at")


def grouped_by_phase(initiatives: QuerySet[Initiative]) -> list[tuple[str, str, list[Initiative]]]:
    groups: dict[str, list[Initiative]] = {phase: [] for phase in ORDER}
    for initiative in initiatives:
        groups.setdefault(initiative.phase, []).append(initiative)
    return [(phase, str(Phase(phase).label), groups[phase]) for phase in ORDER]


REPORT_SEARCH_FIELDS = (
    "title", "what_procured", "effects", "lessons", "organisation__name",
    "initiative__title", "initiative__description",
)


def search_experience_reports(q: str = "", *, user: Any = None) -> QuerySet[ExperienceReport]:
    """Experience reports the user may see, matching `q` (every word, in any field).

    The one seam for search: today a case-insensitive substring match over the report, its
    organisation and its initiative; `ksf.search` can later replace the body of this function
    with its own index without changing callers (pages and API).
    """
    qs = access.visible_reports(user).select_related("initiative", "organisation")
    for word in (q or "").split()[:10]:
        condition = Q()
        for name in REPORT_SEARCH_FIELDS:
            condition |= Q(**{f"{name}__icontains": word[:100]})
        qs = qs.filter(condition)
    return qs.distinct().order_by("-published_at", "-created_at")


# --- the phase timeline --------------------------------------------------------------------

@dataclass
class PhaseRow:
    phase: str
    label: str
    state: str  # "done" | "current" | "later"
    started_at: Any = None
    planned_start: Any = None
    planned_end: Any = None
    documents: list[Document] = field(default_factory=list)


def phase_timeline(initiative: Initiative) -> list[PhaseRow]:
    plans = {p.phase: p for p in PhasePlan.objects.filter(initiative=initiative)}
    started: dict[str, Any] = {}
    for change in PhaseChange.objects.filter(initiative=initiative).order_by("created_at", "pk"):
        started[change.to_phase] = change.created_at
    docs: dict[str, list[Document]] = {}
    for doc in initiative.documents.all():
        docs.setdefault(doc.phase, []).append(doc)
    current = ORDER.index(initiative.phase)
    rows = []
    for index, phase in enumerate(ORDER):
        plan = plans.get(phase)
        state = "done" if index < current else ("current" if index == current else "later")
        rows.append(PhaseRow(
            phase=phase, label=str(Phase(phase).label), state=state,
            started_at=started.get(phase) if index <= current else None,
            planned_start=plan.starts_on if plan else None, planned_end=plan.ends_on if plan else None,
            documents=docs.get(phase, []),
        ))
    return rows


# --- notification recipients --------------------------------------------------------------

PARTICIPANT_ROLES = (Role.MUNICIPAL_CONTACT, Role.CLUSTER_COORDINATOR)


def participant_emails(initiative: Initiative) -> set[str]:
    """Municipal contacts and coordinators of the lead and participants, hospital members, creator."""
    org_ids = access.initiative_org_ids(initiative)
    hospitals = set(Organisation.objects.filter(pk__in=org_ids, kind=OrgKind.HOSPITAL).values_list("pk", flat=True))
    clusters = set(
        Organisation.objects.filter(kind=OrgKind.CLUSTER, motorkommune_id__in=org_ids).values_list("pk", flat=True)
    )
    users = User.objects.filter(is_active=True).exclude(email="").filter(
        Q(memberships__organisation_id__in=org_ids, memberships__role__in=PARTICIPANT_ROLES)
        | Q(memberships__organisation_id__in=hospitals)
        | Q(memberships__organisation_id__in=clusters, memberships__role=Role.CLUSTER_COORDINATOR)
        | Q(pk=initiative.created_by_id)
    )
    return set(users.values_list("email", flat=True))


def supplier_emails(initiative: Initiative) -> set[str]:
    """Every supplier-role user of the organisations that registered interest."""
    supplier_ids = initiative.interests.values_list("supplier_id", flat=True)
    users = User.objects.filter(
        is_active=True, memberships__organisation_id__in=supplier_ids, memberships__role=Role.SUPPLIER
    ).exclude(email="")
    return set(users.values_list("email", flat=True))
