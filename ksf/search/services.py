"""Search behind one narrow interface; callers never see the engine.

Reads:
- ``search_evidence(query, *, filters, limit) -> list[Hit]``
- ``search_needs(query, *, filters, limit, user) -> list[NeedHit]``
- ``similar_needs(text, *, exclude_public_id, limit, user) -> list[NeedHit]`` - "is this the same
  need?"; empty unless something is really similar (the engine's calibrated threshold).

Writes (called after commit by the apps that own the records):
- ``evidence_changed(ids)`` / ``need_changed(ids)``: log the change for every web process and
  queue the embedding task.
- ``embeddings_refresh(kind=, ids=)``: embed what changed (the task calls it).

Every read is safe on any user input: empty, 10,000-character or control-character queries give
an empty or sane answer, never an exception.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from . import index as search_index
from .dense import QUERY_MAX_CHARS, default_embedder, passage_text, to_bytes
from .engine import EngineHit
from .models import Embedding, IndexChange, IndexKind
from .text import MAX_QUERY_CHARS, Analyzer, QueryTerm, clean, stem, words

if TYPE_CHECKING:
    from ksf.evidence.models import Evidence
    from ksf.needs.models import Need

logger = logging.getLogger(__name__)

MAX_LIMIT = 50
#: Threshold of the lexical-only need similarity (BM25 of the stored need divided by BM25 of the
#: text against itself), used when there are no vectors (SEARCH_EMBEDDINGS off, or a need not
#: embedded yet). From ``python -m bench.duplicates`` (the bm25 row): best-F1 threshold on the
#: Norwegian dev set, rounded up for precision.
LEXICAL_SIMILAR_THRESHOLD = 0.5
SNIPPET_WORDS = 32
ANSWER_EXCERPT_CHARS = 300
EMBED_BATCH = 64
#: With the immediate task backend (no worker), a change of more records than this is not
#: embedded inline (a bulk import would stall for minutes): it is found by BM25 until
#: ``manage.py search_reindex --embed`` or the search demo loader embeds it.
INLINE_EMBED_MAX = 32


def embeddings_enabled() -> bool:
    return bool(getattr(settings, "SEARCH_EMBEDDINGS", True))


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One evidence record found: the record, its score, and text with the matched words marked."""

    evidence: Evidence
    score: float
    snippet: SafeString
    title_html: SafeString
    matched_terms: tuple[str, ...] = ()
    bm25_score: float = 0.0
    dense_score: float | None = None

    @property
    def evidence_id(self) -> int:
        return int(self.evidence.pk)


@dataclass(frozen=True)
class NeedHit:
    """One need found (or similar): status, answer excerpt, score and why it matched."""

    need: Need
    score: float
    snippet: SafeString
    title_html: SafeString
    matched_terms: tuple[str, ...] = ()
    dense_score: float | None = None
    answer_excerpt: str = ""

    @property
    def need_id(self) -> int:
        return int(self.need.pk)

    @property
    def public_id(self) -> str:
        return str(self.need.public_id)

    @property
    def status(self) -> str:
        return str(self.need.status)

    @property
    def status_label(self) -> str:
        return str(self.need.get_status_display())

    @property
    def similarity_percent(self) -> int:
        return max(0, min(100, round(self.score * 100)))

    def __int__(self) -> int:
        # ksf.needs.selectors ranks a queryset by `int(hit)` for each hit.
        return self.need_id


# --- input hygiene ------------------------------------------------------------------------------


def clean_query(query: Any) -> str:
    """Control characters removed, whitespace collapsed, cut at MAX_QUERY_CHARS on a word."""
    if query is None:
        return ""
    if not isinstance(query, str):
        query = str(query)
    return clean(query, MAX_QUERY_CHARS)


def _limit(limit: Any, default: int = 20) -> int:
    try:
        value = int(limit)
    except (TypeError, ValueError):
        value = default
    return max(0, min(value, MAX_LIMIT))


# --- query vectors ------------------------------------------------------------------------------

_qvec_cache: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()


def _query_vector(text: str) -> npt.NDArray[np.float32] | None:
    """The e5 "query:" vector of a text (small LRU cache), or None when embeddings are off/failing."""
    if not embeddings_enabled() or not text:
        return None
    key = text[:QUERY_MAX_CHARS]
    hit = _qvec_cache.get(key)
    if hit is not None:
        _qvec_cache.move_to_end(key)
        return hit
    try:
        vec = np.asarray(default_embedder().embed_queries([key])[0], np.float32)
    except Exception:  # noqa: BLE001 - no model, no dense half: BM25 still answers
        logger.exception("query embedding failed; lexical search only")
        return None
    _qvec_cache[key] = vec
    if len(_qvec_cache) > 256:
        _qvec_cache.popitem(last=False)
    return vec


