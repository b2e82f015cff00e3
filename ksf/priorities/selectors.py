"""Reads: the minutes of a round, published rounds and records, and who adopted a measure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Max, QuerySet

from ksf.needs.models import Need

from .models import ADOPTED, ConflictDeclaration, DecisionRecord, Participant, Round, RoundStatus, Score
from .ranking import Ranking, compute_ranking


def published_rounds() -> QuerySet[Round]:
    return Round.objects.filter(status=RoundStatus.PUBLISHED).select_related("region").order_by("-meeting_date", "-pk")


def published_records() -> QuerySet[DecisionRecord]:
    return DecisionRecord.objects.filter(published=True).select_related("need", "municipality").order_by("-published_at", "-pk")


def adopted_by(need: Need) -> list[DecisionRecord]:
    """Published decision records in which a municipality adopts (or trials) a measure for the need."""
    return list(
        DecisionRecord.objects.filter(need=need, published=True, decision__in=ADOPTED)
        .select_related("municipality")
        .order_by("municipality__name", "pk")
    )


def data_version() -> str:
    """Changes whenever a decision record changes (count, max id, `updated_at`, set by every
    service write): what other apps' pages show of priorities."""
    row = DecisionRecord.objects.aggregate(n=Count("id"), ids=Max("id"), at=Max("updated_at"))
    return repr((row["n"], row["ids"], row["at"]))


def need_adoption_version_sql() -> list[str]:
    """Scalar SQL subqueries (`%s`: the need's id) that change when a decision record on the need
    is added, changed or removed (part of `ksf.needs.selectors.need_version`, which keys the
    cached public need page)."""
    table = connection.ops.quote_name(DecisionRecord._meta.db_table)
    return [
        f"SELECT COUNT(id) FROM {table} WHERE need_id = %s",
        f"SELECT MAX(id) FROM {table} WHERE need_id = %s",
        f"SELECT MAX(updated_at) FROM {table} WHERE need_id = %s",
    ]


def adopted_by_context(need: Need) -> dict[str, Any]:
    """Context for the include `priorities/includes/adopted_by.html`."""
    records = adopted_by(need)
    return {"adopted_records": records, "adopted_count": len({r.municipality_id for r in records}), "adopted_need": need}


def linked_evidence(need: Need) -> list[Any]:
    """The need's evidence links (ksf.evidence), best relation first; empty if the app is not there."""
    try:
        from ksf.evidence.models import NeedEvidenceLink
    except ImportError:  # pragma: no cover
        return []
    return list(NeedEvidenceLink.objects.filter(need=need).select_related("evidence").order_by("relation", "-created_at"))


@dataclass
class ParticipantScores:
    participant: Participant
    declaration: ConflictDeclaration | None
    values: list[int | None]  # in the order of Minutes.scored_criteria


@dataclass
class NeedMinutes:
    row: Any  # ranking.RankedNeed
    participants: list[ParticipantScores]


@dataclass
class Minutes:
    round: Round
    participants: list[Participant]
    declarations: list[ConflictDeclaration]
    ranking: Ranking
    needs: list[NeedMinutes]

    @property
    def scored_criteria(self) -> list[Any]:
        return [c for c in self.ranking.criteria if c.is_scored]

    @property
    def conflicts(self) -> list[ConflictDeclaration]:
        return [d for d in self.declarations if d.conflicted]


def minutes(round_: Round) -> Minutes:
    ranking = compute_ranking(round_)
    participants = list(Participant.objects.filter(round=round_).select_related("user"))
    declarations = list(
        ConflictDeclaration.objects.filter(round=round_).select_related("user", "need").order_by("need__public_id", "user__username")
    )
    by_pair = {(d.user_id, d.need_id): d for d in declarations}
    scores = {(s.user_id, s.need_id, s.criterion_id): s.value for s in Score.objects.filter(round=round_)}
    needs = []
    for row in ranking.rows:
        per_participant = []
        for participant in participants:
            values = [scores.get((participant.user_id, row.need.pk, c.pk)) for c in ranking.criteria if c.is_scored]
            per_participant.append(ParticipantScores(participant, by_pair.get((participant.user_id, row.need.pk)), values))
        needs.append(NeedMinutes(row=row, participants=per_participant))
    return Minutes(round=round_, participants=participants, declarations=declarations, ranking=ranking, needs=needs)
