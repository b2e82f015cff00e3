"""Reads with filters: the public list (pages, API, exports, feeds), queues, timelines.

Every list starts from `access.visible_needs(user)`, so filtering never widens access.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from ksf.accounts.access import actor_for
from ksf.core.pagecache import request_memo
from ksf.organisations.models import Organisation

from .access import visible_needs
from .models import Endorsement, Need, NeedKind, NeedStatusChange, ServiceArea
from .workflow import Status

FILTER_KEYS = ("q", "status", "region", "cluster", "municipality", "service_area", "year", "kind")


@dataclass
class NeedFilters:
    """The filters of the public list, read from a query string (unknown values are ignored)."""

    q: str = ""
    status: str = ""
    region: str = ""  # health region code: nord, midt, vest, sorost
    cluster: str = ""  # cluster slug
    municipality: str = ""  # municipality number
    service_area: str = ""
    year: int | None = None
    kind: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> NeedFilters:
        def get(key: str) -> str:
            value = params.get(key, "")
            return str(value).strip()[:200] if value is not None else ""

        filters = cls(
            q=get("q")[:500],
            status=get("status") if get("status") in Status.values else "",
            region=get("region"),
            cluster=get("cluster"),
            municipality=get("municipality"),
            service_area=get("service_area") if get("service_area") in ServiceArea.values else "",
            kind=get("kind") if get("kind") in NeedKind.values else "",
        )
        year = get("year")
        if year:
            if year.isdigit() and 2000 <= int(year) <= 2100:
                filters.year = int(year)
            else:
                filters.errors["year"] = _("Ugyldig årstall.")
        return filters

    def as_query(self) -> dict[str, str]:
        """The active filters as query parameters (for links, exports and pagination)."""
        values = {key: getattr(self, key) for key in FILTER_KEYS}
        return {k: str(v) for k, v in values.items() if v not in ("", None)}

    @property
    def active(self) -> bool:
        return bool(self.as_query())


def with_support(qs: QuerySet[Need]) -> QuerySet[Need]:
    """Annotate endorsement count and combined population (submitter + endorsers); computed, never stored."""
    # Correlated subqueries, not a join + GROUP BY over the need and its related rows: the same
    # figures, but PostgreSQL plans the list query in ~2 ms instead of ~15 (measured, issue #9).
    per_need = Endorsement.objects.filter(need=OuterRef("pk")).order_by().values("need")
    return qs.annotate(
        endorsement_count=Coalesce(Subquery(per_need.annotate(n=Count("id")).values("n")), Value(0)),
        endorsers_population=Coalesce(
            Subquery(per_need.annotate(total=Sum("municipality__population")).values("total")), Value(0)
        ),
    )


def combined_population(need: Need) -> int:
    own = need.municipality.population or 0
    endorsed = getattr(need, "endorsers_population", None)
    if endorsed is None:
        endorsed = need.endorsements.aggregate(total=Sum("municipality__population"))["total"] or 0
    return int(own) + int(endorsed)


def _text_search(qs: QuerySet[Need], q: str) -> QuerySet[Need]:
    """Seam for the search app: `ksf.search.services.search_needs(q, queryset=qs)`.

    When the search app provides it, it may return a filtered queryset or a list of need ids in
    rank order; until then, a plain case-insensitive match on the text fields.
    """
    try:
        search_module = importlib.import_module("ksf.search.services")
        search_needs = search_module.search_needs
    except (ImportError, AttributeError):
        search_needs = None
    if search_needs is not None:
        result = search_needs(q, queryset=qs)
        if isinstance(result, QuerySet):
            return result
        ids = [int(pk) for pk in result]
        ranking = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)], output_field=IntegerField())
        return qs.filter(pk__in=ids).annotate(search_rank=ranking).order_by("search_rank")
    condition = Q()
    for word in q.split()[:10]:
        condition &= (
            Q(title__icontains=word) | Q(question__icontains=word) | Q(public_id__iexact=word)
            | Q(population__icontains=word) | Q(intervention__icontains=word) | Q(outcome__icontains=word)
            | Q(target_group__icontains=word) | Q(answer__icontains=word)
        )
    return qs.filter(condition)


def need_list(*, user: Any, filters: NeedFilters) -> QuerySet[Need]:
    """Needs the user may see, filtered, with what list pages show (no N+1)."""
    qs = visible_needs(user).exclude(status=Status.DRAFT)  # drafts live on "my needs" only
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.region:
        qs = qs.filter(region__code=filters.region)
    if filters.cluster:
        qs = qs.filter(cluster__slug=filters.cluster)
    if filters.municipality:
        qs = qs.filter(municipality__municipality_number=filters.municipality)
    if filters.service_area:
        qs = qs.filter(service_area=filters.service_area)
    if filters.year:
        qs = qs.filter(created_at__year=filters.year)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    qs = with_support(qs).select_related("municipality", "cluster", "region", "merged_into")
    if filters.q:
        qs = _text_search(qs, filters.q)
        if qs.query.order_by:
            return qs
    return qs.order_by("-published_at", "-created_at", "-pk")


def data_version() -> str:
    """Changes whenever a row that the needs pages and figures read is added, changed or deleted.

    History rows are append-only (only deleted with their need): their max id catches every
    insert. Needs carry `updated_at`, which every service write sets; count and max id catch
    inserts and deletes. Endorsements can be withdrawn: count and max id. Organisations:
    count, max id and total population (reference data reloads). Each is an index lookup or
    one pass over a small table; no COUNT over the history. One round trip, asked once per
    read-only request (`request_memo`).
    """
    return request_memo("needs.data_version", _compute_data_version)


def _compute_data_version() -> str:
    q = connection.ops.quote_name
    need, history = q(Need._meta.db_table), q(NeedStatusChange._meta.db_table)
    endorsement, organisation = q(Endorsement._meta.db_table), q(Organisation._meta.db_table)
    sql = (
        f"SELECT (SELECT COUNT(id) FROM {need}), (SELECT MAX(id) FROM {need}), (SELECT MAX(updated_at) FROM {need}),"
        f" (SELECT MAX(id) FROM {history}),"
        f" (SELECT COUNT(id) FROM {endorsement}), (SELECT MAX(id) FROM {endorsement}),"
        f" (SELECT COUNT(id) FROM {organisation}), (SELECT MAX(id) FROM {organisation}), (SELECT SUM(population) FROM {organisation})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return hashlib.sha1(repr(row).encode(), usedforsecurity=False).hexdigest()[:16]


def need_version(need: Need) -> str:
    """Changes whenever a row the public page of this one need shows is added, changed or
    deleted: the need itself (`updated_at`), its history (append-only: max id), its endorsements
    (count, max id) and the needs merged into it; plus what other apps show on the page
    (`NEED_VERSION_PARTS`: evidence links, adopted measures). All in one round trip: each part is
    a scalar subquery on the need's id (the ORM aggregate per part cost more CPU than the page)."""
    q = connection.ops.quote_name
    need_t, history, endorsement = q(Need._meta.db_table), q(NeedStatusChange._meta.db_table), q(Endorsement._meta.db_table)
    subqueries = [
        f"SELECT MAX(id) FROM {history} WHERE need_id = %s",
        f"SELECT COUNT(id) FROM {endorsement} WHERE need_id = %s",
        f"SELECT MAX(id) FROM {endorsement} WHERE need_id = %s",
        f"SELECT COUNT(id) FROM {need_t} WHERE merged_into_id = %s",
        f"SELECT MAX(updated_at) FROM {need_t} WHERE merged_into_id = %s",
    ]
    for path in NEED_VERSION_PARTS:
        module, _sep, name = path.rpartition(".")
        subqueries += getattr(importlib.import_module(module), name)()
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"({sql})" for sql in subqueries), [need.pk] * len(subqueries))
        row = cursor.fetchone()
    parts = [need.pk, need.updated_at.isoformat(), row]
    return hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()[:16]


