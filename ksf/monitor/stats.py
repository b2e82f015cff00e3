"""The monitor's statistics: plain, typed functions over the needs, history and registry tables.

Every figure is computed for a `StatsFilter` (period, region, cluster, service area,
municipality). The same functions feed the statistics page, the CSV/XLSX downloads, the
open-data bundle and `GET /api/v1/stats`, so the numbers agree everywhere.

Definitions (also in the data dictionary of the open-data bundle):

- A need is *registered* when it is first submitted: the earliest history row with
  `to_status = submitted`. Drafts that were never submitted are not counted. The period
  filter selects needs by this date (local time, Europe/Oslo), both ends inclusive.
- *Highest level reached* comes from the history: national if it was ever lifted to national
  level, region if it was ever forwarded to the region, cluster if the cluster ever acted on it
  (took it into review, asked for clarification, rejected, merged or answered it), otherwise
  municipality.
- *Outcome* is read from the current status (see `OUTCOMES`).
- *Lead times* are whole calendar durations in days (fractional, one decimal shown) from the
  first submission to the first history row that ends the stage (see `STAGES`). Needs that
  have not reached the end of a stage are not in its durations; those still waiting for it
  are counted as *open*. Medians and 80th percentiles use linear interpolation between
  closest ranks (`percentile`, the same as Excel's PERCENTILE.INC and numpy's default).
- *Participation*: a municipality takes part when, in the filtered period and service area,
  it has submitted at least one need or endorsed ("relevant for us too") at least one need.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import importlib
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, FloatField, Func, IntegerField, Max, Min, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ksf.core.pagecache import cached_value
from ksf.needs.models import Endorsement, Need, NeedStatusChange
from ksf.needs.workflow import ANSWERED_STATUSES, FINAL_STATUSES, Status
from ksf.organisations.models import Organisation, OrgKind

S = Status

# --- the filter ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatsFilter:
    """What the figures are computed for. Empty values mean "no restriction"."""

    date_from: dt.date | None = None  # first submission on or after this day
    date_to: dt.date | None = None  # first submission on or before this day
    region: str = ""  # HealthRegion.code
    cluster: int | None = None  # Organisation id of a cluster
    service_area: str = ""  # ServiceArea value
    municipality: str = ""  # municipality number (4 digits)

    def as_params(self) -> dict[str, str]:
        """The query parameters that reproduce this filter (page, downloads and API share them)."""
        params = {
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "region": self.region,
            "cluster": str(self.cluster) if self.cluster else "",
            "service_area": self.service_area,
            "municipality": self.municipality,
        }
        return {k: v for k, v in params.items() if v}

    @property
    def is_national(self) -> bool:
        return not (self.region or self.cluster or self.municipality)

    def national(self) -> StatsFilter:
        """The same period and service area for the whole country (for comparisons)."""
        return StatsFilter(date_from=self.date_from, date_to=self.date_to, service_area=self.service_area)

    def key(self) -> str:
        return "|".join(f"{k}={v}" for k, v in sorted(self.as_params().items()))


def need_q(f: StatsFilter, prefix: str = "") -> Q:
    """The non-period part of the filter as a Q on Need (or on a model with a `need` FK)."""
    q = Q()
    if f.region:
        q &= Q(**{f"{prefix}region__code": f.region})
    if f.cluster:
        q &= Q(**{f"{prefix}cluster_id": f.cluster})
    if f.service_area:
        q &= Q(**{f"{prefix}service_area": f.service_area})
    if f.municipality:
        q &= Q(**{f"{prefix}municipality__municipality_number": f.municipality})
    return q


def scope_municipalities(f: StatsFilter) -> QuerySet[Organisation]:
    """The municipalities the participation figures are about (the denominator)."""
    qs = Organisation.objects.filter(kind=OrgKind.MUNICIPALITY)
    if f.region:
        qs = qs.filter(region__code=f.region)
    if f.cluster:
        qs = qs.filter(clusters__id=f.cluster)
    if f.municipality:
        qs = qs.filter(municipality_number=f.municipality)
    return qs


# --- definitions -----------------------------------------------------------------------------

LEVELS: list[tuple[str, Any]] = [
    ("municipality", _("Kommune")),
    ("cluster", _("Klynge")),
    ("region", _("Region")),
    ("national", _("Nasjonalt")),
]
# Statuses that show the cluster acted on the need (level "cluster" reached).
CLUSTER_TOUCH = (S.CLUSTER_REVIEW, S.CLARIFICATION, S.REJECTED, S.ANSWERED_LOCALLY, S.MERGED)

OUTCOMES: list[tuple[str, Any, frozenset[str]]] = [
    ("answered_existing", _("Besvart med eksisterende kunnskap"), frozenset({S.ANSWERED})),
    ("summary", _("Kunnskapsoppsummering"), frozenset({S.SUMMARY_COMMISSIONED, S.SUMMARY_PUBLISHED})),
    ("research_proposal", _("Forslag til forskning"), frozenset({S.RESEARCH_PROPOSAL, S.IN_PROJECT, S.RESULTS_PUBLISHED})),
    ("answered_locally", _("Besvart lokalt"), frozenset({S.ANSWERED_LOCALLY})),
    ("rejected", _("Avvist"), frozenset({S.REJECTED})),
    ("merged", _("Slått sammen"), frozenset({S.MERGED})),
    ("withdrawn", _("Trukket tilbake"), frozenset({S.WITHDRAWN})),
    ("pending", _("Fortsatt åpent, uten utfall ennå"),
     frozenset({S.SUBMITTED, S.CLARIFICATION, S.CLUSTER_REVIEW, S.FORWARDED, S.NATIONAL, S.EVIDENCE_CHECK})),
]
OUTCOME_OF_STATUS = {status: key for key, _label, statuses in OUTCOMES for status in statuses}

# Needs not in a final status (and submitted): still open somewhere on the path.
OPEN_STATUSES = frozenset(s.value for s in S if s.value not in FINAL_STATUSES and s != S.DRAFT)


@dataclass(frozen=True)
class Stage:
    key: str
    label: Any
    ends: Q  # which history rows end the stage (the first one counts)
    waiting: frozenset[str]  # current statuses that count as open for this stage


STAGES: list[Stage] = [
    Stage(
        "cluster_decision",
        _("Innsendt → klyngens beslutning"),
        # Forward, answer locally, reject or merge, taken at the cluster stage.
        Q(from_status__in=[S.SUBMITTED, S.CLUSTER_REVIEW],
          to_status__in=[S.FORWARDED, S.ANSWERED_LOCALLY, S.REJECTED, S.MERGED]),
        frozenset({S.SUBMITTED, S.CLARIFICATION, S.CLUSTER_REVIEW}),
    ),
    Stage(
        "region_decision",
        _("Innsendt → regionens beslutning"),
        # Lift to national, order an evidence check or summary, propose research, merge.
        Q(from_status=S.FORWARDED) & ~Q(to_status=S.WITHDRAWN),
        frozenset({S.FORWARDED}),
    ),
    Stage(
        "answered",
        _("Innsendt → besvart"),
        Q(to_status__in=sorted(ANSWERED_STATUSES)),
        OPEN_STATUSES,
    ),
]


# --- small helpers ---------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0–100) by linear interpolation between closest ranks.

    Sort the n values x[0..n-1]; h = (n - 1) * p / 100; the result is
    x[floor(h)] + (h - floor(h)) * (x[ceil(h)] - x[floor(h)]). This is Hyndman & Fan's type 7,
    Excel's PERCENTILE.INC and numpy's default, so anyone can reproduce it from the bundle.
    The 50th percentile is the ordinary median. None for no values.
    """
    if not values:
        return None
    xs = sorted(values)
    h = (len(xs) - 1) * p / 100.0
    lo, hi = math.floor(h), math.ceil(h)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _pct(part: int | float, whole: int | float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


class Epoch(Func):
    """Seconds since 1970-01-01 UTC of a datetime column, as a float, computed in the database."""

    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM %(expressions)s)::double precision"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)", **extra)


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _local_midnight(day: dt.date) -> float:
    return dt.datetime(day.year, day.month, day.day, tzinfo=_tz()).timestamp()


@dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int

    @property
    def label(self) -> str:
        return f"{self.year} K{self.quarter}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)


def quarter_range(first: dt.date, last: dt.date) -> list[Quarter]:
    """Every quarter from the one containing `first` to the one containing `last`, empty ones included."""
    out: list[Quarter] = []
    q, end = Quarter.of(first), Quarter.of(last)
    while (q.year, q.quarter) <= (end.year, end.quarter):
        out.append(q)
        q = q.next()
    return out


# --- the per-need facts (one aggregate query over the history) --------------------------------


@dataclass(frozen=True)
class NeedFact:
    need_id: int
    status: str
    municipality_id: int
    submitted: float  # epoch seconds of the first submission
    ends: tuple[float | None, ...]  # epoch seconds of the end of each stage in STAGES
    level: int  # index into LEVELS


def need_facts(f: StatsFilter) -> list[NeedFact]:
    """One row per submitted need in the filter, aggregated in the database from the history rows.

    The history is grouped by need alone (no join per history row); the needs' own filters
    become an `IN (subquery)`, and status and municipality are read from the needs table.
    """
    level_case = Case(
        When(to_status=S.NATIONAL, then=Value(3)),
        When(to_status=S.FORWARDED, then=Value(2)),
        When(to_status__in=CLUSTER_TOUCH, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    # The epoch of the earliest matching row: MIN on the column (ISO text on SQLite sorts like time),
    # then one conversion per need rather than one per history row.
    annotations: dict[str, Any] = {
        "sub": Epoch(Min("created_at", filter=Q(to_status=S.SUBMITTED))),
        "lvl": Max(level_case),
    }
    for i, stage in enumerate(STAGES):
        annotations[f"end{i}"] = Epoch(Min("created_at", filter=stage.ends))
    needs = Need.objects.filter(need_q(f))
    history = NeedStatusChange.objects.all()
    if need_q(f):
        history = history.filter(need_id__in=needs.values("pk"))
    qs = history.order_by().values("need_id").annotate(**annotations).filter(Q(sub__isnull=False))
    if f.date_from:
        qs = qs.filter(Q(sub__gte=_local_midnight(f.date_from)))
    if f.date_to:
        qs = qs.filter(Q(sub__lt=_local_midnight(f.date_to + dt.timedelta(days=1))))
    info = {pk: (status, muni) for pk, status, muni in needs.order_by().values_list("pk", "status", "municipality_id")}
    names = ["need_id", "sub", "lvl"] + [f"end{i}" for i in range(len(STAGES))]
    # Plain numbers: read through the cursor, without Django's per-value converters.
    sql, params = qs.values_list(*names).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    facts = []
    for row in rows:
        status, muni = info.get(row[0], ("", 0))
        facts.append(NeedFact(row[0], status, muni, float(row[1]), tuple(None if e is None else float(e) for e in row[3:]), int(row[2])))
    return facts


# --- figures ---------------------------------------------------------------------------------


@dataclass
class CountRow:
    key: str
    label: str
    count: int
    share: float | None  # percent of the total


@dataclass
class QuarterRow:
    label: str
    start: str  # ISO date of the first day
    count: int


@dataclass
class StageRow:
    key: str
    label: str
    completed: int  # needs in the durations
    open: int  # needs still waiting for this stage (not in the durations)
    median_days: float | None
    p80_days: float | None


@dataclass
class StageQuarterRow:
    label: str  # quarter of first submission
    start: str
    submitted: int
    stages: dict[str, StageRow]


@dataclass
class ParticipationRow:
    key: str  # county number or region code
    label: str
    municipalities: int
    participating: int
    share: float | None
    population: int
    participating_population: int
    population_share: float | None


@dataclass
class MunicipalityCell:
    number: str
    name: str
    needs: int
    endorsements: int

    @property
    def participating(self) -> bool:
        return bool(self.needs or self.endorsements)


@dataclass
class CountyGrid:
    row: ParticipationRow
    region: str
    municipalities: list[MunicipalityCell]


@dataclass
class Participation:
    total: ParticipationRow
    regions: list[ParticipationRow]
    counties: list[CountyGrid]


@dataclass
class NeedStats:
    registered: int
    answered: int
    open: int
    quarters: list[QuarterRow]
    levels: list[CountRow]
    outcomes: list[CountRow]
    stages: list[StageRow]
    stage_quarters: list[StageQuarterRow]
    participation: Participation
    cache_key: str = ""  # data version + day + filter: also keys the rendered page fragments


def _stage_rows(facts: Sequence[NeedFact]) -> dict[str, StageRow]:
    out: dict[str, StageRow] = {}
    for i, stage in enumerate(STAGES):
        durations = [(x.ends[i] - x.submitted) / 86400.0 for x in facts if x.ends[i] is not None]  # type: ignore[operator]
        waiting = stage.waiting
        open_ = sum(1 for x in facts if x.ends[i] is None and x.status in waiting)
        durations = [d if d > 0 else 0.0 for d in durations]
        out[stage.key] = StageRow(
            key=stage.key,
            label=str(stage.label),
            completed=len(durations),
            open=open_,
            median_days=_round(percentile(durations, 50)),
            p80_days=_round(percentile(durations, 80)),
        )
    return out


def _participation(f: StatsFilter, facts: Sequence[NeedFact]) -> Participation:
    """Municipalities in scope that submitted (facts) or endorsed at least one need in the filter.

    The geographic part of the filter picks the municipalities; period and service area pick
    their needs and endorsements (an endorsement counts from the day it was given).
    """
    needs_by_muni = Counter(fact.municipality_id for fact in facts)
    endorsements = Endorsement.objects.filter(need_q(f.national(), "need__"), municipality__in=scope_municipalities(f))
    if f.date_from:
        endorsements = endorsements.filter(created_at__gte=_aware(f.date_from))
    if f.date_to:
        endorsements = endorsements.filter(created_at__lt=_aware(f.date_to + dt.timedelta(days=1)))
    endorsed_by_muni = dict(
        endorsements.order_by().values("municipality_id").annotate(n=Count("id")).values_list("municipality_id", "n")
    )
    munis = (
        scope_municipalities(f)
        .order_by("county__number", "name")
        .values_list("id", "municipality_number", "name", "population", "county__number", "county__name",
                     "region__code", "region__name")
    )
    # Accumulators: [municipalities, participating, population, participating population].
    total = [0, 0, 0, 0]
    county_acc: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    region_acc: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    region_names: dict[str, str] = {}
    counties: dict[str, CountyGrid] = {}
    for pk, number, name, population, county_no, county_name, region_code, region_name in munis:
        cell = MunicipalityCell(number or "", name, needs_by_muni.get(pk, 0), endorsed_by_muni.get(pk, 0))
        pop, part = population or 0, cell.participating
        ckey, rkey = county_no or "-", region_code or "-"
        region_names[rkey] = region_name or "-"
        if ckey not in counties:
            counties[ckey] = CountyGrid(
                row=ParticipationRow(ckey, county_name or "-", 0, 0, None, 0, 0, None),
                region=region_name or "-",
                municipalities=[],
            )
        counties[ckey].municipalities.append(cell)
        for acc in (total, county_acc[ckey], region_acc[rkey]):
            acc[0] += 1
            acc[1] += int(part)
            acc[2] += pop
            acc[3] += pop if part else 0

    def row(key: str, label: str, acc: Sequence[int]) -> ParticipationRow:
        n, p, pop, ppop = acc
        return ParticipationRow(key, label, n, p, _pct(p, n), pop, ppop, _pct(ppop, pop))

    for ckey, grid in counties.items():
        grid.row = row(ckey, grid.row.label, county_acc[ckey])
    regions = sorted((row(k, region_names[k], acc) for k, acc in region_acc.items()), key=lambda r: r.label)
    return Participation(
        total=row("total", str(_("Alle kommuner i utvalget")), total),
        regions=regions,
        counties=list(counties.values()),
    )


def _aware(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=_tz())


def compute_need_stats(f: StatsFilter, *, today: dt.date | None = None) -> NeedStats:
    """All needs-based figures for the filter, computed from the tables (no cache)."""
    facts = need_facts(f)
    today = today or timezone.localdate()

    # Quarters: from the filter's start (or the first submission) to its end (or today).
    first = f.date_from
    if first is None:
        first = (
            min(dt.datetime.fromtimestamp(min(x.submitted for x in facts), _tz()).date(), today) if facts else today
        )
    last = f.date_to or today
    if last < first:
        last = first
    quarters = quarter_range(first, last)
    bounds = [_local_midnight(q.start) for q in quarters]
    per_quarter: list[list[NeedFact]] = [[] for _ in quarters]
    for fact in facts:
        i = bisect.bisect_right(bounds, fact.submitted) - 1
        if 0 <= i < len(quarters):
            per_quarter[i].append(fact)

    registered = len(facts)
    level_counts = Counter(fact.level for fact in facts)
    outcome_counts = Counter(OUTCOME_OF_STATUS.get(fact.status, "pending") for fact in facts)
    answered = sum(1 for fact in facts if fact.status in ANSWERED_STATUSES)
    open_ = sum(1 for fact in facts if fact.status in OPEN_STATUSES)

    return NeedStats(
        registered=registered,
        answered=answered,
        open=open_,
        quarters=[QuarterRow(q.label, q.start.isoformat(), len(rows)) for q, rows in zip(quarters, per_quarter, strict=True)],
        levels=[
            CountRow(key, str(label), level_counts.get(i, 0), _pct(level_counts.get(i, 0), registered))
            for i, (key, label) in enumerate(LEVELS)
        ],
        outcomes=[
            CountRow(key, str(label), outcome_counts.get(key, 0), _pct(outcome_counts.get(key, 0), registered))
            for key, label, _statuses in OUTCOMES
        ],
        stages=list(_stage_rows(facts).values()),
        stage_quarters=[
            StageQuarterRow(q.label, q.start.isoformat(), len(rows), _stage_rows(rows))
            for q, rows in zip(quarters, per_quarter, strict=True)
        ],
        participation=_participation(f, facts),
    )


# --- cache (see README: measured necessary; invalidated by a data version) -------------------

CACHE_SECONDS = 600


def data_version() -> str:
    """Changes whenever a row the needs figures read is added, changed or deleted (see
    `ksf.needs.selectors.data_version`, shared with the cached public need pages)."""
    from ksf.needs.selectors import data_version as needs_data_version

    return needs_data_version()


def figures_version() -> str:
    """Changes whenever any figure of a snapshot may: the needs, project and procurement data."""
    parts = [data_version()]
    for module in ("ksf.projects.selectors", "ksf.procurement.selectors"):
        version = _selector(module, "data_version")
        parts.append(version() if version is not None else "")
    return "|".join(parts)


T = TypeVar("T")


def _filter_hash(f: StatsFilter) -> str:
    return hashlib.sha1(f.key().encode(), usedforsecurity=False).hexdigest()


def _memo_key(version: str, f: StatsFilter, today: dt.date) -> str:
    # The figures carry translated labels (levels, outcomes, stages): one cache entry per language.
    return f"{version}:{get_language()}:{today.isoformat()}:{_filter_hash(f)}"


def _memo(kind: str, version: str, f: StatsFilter, today: dt.date, compute: Callable[[], T]) -> T:
    """`compute()`, kept in the shared page cache per data version (`ksf.core.pagecache`: with a
    grace period, a snapshot made at an older version serves for that many seconds; under the
    load of `make load` the needs version changed twice a second and every statistics page and
    municipality page recomputed the national figures, 80 ms of CPU each)."""
    return cached_value(["monitor", kind, today.isoformat(), _filter_hash(f)], compute, version=version, timeout=CACHE_SECONDS)


def need_stats(f: StatsFilter, *, today: dt.date | None = None) -> NeedStats:
    """`compute_need_stats`, memoised in the cache under the current data version and the day."""
    today = today or timezone.localdate()
    version = data_version()

    def compute() -> NeedStats:
        stats = compute_need_stats(f, today=today)
        stats.cache_key = _memo_key(version, f, today)
        return stats

    return _memo("needstats", version, f, today, compute)


# --- the figures, one function each (used by page, downloads, API and bundle) ----------------


def needs_per_quarter(f: StatsFilter) -> list[QuarterRow]:
    return need_stats(f).quarters


def needs_by_level(f: StatsFilter) -> list[CountRow]:
    return need_stats(f).levels


def needs_by_outcome(f: StatsFilter) -> list[CountRow]:
    return need_stats(f).outcomes


def lead_times(f: StatsFilter) -> list[StageRow]:
    return need_stats(f).stages


def lead_times_by_quarter(f: StatsFilter) -> list[StageQuarterRow]:
    return need_stats(f).stage_quarters


def participation(f: StatsFilter) -> Participation:
    return need_stats(f).participation


# --- projects and procurements (other apps' selectors, guarded) -------------------------------


@dataclass
class Optional_:
    """A figure from another app: `available` is False while that app does not provide it yet.

    `rows` are {"key", "label", "value"} dicts whatever shape the other app returns.
    """

    available: bool
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


NOT_YET = _("ikke tilgjengelig ennå")


def _selector(module: str, name: str) -> Callable[..., Any] | None:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    fn = getattr(mod, name, None)
    return fn if callable(fn) else None


def _as_rows(result: Any, labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Accept a mapping, (key, value) pairs or dicts from another app's selector."""
    labels = labels or {}
    pairs: list[tuple[Any, Any]] = []
    if isinstance(result, dict):
        pairs = list(result.items())
    else:
        for item in result or []:
            if isinstance(item, dict):
                values = list(item.values())
                key = item.get("key", item.get("status", item.get("source", item.get("phase", values[0]))))
                value = item.get("value", item.get("count", item.get("amount", item.get("total", values[-1]))))
                pairs.append((key, value))
            else:
                pairs.append((item[0], item[1]))
    return [{"key": str(k), "label": str(labels.get(str(k), k)), "value": v} for k, v in pairs]


def _project_queryset(f: StatsFilter) -> Any:
    """Published projects in the filter: place (owner, leader or participating municipality),
    service area, cluster (a member municipality takes part) and period (active in it)."""
    sel = importlib.import_module("ksf.projects.selectors")
    qs = sel.filter_projects(
        sel.published_projects(),
        sel.ProjectFilters(region=f.region, municipality=f.municipality, service_area=f.service_area),
    )
    if f.cluster:
        qs = qs.filter(Q(municipalities__clusters__id=f.cluster) | Q(owner__clusters__id=f.cluster))
    if f.date_to:
        qs = qs.filter(start_date__lte=f.date_to)
    if f.date_from:
        qs = qs.filter(Q(end_date__isnull=True) | Q(end_date__gte=f.date_from))
    return qs


def project_figures(f: StatsFilter) -> dict[str, Optional_]:
    """`compute_project_figures`, memoised under the projects' data version, the day, the language
    and the filter (a municipality page compares its own figures with the country's on every visit)."""
    version = _selector("ksf.projects.selectors", "data_version")
    if version is None:
        return compute_project_figures(f)
    return _memo("projects", version(), f, timezone.localdate(), lambda: compute_project_figures(f))


def compute_project_figures(f: StatsFilter) -> dict[str, Optional_]:
    """Projects by status, funding by source (NOK) and user participation, from ksf.projects.selectors.

    User participation rows are shares of all projects in the filter: with / without user
    participation / not reported, then per phase and per capacity (a project counts once per
    phase or capacity it reported).
    """
    names = ("projects_by_status", "funding_by_source", "participation_counts")
    fns = [_selector("ksf.projects.selectors", name) for name in names]
    if not all(fns) or _selector("ksf.projects.selectors", "filter_projects") is None:
        return {key: Optional_(False, note=str(NOT_YET)) for key in ("by_status", "funding", "participation")}
    models = importlib.import_module("ksf.projects.models")
    qs = _project_queryset(f)
    by_status, funding, part = (fn(qs) for fn in fns if fn)
    total = int(part.get("total") or 0)

    def share_rows(mapping: dict[str, Any], labels: dict[str, str], prefix: str) -> list[dict[str, Any]]:
        return [{"key": f"{prefix}{k}", "label": str(labels.get(k, k)), "value": int(v), "share": _pct(int(v), total)}
                for k, v in mapping.items()]

    state = dict(models.ParticipationState.choices)
    participation_rows = share_rows(
        {k: part.get(k, 0) for k in ("participation", "none", "not_reported")},
        {"participation": state.get("participation", "participation"), "none": state.get("none", "none"),
         "not_reported": state.get("not_reported", "not_reported")}, "",
    )
    participation_rows += share_rows(part.get("by_phase", {}), {k: _("Fase: %s") % v for k, v in models.Phase.choices}, "phase:")
    participation_rows += share_rows(part.get("by_capacity", {}), {k: _("Rolle: %s") % v for k, v in models.Capacity.choices}, "capacity:")
    return {
        "by_status": Optional_(True, _as_rows(by_status, dict(models.ProjectStatus.choices))),
        "funding": Optional_(True, _as_rows(funding, dict(models.FundingSource.choices))),
        "participation": Optional_(True, participation_rows, note=str(_("%(n)s prosjekter i utvalget.") % {"n": total})),
    }


@dataclass
class Ratio:
    available: bool
    projects: int = 0
    answered: int = 0
    ratio: float | None = None
    note: str = ""


def projects_per_answered_need(f: StatsFilter) -> Ratio:
    """Projects in the filter divided by needs answered in the filter (two decimals)."""
    return snapshot(f).ratio


def procurement_figures(f: StatsFilter) -> Optional_:
    """Published joint procurement initiatives per LUP phase (the whole country: not filtered)."""
    fn = _selector("ksf.procurement.selectors", "initiatives_by_phase")
    if fn is None:
        return Optional_(False, note=str(NOT_YET))
    labels: dict[str, str] = {}
    phases = _selector("ksf.procurement.phases", "Phase")
    if phases is not None:
        labels = {k: str(v) for k, v in getattr(phases, "choices", [])}
    note = "" if f == StatsFilter() else str(_("Tallene for felles anskaffelser gjelder hele landet og hele perioden."))
    return Optional_(True, _as_rows(fn(), labels), note=note)


# --- headline --------------------------------------------------------------------------------

HEADLINE_FIELDS: list[tuple[str, Any]] = [
    ("needs_registered", _("Behov meldt inn")),
    ("needs_answered", _("Behov besvart")),
    ("share_answered_pct", _("Andel besvart (%)")),
    ("needs_open", _("Behov fortsatt åpne")),
    ("municipalities_participating", _("Kommuner som har meldt inn eller støttet behov")),
    ("municipalities_total", _("Kommuner i utvalget")),
    ("municipalities_share_pct", _("Andel kommuner (%)")),
    ("population_share_pct", _("Andel av befolkningen (%)")),
    ("median_days_to_answer", _("Median dager til svar")),
    ("p80_days_to_answer", _("80-persentil dager til svar")),
    ("median_days_to_cluster_decision", _("Median dager til klyngens beslutning")),
    ("projects_total", _("Prosjekter")),
    ("joint_procurements_total", _("Felles anskaffelser")),
]


def _headline(needs: NeedStats, projects: Optional_, procurements: Optional_) -> dict[str, int | float | None]:
    stages = {row.key: row for row in needs.stages}
    part = needs.participation.total
    return {
        "needs_registered": needs.registered,
        "needs_answered": needs.answered,
        "share_answered_pct": _pct(needs.answered, needs.registered),
        "needs_open": needs.open,
        "municipalities_participating": part.participating,
        "municipalities_total": part.municipalities,
        "municipalities_share_pct": part.share,
        "population_share_pct": part.population_share,
        "median_days_to_answer": stages["answered"].median_days,
        "p80_days_to_answer": stages["answered"].p80_days,
        "median_days_to_cluster_decision": stages["cluster_decision"].median_days,
        "projects_total": sum(int(r["value"] or 0) for r in projects.rows) if projects.available else None,
        "joint_procurements_total": sum(int(r["value"] or 0) for r in procurements.rows) if procurements.available else None,
    }


@dataclass
class Snapshot:
    """Every figure for one filter, computed once (one data-version check) and passed around."""

    filter: StatsFilter
    needs: NeedStats
    projects: dict[str, Optional_]
    procurement: Optional_
    ratio: Ratio
    headline: dict[str, int | float | None]


def snapshot(f: StatsFilter) -> Snapshot:
    needs = need_stats(f)
    projects = project_figures(f)
    procurement = procurement_figures(f)
    if projects["by_status"].available:
        n_projects = sum(int(r["value"] or 0) for r in projects["by_status"].rows)
        ratio = Ratio(True, n_projects, needs.answered, round(n_projects / needs.answered, 2) if needs.answered else None)
    else:
        ratio = Ratio(False, note=str(NOT_YET))
    return Snapshot(f, needs, projects, procurement, ratio, _headline(needs, projects["by_status"], procurement))


def headline(f: StatsFilter) -> dict[str, int | float | None]:
    """The headline figures: exactly what the page, headline CSV/XLSX and the API show."""
    return snapshot(f).headline
