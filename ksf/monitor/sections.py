"""The monitor's sections on the municipality and cluster pages (registered in apps.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest

from ksf.organisations.models import Organisation

from . import stats, views
from .stats import StatsFilter


def municipality_section(request: HttpRequest, municipality: Organisation) -> dict[str, Any] | None:
    if not municipality.municipality_number:
        return None
    f = StatsFilter(municipality=municipality.municipality_number)
    cell = next(
        (m for c in stats.participation(f).counties for m in c.municipalities if m.number == municipality.municipality_number),
        None,
    )
    return {
        "template": "monitor/_compare_section.html",
        "heading_name": municipality.name,
        "rows": views.comparison(f, views.MUNICIPALITY_KEYS),
        "endorsements": cell.endorsements if cell else 0,
        "query": urlencode(f.as_params()),
        "region_code": getattr(municipality.region, "code", ""),
    }


def cluster_section(request: HttpRequest, cluster: Organisation) -> dict[str, Any] | None:
    f = StatsFilter(cluster=cluster.pk)
    return {
        "template": "monitor/_compare_section.html",
        "heading_name": cluster.name,
        "rows": views.comparison(f, views.AREA_KEYS),
        "endorsements": None,
        "query": urlencode(f.as_params()),
        "region_code": getattr(cluster.region, "code", ""),
    }
