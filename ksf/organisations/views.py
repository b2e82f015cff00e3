"""Public pages: the municipality list with search and filters, a municipality, a cluster."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from ksf.core.pagecache import cached_render, public_page
from ksf.core.registry import page_sections, page_version

from . import selectors
from .models import County, HealthRegion, Organisation, OrgKind


@public_page
def municipality_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    county = request.GET.get("fylke", "")
    region = request.GET.get("region", "")
    qs = selectors.municipalities(q=q, county=county, region=region)
    context = {
        "municipalities": qs,
        "count": qs.count(),
        "population": qs.aggregate(total=Sum("population"))["total"] or 0,
        "counties": County.objects.all(),
        "regions": HealthRegion.objects.all(),
        "q": q,
        "county": county,
        "region": region,
    }
    return render(request, "organisations/municipality_list.html", context)


@public_page
def municipality_detail(request: HttpRequest, number: str) -> HttpResponse:
    municipality = get_object_or_404(
        Organisation.objects.select_related("county", "region"),
        kind=OrgKind.MUNICIPALITY,
        municipality_number=number,
    )
    clusters = municipality.clusters.select_related("motorkommune").all()
    context: dict[str, Any] = {"municipality": municipality, "clusters": clusters}
    version = None if request.user.is_authenticated else page_version("municipality")
    if version is None:
        context["sections"] = page_sections("municipality", request, municipality)
    else:
        # Anonymous visitors all see the same sections: rendered once per version of what they
        # show (ksf.core.pagecache; measured need: bench/load, issue #9).
        context["sections_html"] = cached_render(
            ["municipality", municipality.pk], "organisations/_sections.html",
            lambda: {"sections": page_sections("municipality", request, municipality)}, request, version=version,
        )
    return render(request, "organisations/municipality_detail.html", context)


@public_page
def cluster_detail(request: HttpRequest, slug: str) -> HttpResponse:
    cluster = get_object_or_404(
        Organisation.objects.select_related("motorkommune", "region"), kind=OrgKind.CLUSTER, slug=slug
    )
    members = cluster.members.order_by("name")
    context = {
        "cluster": cluster,
        "members": members,
        "population": members.aggregate(total=Sum("population"))["total"] or 0,
        "sections": page_sections("cluster", request, cluster),
    }
    return render(request, "organisations/cluster_detail.html", context)
