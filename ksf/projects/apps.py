"""projects app."""
from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.http import HttpRequest


def municipality_section(request: HttpRequest, municipality: Any) -> dict[str, Any] | None:
    from .selectors import projects_for_municipality

    qs = projects_for_municipality(municipality)
    count = qs.count()
    return {
        "template": "projects/municipality_section.html",
        "projects": list(qs[:10]),
        "count": count,
        "more": count > 10,
        "municipality": municipality,
    }


class ProjectsConfig(AppConfig):
    name = "ksf.projects"
    label = "projects"

    def ready(self) -> None:
        from ksf.core.registry import register_page_section

        from .selectors import data_version

        register_page_section("municipality", 40, municipality_section, data_version)
