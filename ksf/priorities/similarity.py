"""Possible duplicates across regions in a national round, behind one function.

If the search app offers `ksf.search.services.similar_needs`, it is asked; otherwise a simple
token overlap (Jaccard on title words, same service area) is used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ksf.needs.models import Need

THRESHOLD = 0.34
_STOP = frozenset(
    "og i på for av til med om er som en et ei de det den at å ved fra hos kan skal har blir vi "
    "hva hvordan hvilke hvilken nye ny bedre best".split()
)


@dataclass(frozen=True)
class Duplicate:
    need: Need
    other: Need
    similarity: float


def _tokens(text: str) -> set[str]:
    words = re.findall(r"[a-zæøå0-9]+", text.lower())
    # Cheap stemming so "fallforebygging" and "fallforebyggende" still meet.
    return {w[:7] for w in words if len(w) > 2 and w not in _STOP}


def token_similarity(a: Need, b: Need) -> float:
    if a.service_area != b.service_area:
        return 0.0
    ta, tb = _tokens(a.title), _tokens(b.title)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def _search_similarity() -> object | None:
    try:
        from ksf.search import services as search_services  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    return getattr(search_services, "similar_needs", None)


def possible_duplicates(needs: Sequence[Need]) -> dict[int, list[Duplicate]]:
    """Pairs of needs from different regions that may be the same need (need id → duplicates).

    The union of the search app's calibrated `similar_needs` (when available) and a token overlap
    on titles within the same service area; a flag is only a hint for the meeting.
    """
    by_id = {n.pk: n for n in needs}
    result: dict[int, list[Duplicate]] = {}
    similar = _search_similarity()
    for need in needs:
        found: dict[int, Duplicate] = {}
        if callable(similar):
            try:
                hits = similar(need, limit=10) or []
            except Exception:  # noqa: BLE001 - the search index is optional here; fall back to token overlap
                hits = []
            for hit in hits:
                other = by_id.get(getattr(getattr(hit, "need", None), "pk", None) or 0)
                if other is not None and other.pk != need.pk and other.region_id != need.region_id:
                    found[other.pk] = Duplicate(need, other, round(float(getattr(hit, "score", 0.0)), 2))
        for other in needs:
            if other.pk == need.pk or other.region_id == need.region_id or other.pk in found:
                continue
            score = token_similarity(need, other)
            if score >= THRESHOLD:
                found[other.pk] = Duplicate(need, other, round(score, 2))
        if found:
            result[need.pk] = sorted(found.values(), key=lambda d: -d.similarity)
    return result