# --- snippets -----------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)


def _wanted_terms(qterms: Sequence[QueryTerm]) -> set[str]:
    wanted: set[str] = set()
    for qt in qterms:
        wanted.update(qt.terms)
        wanted.update(qt.part_terms)
    return wanted


def _word_matches(word: str, wanted: set[str], analyzer: Analyzer) -> bool:
    w = word.lower()
    if len(w) < 2 and not w.isdigit():
        return False
    if stem(w, "no") in wanted or stem(w, "en") in wanted:
        return True
    return any(part in wanted for part in analyzer.decompounder.split(w))


def highlight(
    text: str,
    qterms: Sequence[QueryTerm],
    analyzer: Analyzer,
    *,
    max_words: int | None = None,
    memo: dict[str, bool] | None = None,
) -> SafeString:
    """HTML-escaped text with the words that match the query in <mark>; with `max_words`, the
    window of that many words holding the most matches, with "…" where it was cut.

    `memo` (word -> matches) may be shared by the calls of one query (same `qterms`), so each
    distinct word is stemmed and split once per request, not once per occurrence.
    """
    text = clean(text, 20_000)
    if not text:
        return mark_safe("")
    wanted = _wanted_terms(qterms)
    tokens = list(_TOKEN_RE.finditer(text))
    if wanted:
        seen: dict[str, bool] = {} if memo is None else memo
        hits: list[bool] = []
        for m in tokens:
            word = m.group(0)
            hit = seen.get(word)
            if hit is None:
                hit = seen[word] = _word_matches(word, wanted, analyzer)
            hits.append(hit)
    else:
        hits = [False] * len(tokens)
    start_tok, end_tok = 0, len(tokens)
    if max_words is not None and len(tokens) > max_words:
        run = sum(hits[:max_words])
        best, best_at = run, 0
        for i in range(1, len(tokens) - max_words + 1):
            run += hits[i + max_words - 1] - hits[i - 1]
            if run > best:
                best, best_at = run, i
        # start a little before the first match so it reads as a sentence
        start_tok = max(0, best_at - 3) if best > 0 else 0
        end_tok = min(len(tokens), start_tok + max_words)
    begin = tokens[start_tok].start() if tokens and start_tok > 0 else 0
    finish = tokens[end_tok - 1].end() if tokens and end_tok < len(tokens) else len(text)
    out: list[str] = ["… " if begin > 0 else ""]
    pos = begin
    for i in range(start_tok, end_tok):
        if hits[i]:  # escaping is per character, so the text between marks is escaped in one go
            m = tokens[i]
            out.append(html.escape(text[pos : m.start()]))
            out.append(f"<mark>{html.escape(m.group(0))}</mark>")
            pos = m.end()
    out.append(html.escape(text[pos:finish]))
    if finish < len(text):
        out.append(" …")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text above is escaped


def _answer_excerpt(answer: str) -> str:
    return clean(answer, ANSWER_EXCERPT_CHARS) + ("…" if len(clean(answer)) > ANSWER_EXCERPT_CHARS else "")


# --- evidence -----------------------------------------------------------------------------------


def _evidence_filters(filters: dict[str, Any] | None) -> dict[str, Any]:
    """Caller filters (source, type, language, year_from/year_to or year_min/year_max, year)."""
    out: dict[str, Any] = {}
    for key, value in (filters or {}).items():
        if value in (None, "", []):
            continue
        if key in ("source", "language"):
            out[key] = [str(v).lower() for v in value] if isinstance(value, (list, tuple)) else str(value).lower()
        elif key in ("type", "evidence_type"):
            out["type"] = value
        elif key in ("year_from", "year_min"):
            out["year_min"] = value
        elif key in ("year_to", "year_max"):
            out["year_max"] = value
        elif key == "year":
            out["year"] = value
    return out


def results_version() -> str:
    """Changes whenever the results of `search_evidence` or `search_needs` for an anonymous
    visitor may change: the state of this process's two indexes (synced as a search would) and
    the needs' data version (status, answer and municipality shown with each hit)."""
    from ksf.needs.selectors import data_version

    state = (search_index.evidence_index().state(), search_index.need_index().state(), data_version())
    return hashlib.sha1(repr(state).encode(), usedforsecurity=False).hexdigest()[:16]


