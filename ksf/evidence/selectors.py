"""Reads of the evidence base: list filters, a need's links, candidate evidence for a need."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from ksf.needs.models import Need

from .access import can_link_evidence
from .models import Evidence, LinkRelation, NeedEvidenceLink

logger = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200
CANDIDATE_LIMIT = 10
MAX_WHAT_WE_KNOW = 5000
# Words that say nothing about a need's topic (bokmål, nynorsk, English).
_STOP_WORDS = frozenset(
    """
    alle andre at av bedre blant bli blir bør da de dei deg den der det dette du eg eit eller en enn er et
    etter for fra frå få gir god gode har hjelpe hva hvilke hvilken hvor hvordan i ikkje ikke inn kan
    korleis kva kven med meir mellom mer mot må ned noe nye når og om opp oss over på sine skal slik som
    til tiltak ut uten var ved vi vil være kommune kommunen kommunar kommuner kunnskap behov effekt
    the and for with from what which how does are can effect effects of in on to a an or
    """.split()
)
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)


def evidence_list(
    *, q: str = "", source: str = "", evidence_type: str = "", language: str = "", year_from: int | None = None,
    year_to: int | None = None,
) -> QuerySet[Evidence]:
    qs = Evidence.objects.all()
    q = " ".join(q.split())[:MAX_QUERY_CHARS]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(title_no__icontains=q) | Q(abstract__icontains=q))
    if source:
        qs = qs.filter(source=source)
    if evidence_type:
        qs = qs.filter(evidence_type=evidence_type)
    if language:
        qs = qs.filter(language=language)
    if year_from:
        qs = qs.filter(year__gte=year_from)
    if year_to:
        qs = qs.filter(year__lte=year_to)
    return qs.order_by(Coalesce("year", Value(0)).desc(), "title", "pk")


def links_for_need(need: Need) -> QuerySet[NeedEvidenceLink]:
    return NeedEvidenceLink.objects.filter(need=need).select_related("evidence").order_by("relation", "-created_at")


def published_links_for_evidence(evidence: Evidence) -> QuerySet[NeedEvidenceLink]:
    """The public needs an evidence record is linked to (drafts and unpublished needs stay hidden)."""
    return (
        evidence.need_links.filter(need__published_at__isnull=False)
        .select_related("need")
        .order_by("relation", "need__public_id")
    )


def grouped_links(links: list[NeedEvidenceLink]) -> list[dict[str, Any]]:
    """Links grouped by relation in the order answers, partly answers, related; empty groups left out."""
    groups = []
    for value, label in LinkRelation.choices:
        members = [link for link in links if link.relation == value]
        if members:
            groups.append({"relation": value, "label": label, "links": members})
    return groups


@dataclass(frozen=True)
class Candidate:
    """Evidence that may answer a need, as ranked by the search (or the fallback)."""

    evidence: Evidence
    score: float
    snippet: str = ""


def need_query_text(need: Need) -> str:
    parts = [need.title, need.question, need.population, need.intervention, need.outcome]
    return " ".join(" ".join(p.split()) for p in parts if p)[:1000]


def _hit_value(hit: Any, *names: str) -> Any:
    for name in names:
        value = hit.get(name) if isinstance(hit, dict) else getattr(hit, name, None)
        if value is not None:
            return value
    return None


def _search_candidates(query: str, *, limit: int, exclude_ids: set[int]) -> list[Candidate] | None:
    """Candidates from `ksf.search.services.search_evidence`, or None when it is not available."""
    try:
        from ksf.search.services import search_evidence
    except ImportError:
        return None
    try:
        hits = search_evidence(query, filters={}, limit=limit + len(exclude_ids))
    except Exception:  # noqa: BLE001 - a failing index must not break the need page; fall back
        logger.exception("search_evidence failed; using the simple candidate list")
        return None
    ranked: list[tuple[int, float, str]] = []
    for hit in getattr(hits, "hits", hits) or []:
        pk = _hit_value(hit, "evidence_id", "id", "doc_id", "pk")
        if pk is None:
            pk = getattr(_hit_value(hit, "evidence"), "pk", None)
        if pk is None or int(pk) in exclude_ids:
            continue
        ranked.append((int(pk), float(_hit_value(hit, "score") or 0.0), str(_hit_value(hit, "snippet") or "")))
    records = Evidence.objects.in_bulk([pk for pk, _score, _snippet in ranked])
    return [
        Candidate(records[pk], score, snippet) for pk, score, snippet in ranked if pk in records
    ][:limit]


def topic_words(text: str, *, limit: int = 12) -> list[str]:
    """Content words of a text (four letters or more, no stop words), in order, without repeats."""
    words: list[str] = []
    for word in _WORD.findall(text.lower()):
        if word not in _STOP_WORDS and word not in words:
            words.append(word)
    return words[:limit]


def _fallback_candidates(need: Need, *, limit: int, exclude_ids: set[int]) -> list[Candidate]:
    """Title words of the need matched in titles (weight 2) and abstracts (weight 1)."""
    words = topic_words(need.title) or topic_words(need.question)
    if not words:
        return []
    score: Any = Value(0)
    condition = Q()
    for word in words:
        in_title = Q(title__icontains=word) | Q(title_no__icontains=word)
        score = score + Case(When(in_title, then=Value(2)), default=Value(0), output_field=IntegerField())
        score = score + Case(When(abstract__icontains=word, then=Value(1)), default=Value(0), output_field=IntegerField())
        condition |= in_title | Q(abstract__icontains=word)
    qs = (
        Evidence.objects.filter(condition)
        .exclude(pk__in=exclude_ids)
        .annotate(match_score=score)
        .order_by("-match_score", Coalesce("year", Value(0)).desc(), "pk")[:limit]
    )
    return [Candidate(e, float(e.match_score), "") for e in qs]


def evidence_candidates(need: Need, *, limit: int = CANDIDATE_LIMIT, exclude_ids: set[int] | None = None) -> list[Candidate]:
    """Ranked evidence that may answer the need, leaving out what is already linked."""
    exclude = set(exclude_ids or ())
    found = _search_candidates(need_query_text(need), limit=limit, exclude_ids=exclude)
    if found is None:
        found = _fallback_candidates(need, limit=limit, exclude_ids=exclude)
    return found


def need_links_version_sql() -> list[str]:
    """Scalar SQL subqueries (`%s`: the need's id) that change when a link to the need, or a linked
    record, is added, changed or removed (part of `ksf.needs.selectors.need_version`, which keys
    the cached public need page; asked in the same round trip as the need's own parts)."""
    q = connection.ops.quote_name
    link, record = q(NeedEvidenceLink._meta.db_table), q(Evidence._meta.db_table)
    return [
        f"SELECT COUNT(id) FROM {link} WHERE need_id = %s",
        f"SELECT MAX(id) FROM {link} WHERE need_id = %s",
        f"SELECT MAX(updated_at) FROM {link} WHERE need_id = %s",
        f"SELECT MAX(r.updated_at) FROM {record} r INNER JOIN {link} l ON l.evidence_id = r.id WHERE l.need_id = %s",
    ]


def need_evidence_context(request_user: Any, need: Need) -> dict[str, Any]:
    """Everything `evidence/includes/need_evidence.html` needs, under one key.

    The need page adds this to its context and includes the template; candidates are only
    looked up for people who may link evidence to this need.
    """
    links = list(links_for_need(need))
    can_link = can_link_evidence(request_user, need)
    candidates = evidence_candidates(need, exclude_ids={link.evidence_id for link in links}) if can_link else []
    return {
        "need_evidence": {
            "need": need,
            "groups": grouped_links(links),
            "count": len(links),
            "can_link": can_link,
            "candidates": candidates,
            "relations": LinkRelation.choices,
            "max_text": MAX_WHAT_WE_KNOW,
        }
    }
