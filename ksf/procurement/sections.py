"""What procurement adds to other apps' pages (registered in apps.ProcurementConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest

from .models import Initiative


def municipality_section(request: HttpRequest, municipality: Any) -> dict[str, Any] | None:
    """Published joint procurements the municipality leads or takes part in."""
    initiatives = (
        Initiative.objects.filter(published_at__isnull=False)
        .filter(Q(lead=municipality) | Q(participations__organisation=municipality))
        .select_related("lead")
        .distinct()
        .order_by("-updated_at")[:10]
    )
    items = list(initiatives)
    if not items:
        return None
    return {"template": "procurement/section_municipality.html", "initiatives": items, "municipality": municipality}