# What other apps show on a need's page: each a function () -> scalar SQL subqueries on the
# need's id (`%s`) whose values change when what the app shows does.
NEED_VERSION_PARTS = [
    "ksf.evidence.selectors.need_links_version_sql",
    "ksf.priorities.selectors.need_adoption_version_sql",
]


def public_needs() -> QuerySet[Need]:
    """Published needs as anyone sees them (feeds, front page, municipality pages)."""
    return Need.objects.filter(published_at__isnull=False).select_related("municipality", "region")


def timeline(need: Need, *, internal: bool = False) -> list[dict[str, Any]]:
    """The history as shown on the detail page and in the API.

    Public: date, level, acting organisation, from → to and the reason — except the text of a
    clarification exchange, which belongs to the internal thread. Never a person's name or e-mail.
    """
    rows = NeedStatusChange.objects.filter(need=need).select_related("actor_organisation").order_by("created_at", "pk")
    items = []
    for row in rows:
        private_reason = row.to_status == Status.CLARIFICATION or row.from_status == Status.CLARIFICATION
        items.append({
            "at": row.created_at,
            "level": row.level,
            "level_label": row.get_level_display(),
            "organisation": row.actor_organisation.name if row.actor_organisation else "",
            "from_status": row.from_status,
            "from_label": row.get_from_status_display() if row.from_status else "",
            "to_status": row.to_status,
            "to_label": row.get_to_status_display(),
            "reason": row.reason if (internal or not private_reason) else "",
        })
    return items


