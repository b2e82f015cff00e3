"""Number formatting shared with the charts: thin-space thousands, decimal comma, "–" for none."""

from __future__ import annotations

from typing import Any

from django import template

from ksf.monitor.charts import _fmt

register = template.Library()


@register.filter
def num(value: Any, unit: str = "") -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return _fmt(value, unit)
    return str(value)


@register.filter
def raw(value: Any) -> str:
    """Machine-readable value for data attributes (same as the API and CSV)."""
    return "" if value is None else str(value)
