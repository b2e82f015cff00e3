"""Reads of organisations (filters shared by the pages and the API)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Organisation, OrgKind


def municipalities(*, q: str = "", county: str = "", region: str = "") -> QuerySet[Organisation]:
    qs = Organisation.objects.filter(kind=OrgKind.MUNICIPALITY).select_related("county", "region")
    q = q.strip()[:100]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(municipality_number__startswith=q) | Q(name_sami__icontains=q))
    if county:
        qs = qs.filter(county__number=county)
    if region:
        qs = qs.filter(region__code=region)
    return qs.order_by("name")
