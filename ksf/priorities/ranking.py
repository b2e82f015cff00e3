"""The ranked result of a round, computed from the stored scores (never stored itself).

How the total is computed (shown with the result):
1. Per need and criterion: the mean of the participants' scores, leaving out the scores of
   participants who declared themselves conflicted (inhabil) for that need. Omfang and
   kunnskapsstatus are computed by the system (see `criteria.py`).
   Both are frozen when the meeting starts, so the result does not drift afterwards.
2. The total is the weighted mean over the criteria that have a value:
   sum(weight × value) / sum(weight). Criteria with weight 0 are left out. A need that lacks
   values for some criteria is marked incomplete.
3. Needs are sorted by total (rounded to two decimals, as shown). Equal totals are tied and
   broken in this order: higher severity (alvorlighet), then more municipalities (submitter
   plus endorsers), then earlier submission, then lower need number. Each tie is explained.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ksf.needs.models import Need

from .criteria import Omfang, knowledge_score, omfang_for
from .models import Candidate, ConflictDeclaration, Criterion, CriterionSource, Round, RoundDecision, RoundLevel, Score
from .similarity import Duplicate, possible_duplicates

SEVERITY_KEY = "alvorlighet"
TIE_BREAK_ORDER = (
    gettext_lazy("høyere alvorlighet"),
    gettext_lazy("flere kommuner (innmelder og kommuner som støtter behovet)"),
    gettext_lazy("tidligere innsendt"),
    gettext_lazy("lavere behovsnummer"),
)


def fmt(value: float | None, digits: int = 2) -> str:
    """Norwegian decimal comma."""
    if value is None:
        return "–"
    return f"{value:.{digits}f}".replace(".", ",")


@dataclass
class CriterionResult:
    criterion: Criterion
    value: float | None
    count: int = 0
    excluded: int = 0
    minimum: int | None = None
    maximum: int | None = None
    sd: float | None = None
    note: str = ""

    @property
    def spread(self) -> int | None:
        if self.minimum is None or self.maximum is None:
            return None
        return self.maximum - self.minimum


@dataclass
class RankedNeed:
    need: Need
    total: float | None
    results: list[CriterionResult]
    municipalities: int
    population: int
    severity: float | None
    incomplete: bool
    submitted: dt.datetime | None
    position: int = 0
    tied: bool = False
    tie_note: str = ""
    decision: RoundDecision | None = None
    duplicates: list[Duplicate] = field(default_factory=list)

    @property
    def total_display(self) -> str:
        return fmt(self.total)


@dataclass
class Ranking:
    round: Round
    criteria: list[Criterion]
    rows: list[RankedNeed]
    weight_sum: float

    @property
    def tie_break_order(self) -> list[str]:
        return [str(label) for label in TIE_BREAK_ORDER]


def _rounded(total: float | None) -> float | None:
    return None if total is None else round(total + 1e-9, 2)


def _sort_key(row: RankedNeed) -> tuple[Any, ...]:
    total = _rounded(row.total)
    submitted = row.submitted or row.need.created_at
    return (
        total is None, -(total or 0.0),
        row.severity is None, -(row.severity or 0.0),
        -row.municipalities,
        submitted,
        row.need.public_id,
    )


def _tie_reason(first: RankedNeed, second: RankedNeed) -> str:
    if (first.severity or 0.0) != (second.severity or 0.0):
        return _("høyere alvorlighet (%(a)s mot %(b)s)") % {"a": fmt(first.severity), "b": fmt(second.severity)}
    if first.municipalities != second.municipalities:
        return _("flere kommuner (%(a)s mot %(b)s)") % {"a": first.municipalities, "b": second.municipalities}
    a = first.submitted or first.need.created_at
    b = second.submitted or second.need.created_at
    if a != b:
        a, b = timezone.localtime(a), timezone.localtime(b)
        pattern = "%d.%m.%Y kl. %H:%M" if a.date() == b.date() else "%d.%m.%Y"
        return _("tidligere innsendt (%(a)s mot %(b)s)") % {"a": a.strftime(pattern), "b": b.strftime(pattern)}
    return _("lavere behovsnummer")


def compute_ranking(round_: Round) -> Ranking:
    criteria = [c for c in round_.criteria.all() if c.weight > 0]
    all_criteria = list(round_.criteria.all())
    candidates = list(Candidate.objects.filter(round=round_).select_related("need", "need__municipality", "need__region"))
    needs = [c.need for c in candidates]
    conflicted: set[tuple[int, int]] = set(
        ConflictDeclaration.objects.filter(round=round_, conflicted=True).values_list("user_id", "need_id")
    )
    values: dict[tuple[int, int], list[int]] = defaultdict(list)
    excluded: dict[tuple[int, int], int] = defaultdict(int)
    for user_id, need_id, criterion_id, value in Score.objects.filter(round=round_).values_list(
        "user_id", "need_id", "criterion_id", "value"
    ):
        if (user_id, need_id) in conflicted:
            excluded[(need_id, criterion_id)] += 1
        else:
            values[(need_id, criterion_id)].append(value)
    live = omfang_for([c.need for c in candidates if c.frozen_at is None])
    omfang: dict[int, Omfang] = {}
    knowledge: dict[int, tuple[int, str]] = {}
    for candidate in candidates:
        if candidate.frozen_at is not None:
            omfang[candidate.need_id] = Omfang(
                candidate.municipalities or 0, candidate.population or 0, candidate.omfang_score or 1)
            knowledge[candidate.need_id] = (candidate.knowledge_score or 0, candidate.knowledge_note)
        else:
            omfang[candidate.need_id] = live[candidate.need_id]
            knowledge[candidate.need_id] = knowledge_score(candidate.need)
    decisions = {d.need_id: d for d in RoundDecision.objects.filter(round=round_).select_related("partner")}
    duplicates = possible_duplicates(needs) if round_.level == RoundLevel.NATIONAL else {}
    severity_criterion = next((c for c in all_criteria if c.key == SEVERITY_KEY), None)

    rows: list[RankedNeed] = []
    for need in needs:
        results: list[CriterionResult] = []
        for criterion in criteria:
            results.append(_criterion_result(criterion, need, values, excluded, omfang, knowledge))
        weighted = [(float(r.criterion.weight), r.value) for r in results if r.value is not None]
        weight_total = sum(w for w, _v in weighted)
        total = sum(w * v for w, v in weighted) / weight_total if weight_total else None
        severity = None
        if severity_criterion is not None:
            sev_values = values.get((need.pk, severity_criterion.pk), [])
            severity = statistics.fmean(sev_values) if sev_values else None
        rows.append(RankedNeed(
            need=need, total=total, results=results,
            municipalities=omfang[need.pk].municipalities, population=omfang[need.pk].population,
            severity=severity, incomplete=any(r.value is None for r in results), submitted=need.submitted_at,
            decision=decisions.get(need.pk), duplicates=duplicates.get(need.pk, []),
        ))
    rows.sort(key=_sort_key)
    for index, row in enumerate(rows, start=1):
        row.position = index
        if index > 1:
            previous = rows[index - 2]
            if row.total is not None and _rounded(previous.total) == _rounded(row.total):
                previous.tied = row.tied = True
                row.tie_note = _("Lik poengsum som %(other)s; %(other)s står foran på grunn av %(reason)s.") % {
                    "other": previous.need.public_id, "reason": _tie_reason(previous, row)}
    return Ranking(round=round_, criteria=criteria, rows=rows, weight_sum=float(sum(c.weight for c in criteria)))


def _criterion_result(
    criterion: Criterion, need: Need, values: dict[tuple[int, int], list[int]],
    excluded: dict[tuple[int, int], int], omfang: dict[int, Omfang], knowledge: dict[int, tuple[int, str]],
) -> CriterionResult:
    if criterion.source == CriterionSource.OMFANG:
        info = omfang[need.pk]
        note = ngettext("%(m)s kommune, %(p)s innbyggere", "%(m)s kommuner, %(p)s innbyggere", info.municipalities) % {
            "m": info.municipalities, "p": f"{info.population:,}".replace(",", "\u00a0")}
        return CriterionResult(criterion, float(info.score), note=note)
    if criterion.source == CriterionSource.KNOWLEDGE:
        score, reason = knowledge[need.pk]
        return CriterionResult(criterion, float(score), note=reason)
    scores = values.get((need.pk, criterion.pk), [])
    if not scores:
        return CriterionResult(criterion, None, excluded=excluded.get((need.pk, criterion.pk), 0))
    return CriterionResult(
        criterion, statistics.fmean(scores), count=len(scores), excluded=excluded.get((need.pk, criterion.pk), 0),
        minimum=min(scores), maximum=max(scores), sd=statistics.pstdev(scores) if len(scores) > 1 else 0.0,
    )
