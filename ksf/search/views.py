"""Search pages: one box over needs and evidence, and the live "similar needs" fragment."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ksf.core.pagecache import cached_render, public_page
from ksf.evidence.models import Evidence, EvidenceType, Source
from ksf.needs.workflow import Status
from ksf.organisations.models import HealthRegion

from . import services

EVIDENCE_LIMIT = 20
NEED_LIMIT = 10


def _year(value: str | None) -> int | None:
    try:
        year = int(value or "")
    except ValueError:
        return None
    return year if 1900 <= year <= 2100 else None


def _choice(value: str | None, allowed: set[str]) -> str:
    return value if value in allowed else ""


def _languages() -> list[str]:
    values = Evidence.objects.exclude(language="").values_list("language", flat=True).distinct()
    return sorted({v.lower() for v in values})[:30]


@public_page
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    params = request.GET
    q = services.clean_query(params.get("q", ""))
    languages = _languages()
    regions = list(HealthRegion.objects.all())
    filters = {
        "source": _choice(params.get("source"), set(Source.values)),
        "type": _choice(params.get("type"), set(EvidenceType.values)),
        "language": _choice((params.get("language") or "").lower(), set(languages)),
        "year_from": _year(params.get("year_from")),
        "year_to": _year(params.get("year_to")),
        "status": _choice(params.get("status"), set(Status.values) - {Status.DRAFT}),
        "region": _choice(params.get("region"), {r.code for r in regions}),
    }

    def results() -> dict[str, Any]:
        if not q:
            return {"q": q, "evidence_hits": [], "need_hits": []}
        evidence_filters = {k: filters[k] for k in ("source", "type", "language", "year_from", "year_to")}
        need_filters = {k: filters[k] for k in ("status", "region")}
        return {
            "q": q,
            "evidence_hits": services.search_evidence(q, filters=evidence_filters, limit=EVIDENCE_LIMIT),
            "need_hits": [
                h for h in services.search_needs(q, filters=need_filters, limit=NEED_LIMIT, user=request.user)
                if h.need.status != Status.DRAFT or h.need.created_by_id == request.user.pk
            ],
        }

    context: dict[str, Any] = {"q": q, "filters": filters}
    if q and not request.user.is_authenticated:
        # Anonymous visitors asking the same question get the same results: rendered once per
        # state of the search indexes and the needs (ksf.core.pagecache; bench/load, issue #9).
        context["results_html"] = cached_render(
            ["search", q, sorted(filters.items())], "search/includes/results.html", results, request,
            version=services.results_version(),
        )
    else:
        context.update(results())
    context.update({
        "sources": Source.choices,
        "types": EvidenceType.choices,
        "languages": languages,
        "statuses": [(v, label) for v, label in Status.choices if v != Status.DRAFT],
        "regions": regions,
    })
    return render(request, "search/search.html", context)


@require_safe
def similar_needs(request: HttpRequest) -> HttpResponse:
    """htmx fragment for the need form: up to five needs that look like the one being typed."""
    title = request.GET.get("title", "")[:1000]
    question = request.GET.get("question", "")[:5000]
    exclude = request.GET.get("exclude", "")[:20] or None
    hits = services.similar_needs(f"{title}. {question}", exclude_public_id=exclude, limit=5, user=request.user)
    return render(request, "search/includes/similar_needs.html", {"similar_needs": hits})
