"""priorities app: prioritisation rounds and municipal decision records."""
from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class PrioritiesConfig(AppConfig):
    name = "ksf.priorities"
    label = "priorities"

    def ready(self) -> None:
        from ksf.core.registry import register_page_section

        from .selectors import data_version

        register_page_section("municipality", 60, _municipality_records, data_version)


def _municipality_records(request: Any, municipality: Any) -> dict[str, Any] | None:
    """The municipality page lists its published decision records."""
    from .selectors import published_records

    records = list(published_records().filter(municipality=municipality)[:20])
    if not records:
        return None
    return {"template": "priorities/includes/municipality_records.html", "records": records}
