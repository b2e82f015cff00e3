from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.http import HttpRequest


def front_page_section(request: HttpRequest) -> dict[str, Any] | None:
    from . import selectors
    from .workflow import ANSWERED_STATUSES

    needs = selectors.public_needs()
    return {
        "template": "needs/_front_section.html",
        "latest": list(needs.order_by("-published_at", "-pk")[:5]),
        "answered": list(
            needs.filter(status__in=ANSWERED_STATUSES, answered_at__isnull=False).order_by("-answered_at", "-pk")[:5]
        ),
    }


def organisation_section(request: HttpRequest, org: Any) -> dict[str, Any] | None:
    """A municipality's needs and the needs it endorsed; a cluster's needs."""
    from django.utils.translation import gettext as _

    from ksf.organisations.models import OrgKind

    from . import selectors

    needs = selectors.with_support(selectors.public_needs()).select_related("cluster")
    if org.kind == OrgKind.MUNICIPALITY:
        return {
            "template": "needs/_org_section.html",
            "own_title": _("Behov meldt av kommunen"),
            "own": list(needs.filter(municipality=org).order_by("-published_at")[:50]),
            "endorsed": list(needs.filter(endorsements__municipality=org).order_by("-published_at")[:50]),
            "list_query": f"municipality={org.municipality_number}",
        }
    if org.kind == OrgKind.CLUSTER:
        return {
            "template": "needs/_org_section.html",
            "own_title": _("Behov fra klyngens kommuner"),
            "own": list(needs.filter(cluster=org).order_by("-published_at")[:50]),
            "endorsed": None,
            "list_query": f"cluster={org.slug}",
        }
    return None


class NeedsConfig(AppConfig):
    name = "ksf.needs"
    label = "needs"

    def ready(self) -> None:
        from ksf.core import registry

        registry.register_front_page_section(20, front_page_section)
        from .selectors import data_version

        registry.register_page_section("municipality", 20, organisation_section, data_version)
        registry.register_page_section("cluster", 20, organisation_section, data_version)