def search_evidence(query: str, *, filters: dict[str, Any] | None = None, limit: int = 20) -> list[Hit]:
    """Evidence for a free-text query (Norwegian or English), best first."""
    from ksf.evidence.models import Evidence

    q = clean_query(query)
    n = _limit(limit)
    if not q or n == 0:
        return []
    try:
        idx = search_index.evidence_index()
        engine = idx.engine
        qvec = _query_vector(q) if engine.vectors.n_vectors else None
        mode = "hybrid" if qvec is not None else "bm25"
        hits = engine.search(q, filters=_evidence_filters(filters), limit=n, mode=mode, query_vector=qvec)
        records = Evidence.objects.in_bulk([h.doc_id for h in hits])
        qterms = engine.lexical.analyzer.query_terms(q)
        analyzer = engine.lexical.analyzer
    except Exception:  # noqa: BLE001 - search must never break a page
        logger.exception("search_evidence failed")
        return []
    out: list[Hit] = []
    memo: dict[str, bool] = {}
    for h in hits:
        record = records.get(h.doc_id)
        if record is None:  # deleted since the last sync
            continue
        title = f"{record.title} / {record.title_no}" if record.title_no else record.title
        out.append(
            Hit(
                evidence=record,
                score=h.score,
                snippet=highlight(record.abstract, qterms, analyzer, max_words=SNIPPET_WORDS, memo=memo),
                title_html=highlight(title, qterms, analyzer, memo=memo),
                matched_terms=h.matched_terms,
                bm25_score=h.bm25_score,
                dense_score=h.dense_score,
            )
        )
    return out


# --- needs --------------------------------------------------------------------------------------


def need_text(need: Need) -> str:
    """What "the same need" is judged on: title and question."""
    return f"{need.title}. {need.question}".strip()


