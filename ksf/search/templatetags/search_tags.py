"""`{% candidate_needs need %}`: possible duplicates of a need, for the need page."""

from __future__ import annotations

from typing import Any

from django import template

from ksf.search.services import candidate_needs as find_candidates

register = template.Library()


@register.inclusion_tag("search/includes/candidate_needs.html", takes_context=True)
def candidate_needs(context: dict[str, Any], need: Any, limit: int = 5) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"candidate_needs": find_candidates(need, user=user, limit=limit)}
