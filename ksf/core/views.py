"""Front page and health checks."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from ksf.core import registry
from ksf.core.pagecache import public_page
from ksf.organisations.models import Organisation, OrgKind


@public_page
def home(request: HttpRequest) -> HttpResponse:
    municipalities = Organisation.objects.filter(kind=OrgKind.MUNICIPALITY)
    context = {
        "municipality_count": municipalities.count(),
        "sections": registry.front_page_sections(request),
    }
    return render(request, "core/home.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers and the database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: database answers and every registered readiness check (e.g. search index) is ready."""
    checks: dict[str, str] = {}
    ok = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["database"] = str(exc)[:200]
        ok = False
    for name, check in registry.readiness_checks().items():
        try:
            ready, detail = check()
        except Exception as exc:  # noqa: BLE001
            ready, detail = False, str(exc)[:200]
        checks[name] = "ok" if ready else detail
        ok = ok and ready
    return JsonResponse({"status": "ok" if ok else "not ready", "checks": checks}, status=200 if ok else 503)


@public_page
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html")