def queue(*, user: Any, kind: str) -> QuerySet[Need]:
    """Work queues: what waits for this user's cluster, region, the nation, or their organisation."""
    actor = actor_for(user)
    qs = with_support(visible_needs(user)).select_related("municipality", "cluster", "region", "assigned_partner")
    if kind == "cluster":
        statuses = [Status.SUBMITTED, Status.CLARIFICATION, Status.CLUSTER_REVIEW]
        scope = Q(cluster_id__in=actor.cluster_ids) if actor.cluster_ids or not (actor.is_national or actor.is_admin) else Q()
        return qs.filter(scope, status__in=statuses).order_by("submitted_at", "pk")
    if kind == "region":
        statuses = [Status.FORWARDED, Status.EVIDENCE_CHECK, Status.SUMMARY_COMMISSIONED, Status.RESEARCH_PROPOSAL,
                    Status.NATIONAL, Status.IN_PROJECT]
        scope = Q(region_id__in=actor.region_ids) if actor.region_ids else Q()
        return qs.filter(scope, status__in=statuses).order_by("region__name", "updated_at", "pk")
    if kind == "national":
        statuses = [Status.FORWARDED, Status.NATIONAL, Status.EVIDENCE_CHECK, Status.SUMMARY_COMMISSIONED,
                    Status.RESEARCH_PROPOSAL, Status.IN_PROJECT]
        return qs.filter(status__in=statuses).order_by("region__name", "status", "pk")
    if kind == "partner":
        return qs.filter(assigned_partner_id__in=actor.partner_org_ids).order_by("assignment_due", "pk")
    return qs.none()


def my_needs(*, user: Any) -> tuple[QuerySet[Need], QuerySet[Need]]:
    """(the user's own needs including drafts, the municipality's other needs)."""
    actor = actor_for(user)
    base = with_support(visible_needs(user)).select_related("municipality", "region")
    own = base.filter(created_by_id=actor.user_id).order_by("-updated_at")
    municipality = base.filter(municipality_id__in=actor.municipality_ids).exclude(created_by_id=actor.user_id)
    return own, municipality.order_by("-updated_at")
