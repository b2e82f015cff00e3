"""The public statistics pages, the downloads and the open-data bundle."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ksf.core.pagecache import cached_render, public_page
from ksf.organisations.models import HealthRegion, Organisation, OrgKind

from . import exports, figures, services, stats
from .access import can_build_open_data
from .forms import filter_from_params
from .stats import StatsFilter

FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _headline_items(snap: stats.Snapshot) -> list[dict[str, Any]]:
    labels = dict(stats.HEADLINE_FIELDS)
    return [{"key": k, "label": labels[k], "value": v} for k, v in snap.headline.items()]


def _bundle_context(request: HttpRequest) -> dict[str, Any]:
    latest = services.latest_bundle()
    return {
        "bundle": latest,
        "bundle_date": services.BUNDLE_RE.match(latest.name).group(1) if latest else None,  # type: ignore[union-attr]
        "can_build": can_build_open_data(request.user),
    }


@public_page
@require_safe
def stats_page(request: HttpRequest) -> HttpResponse:
    f, form = filter_from_params(request.GET)

    def context() -> dict[str, Any]:
        snap = stats.snapshot(f)
        query = urlencode(f.as_params())
        return {
            "form": form,
            "filter": f,
            "query": query,
            "headline": _headline_items(snap),
            "needs_html": _needs_sections_html(snap, query),
            "sections": figures.other_sections(snap),
            "regions": HealthRegion.objects.order_by("name"),
            **_bundle_context(request),
        }

    if request.user.is_authenticated:
        return render(request, "monitor/stats.html", context())
    # Anonymous visitors all see the same figures (and no build button): rendered once per data
    # version, day, filter and open-data bundle (ksf.core.pagecache; bench/load, issue #9).
    latest = services.latest_bundle()
    version = "|".join([stats.figures_version(), timezone.localdate().isoformat(), latest.name if latest else ""])
    body = cached_render(["monitor:stats", sorted(request.GET.lists())], "monitor/_stats_body.html", context, request, version=version)
    return render(request, "monitor/stats.html", {"body_html": body})


def _needs_sections_html(snap: stats.Snapshot, query: str) -> str:
    """The needs, participation and lead-time sections, rendered once per data version, filter and
    language (they depend on nothing else), then served from the cache."""
    key = f"monitor:html:{snap.needs.cache_key}:{get_language()}"
    cache = caches["pages"]
    html = cache.get(key) if snap.needs.cache_key else None
    if html is None:
        html = render_to_string("monitor/_sections.html", {
            "sections": figures.need_sections(snap), "grid": figures.grid_html(snap.needs.participation), "query": query, "grid_after": 2,
        })
        if snap.needs.cache_key:
            cache.set(key, html, stats.CACHE_SECONDS)
    return html


@require_safe
def figure_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    f, _form = filter_from_params(request.GET)
    table = figures.tables(stats.snapshot(f)).get(slug)
    if table is None or fmt not in FORMATS:
        raise Http404(_("Fant ikke figuren."))
    body = exports.table_csv(table) if fmt == "csv" else exports.table_xlsx(table, f)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="ksf-{slug}-{stamp}.{fmt}"'
    return response


def comparison(local: StatsFilter, keys: list[str], snap: stats.Snapshot | None = None) -> list[dict[str, Any]]:
    """Rows of (label, local value, national value) for the same period and service area."""
    labels = dict(stats.HEADLINE_FIELDS)
    mine = snap.headline if snap is not None else stats.headline(local)
    national = stats.headline(local.national())
    return [{"key": k, "label": labels[k], "local": mine[k], "national": national[k]} for k in keys]


AREA_KEYS = [
    "needs_registered", "needs_answered", "share_answered_pct", "needs_open", "municipalities_participating",
    "municipalities_total", "municipalities_share_pct", "population_share_pct", "median_days_to_answer",
    "p80_days_to_answer", "median_days_to_cluster_decision",
]
MUNICIPALITY_KEYS = [
    "needs_registered", "needs_answered", "share_answered_pct", "needs_open", "median_days_to_answer",
    "p80_days_to_answer", "median_days_to_cluster_decision",
]


@public_page
@require_safe
def region_page(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(HealthRegion, code=code)
    params = request.GET.copy()
    params["region"] = region.code
    params.pop("cluster", None)
    params.pop("municipality", None)
    f, form = filter_from_params(params)
    for name in ("region", "cluster"):  # fixed by the URL on this page
        form.fields[name].widget = forms.HiddenInput()
    snap = stats.snapshot(f)
    context = {
        "region": region,
        "form": form,
        "filter": f,
        "query": urlencode(f.as_params()),
        "rows": comparison(f, AREA_KEYS, snap),
        "sections": figures.need_sections(snap),
        "grid": figures.grid_html(snap.needs.participation),
        "clusters": Organisation.objects.filter(kind=OrgKind.CLUSTER, region=region).order_by("name"),
        "regions": HealthRegion.objects.order_by("name"),
    }
    return render(request, "monitor/region.html", context)


@require_safe
def open_data_latest(request: HttpRequest) -> HttpResponse:
    latest = services.latest_bundle()
    if latest is None:
        raise Http404(_("Datapakken er ikke bygd ennå."))
    return redirect("monitor:open_data_file", name=latest.name)


@require_safe
def open_data_file(request: HttpRequest, name: str) -> FileResponse:
    path = services.bundle_by_name(name)
    if path is None:
        raise Http404(_("Fant ikke datapakken."))
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name, content_type="application/zip")


@require_POST
def open_data_build(request: HttpRequest) -> HttpResponse:
    if not can_build_open_data(request.user):
        raise PermissionDenied(_("Bare administratorer og koordinatorer kan bygge datapakken."))
    from .tasks import build_open_data_bundle

    result = build_open_data_bundle.enqueue()
    if result.is_finished:
        messages.success(request, _("Datapakken er bygd på nytt."))
    else:
        messages.info(request, _("Datapakken bygges nå. Den nye lenken kommer når den er ferdig."))
    return redirect("monitor:stats")