def _need_filters(filters: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (filters or {}).items():
        if value in (None, "", []):
            continue
        if key in ("status", "service_area"):
            out[key] = value
        elif key == "region":
            out["region"] = [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)
    return out


def _visible(hits: Sequence[EngineHit], user: Any, queryset: QuerySet[Need] | None) -> dict[int, Need]:
    """The hit needs this user may see (one query), by id."""
    from ksf.needs.access import visible_needs

    qs = queryset if queryset is not None else visible_needs(user)
    ids = [h.doc_id for h in hits]
    return {int(n.pk): n for n in qs.filter(pk__in=ids).select_related("municipality", "region")}


def _is_anonymous(user: Any) -> bool:
    return user is None or not getattr(user, "is_authenticated", False)


def _need_hits(hits: Sequence[EngineHit], needs: dict[int, Need], q: str, limit: int) -> list[NeedHit]:
    idx = search_index.get_index(IndexKind.NEED)
    analyzer = idx.engine.lexical.analyzer
    qterms = analyzer.query_terms(q)
    memo: dict[str, bool] = {}
    out: list[NeedHit] = []
    for h in hits:
        need = needs.get(h.doc_id)
        if need is None:
            continue
        out.append(
            NeedHit(
                need=need,
                score=h.score,
                snippet=highlight(need.question, qterms, analyzer, max_words=SNIPPET_WORDS, memo=memo),
                title_html=highlight(need.title, qterms, analyzer, memo=memo),
                matched_terms=h.matched_terms,
                dense_score=h.dense_score,
                answer_excerpt=_answer_excerpt(need.answer) if need.answer else "",
            )
        )
        if len(out) >= limit:
            break
    return out


def search_needs(
    query: str,
    *,
    filters: dict[str, Any] | None = None,
    limit: int = 20,
    user: Any = None,
    queryset: QuerySet[Need] | None = None,
) -> list[NeedHit]:
    """Needs for a free-text query that `user` may see (or that are in `queryset`), best first.

    With `queryset` (the needs list page's seam) the queryset decides visibility and up to
    200 ranked hits come back; ``int(hit)`` is the need's id.
    """
    q = clean_query(query)
    n = 200 if queryset is not None else _limit(limit)
    if not q or n == 0:
        return []
    try:
        idx = search_index.need_index()
        engine = idx.engine
        engine_filters = _need_filters(filters)
        if queryset is None and _is_anonymous(user):
            engine_filters["public"] = "1"
        qvec = _query_vector(q) if engine.vectors.n_vectors else None
        mode = "hybrid" if qvec is not None else "bm25"
        fetch = n if (queryset is None and _is_anonymous(user)) else min(200, n * 3 + 20)
        hits = engine.search(q, filters=engine_filters, limit=fetch, mode=mode, query_vector=qvec)
        needs = _visible(hits, user, queryset)
        return _need_hits(hits, needs, q, n)
    except Exception:  # noqa: BLE001
        logger.exception("search_needs failed")
        return []


def similar_needs(
    text: str | Need,
    *,
    exclude_public_id: str | None = None,
    limit: int = 5,
    user: Any = None,
) -> list[NeedHit]:
    """Existing needs that are probably the same need as `text`, most similar first.

    Quiet (empty) unless a need passes the calibrated threshold. Only needs `user` may see.
    A Need may be given instead of text: its title and question are used, and it is excluded.
    """
    from ksf.needs.models import Need

    if isinstance(text, Need):
        exclude_public_id = exclude_public_id or text.public_id
        text = need_text(text)
    q = clean_query(text)
    n = _limit(limit, 5)
    if not q or n == 0 or len(words(q)) < 2:
        return []
    try:
        idx = search_index.need_index()
        engine = idx.engine
        exclude: list[int] = []
        if exclude_public_id:
            exclude = list(Need.objects.filter(public_id=str(exclude_public_id)[:20]).values_list("pk", flat=True))
        engine_filters: dict[str, Any] = {"public": "1"} if _is_anonymous(user) else {}
        fetch = n if _is_anonymous(user) else min(200, n * 4 + 20)
        found: dict[int, EngineHit] = {}
        qvec = _query_vector(q) if engine.vectors.n_vectors else None
        if qvec is not None:
            for h in engine.similar(q, limit=fetch, exclude_ids=exclude, filters=engine_filters, query_vector=qvec):
                found[h.doc_id] = h
        # Needs without a vector (embeddings off, or not embedded yet) are judged lexically;
        # when every need has a vector that pass could add nothing, so it is skipped.
        if qvec is None or engine.vectors.n_vectors < len(engine):
            for h in engine.similar(
                q, limit=fetch, exclude_ids=exclude, filters=engine_filters, threshold=LEXICAL_SIMILAR_THRESHOLD
            ):
                if h.doc_id not in found and (qvec is None or not idx.has_vector(h.doc_id)):
                    found[h.doc_id] = h
        hits = sorted(found.values(), key=lambda h: -h.score)
        needs = _visible(hits, user, None)
        return _need_hits(hits, needs, q, n)
    except Exception:  # noqa: BLE001
        logger.exception("similar_needs failed")
        return []


def candidate_needs(need: Need, *, user: Any = None, limit: int = 5) -> list[NeedHit]:
    """Possible duplicates of a need (for its page)."""
    return similar_needs(need, exclude_public_id=need.public_id, limit=limit, user=user)


# --- writes: change log and embeddings ----------------------------------------------------------


def _log_changes(kind: str, ids: Iterable[int]) -> list[int]:
    unique = sorted({int(i) for i in ids if i is not None})
    if not unique:
        return []
    now = timezone.now()
    IndexChange.objects.bulk_create([IndexChange(kind=kind, object_id=pk, created_at=now) for pk in unique])
    if unique[0] % 50 == 0:  # now and then, not on every write
        IndexChange.objects.filter(created_at__lt=now - search_index.LOG_KEEP).delete()
    search_index.mark_dirty(kind)
    return unique


def _runs_inline() -> bool:
    """True when tasks run in the calling process (the embedded default: no worker)."""
    backend = str(getattr(settings, "TASKS", {}).get("default", {}).get("BACKEND", ""))
    return backend.endswith("ImmediateBackend")


def _queue_embedding(kind: str, ids: list[int]) -> None:
    if not ids or not embeddings_enabled():
        return
    from .tasks import embed_records

    limit = int(getattr(settings, "SEARCH_INLINE_EMBED_MAX", INLINE_EMBED_MAX))
    if len(ids) > limit and _runs_inline():
        logger.info("%d %s records not embedded inline; run `manage.py search_reindex --embed`", len(ids), kind)
        return

    def enqueue(chunk: list[int]) -> None:
        transaction.on_commit(lambda: embed_records.enqueue(kind=kind, ids=chunk))

    for start in range(0, len(ids), 256):
        enqueue(ids[start : start + 256])


def evidence_changed(ids: Iterable[int]) -> None:
    """Evidence records were created, changed or deleted (call after commit)."""
    try:
        logged = _log_changes(IndexKind.EVIDENCE, ids)
        _queue_embedding(IndexKind.EVIDENCE, logged)
    except Exception:  # noqa: BLE001 - the record is saved; the fingerprint sync still finds it
        logger.exception("evidence_changed failed")


def need_changed(ids: Iterable[int]) -> None:
    """Needs were created, changed (text or status) or deleted (call after commit)."""
    try:
        logged = _log_changes(IndexKind.NEED, ids)
        _queue_embedding(IndexKind.NEED, logged)
    except Exception:  # noqa: BLE001
        logger.exception("need_changed failed")


def embedding_text(kind: str, obj: Any) -> str:
    """What is embedded: for evidence its titles and the start of the abstract (``passage:``
    form; dense.py measured title + first sentences as good as more, and far cheaper); for a
    need its title and question (``query:`` form on both sides, as the threshold was calibrated)."""
    if kind == IndexKind.EVIDENCE:
        title = f"{obj.title}. {obj.title_no}" if obj.title_no else obj.title
        return passage_text(title, obj.abstract)
    return clean(need_text(obj), QUERY_MAX_CHARS)


def _text_hash(text: str) -> str:
    return hashlib.sha256(f"{search_index.MODEL_VERSION}|{text}".encode()).hexdigest()


@dataclass
class EmbedReport:
    embedded: int = 0
    unchanged: int = 0
    removed: int = 0
    ids: list[int] = field(default_factory=list)


def embeddings_refresh(
    *, kind: str, ids: Sequence[int] | None = None, batch_size: int = EMBED_BATCH, deadline: float | None = None
) -> EmbedReport:
    """Embed the given records (all when `ids` is None) whose text changed since their vector was
    made; drop vectors of deleted records. Logs the changes so every process picks them up.

    `deadline` (time.monotonic()) stops after the batch that passes it; what is left is embedded
    next time (unchanged texts are skipped), so a time-boxed run is safe to repeat."""
    from ksf.evidence.models import Evidence
    from ksf.needs.models import Need

    model: Any = Evidence if kind == IndexKind.EVIDENCE else Need
    report = EmbedReport()
    qs = model.objects.order_by("pk")
    if ids is not None:
        wanted = sorted({int(i) for i in ids})
        qs = qs.filter(pk__in=wanted)
        gone = set(wanted) - set(qs.values_list("pk", flat=True))
        if gone:
            report.removed, _ = Embedding.objects.filter(kind=kind, object_id__in=gone).delete()
    else:
        report.removed, _ = Embedding.objects.filter(kind=kind).exclude(object_id__in=model.objects.values("pk")).delete()
    embedder = default_embedder()
    pending: list[tuple[int, str, str]] = []

    def flush() -> None:
        if not pending:
            return
        texts = [t for _pk, t, _h in pending]
        vecs = embedder.embed_passages(texts) if kind == IndexKind.EVIDENCE else embedder.embed_queries(texts)
        now = timezone.now()
        rows = [
            Embedding(kind=kind, object_id=pk, model_version=search_index.MODEL_VERSION, vector=to_bytes(vec), text_hash=h, updated_at=now)
            for (pk, _t, h), vec in zip(pending, vecs, strict=True)
        ]
        with transaction.atomic():
            Embedding.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["kind", "object_id"],
                update_fields=["model_version", "vector", "text_hash", "updated_at"],
            )
            IndexChange.objects.bulk_create([IndexChange(kind=kind, object_id=pk, created_at=now) for pk, _t, _h in pending])
        report.embedded += len(pending)
        report.ids.extend(pk for pk, _t, _h in pending)
        pending.clear()
        search_index.mark_dirty(kind)

    for start_chunk in _chunks(qs, 1000):
        if deadline is not None and time.monotonic() > deadline:
            break
        hashes = dict(
            Embedding.objects.filter(kind=kind, object_id__in=[o.pk for o in start_chunk], model_version=search_index.MODEL_VERSION).values_list(
                "object_id", "text_hash"
            )
        )
        for obj in start_chunk:
            text = embedding_text(kind, obj)
            digest = _text_hash(text)
            if hashes.get(obj.pk) == digest:
                report.unchanged += 1
                continue
            pending.append((int(obj.pk), text, digest))
            if len(pending) >= batch_size:
                flush()
                if deadline is not None and time.monotonic() > deadline:
                    return report
    flush()
    return report


def _chunks(qs: QuerySet[Any], size: int) -> Iterable[list[Any]]:
    """Model objects in id order, `size` at a time (keyset pagination: safe at 200k rows)."""
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def index_status() -> list[dict[str, Any]]:
    return [search_index.get_index(kind).status() for kind in (IndexKind.EVIDENCE, IndexKind.NEED)]
