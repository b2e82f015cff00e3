"""The search engine behind ``ksf.search.services``: one in-process hybrid index.

``HybridIndex`` keeps a BM25 index (``lexical``) and a vector index (``dense``) over the same
integer slots, plus per-slot metadata for filters, and answers

- ``search(query, filters=..., limit=...)``: evidence search, BM25 + dense fused (``fusion``);
- ``similar(text, limit=..., exclude_ids=...)``: "is this the same need?" - a calibrated
  similarity with a threshold, quiet when nothing is really similar.

Documents are keyed by the caller's integer id. ``upsert`` never rewrites a slot: a changed
document gets a fresh slot and the old one is marked dead, so BM25's main segment stays valid;
``compact`` renumbers slots once many are dead. No Django imports: the Django side feeds it.
Every public method is safe on any input (empty, huge or control-character queries give
sane answers, never exceptions) and guarded by one lock, so web threads can share an index.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from . import fusion
from .dense import DIM, Embedder, VectorIndex
from .lexical import LexicalIndex, matched_words, release_free_memory, top_k
from .text import MAX_QUERY_CHARS, Analyzer, QueryTerm, clean

#: Cosine (e5 "query:" form on both sides) at or above which two needs are "the same question".
#: Calibrated with ``python -m bench.duplicates``: the best-F1 threshold was 0.906 on the English
#: question pairs and 0.909 on our Norwegian dev set; we round up to favour precision (the box
#: must stay quiet when nothing is really the same need).
SIMILAR_THRESHOLD = 0.91
#: Share of self-normalised BM25 mixed into the need similarity. 0: measured, every share > 0
#: lowered ROC AUC on both duplicate sets (related-but-different needs share their words).
SIMILAR_LEXICAL_SHARE = 0.0
CANDIDATES = 100
_VEC_BLOCK = 8192  # rows per block while bulk-loading vectors
MAX_LIMIT = 200


@dataclass(frozen=True)
class EngineHit:
    """One ranked result; scores are for display and debugging, ``score`` orders the list."""

    doc_id: int
    score: float
    bm25_score: float
    dense_score: float | None
    matched_terms: tuple[str, ...] = ()


@dataclass
class DocRecord:
    """Input for ``HybridIndex.bulk_load``."""

    doc_id: int
    title: str
    text: str = ""
    vector: npt.ArrayLike | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


class _Meta:
    """Per-slot metadata columns: categorical strings as int codes, 'year' as int16."""

    def __init__(self) -> None:
        self.codes: dict[str, dict[str, int]] = {}
        self.cols: dict[str, npt.NDArray[np.int32]] = {}
        self.year: npt.NDArray[np.int16] = np.zeros(0, np.int16)

    def ensure(self, n: int) -> None:
        if n <= len(self.year):
            return
        cap = max(n, int(len(self.year) * 1.5) + 64)
        self.year = np.concatenate([self.year, np.zeros(cap - len(self.year), np.int16)])
        for k, col in self.cols.items():
            self.cols[k] = np.concatenate([col, np.full(cap - len(col), -1, np.int32)])

    def set(self, slot: int, meta: Mapping[str, Any]) -> None:
        self.ensure(slot + 1)
        for key, value in meta.items():
            if key == "year":
                try:
                    self.year[slot] = int(value) if value else 0
                except (TypeError, ValueError):
                    self.year[slot] = 0
                continue
            if value is None or isinstance(value, (list, tuple, dict)):
                continue
            col = self.cols.get(key)
            if col is None:
                col = self.cols[key] = np.full(len(self.year), -1, np.int32)
                self.codes[key] = {}
            codes = self.codes[key]
            code = codes.setdefault(str(value), len(codes))
            col[slot] = code

    def get(self, slot: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if slot < len(self.year) and self.year[slot]:
            out["year"] = int(self.year[slot])
        for key, col in self.cols.items():
            if slot < len(col) and col[slot] >= 0:
                inverse = {v: k for k, v in self.codes[key].items()}
                out[key] = inverse[int(col[slot])]
        return out

    def mask(self, filters: Mapping[str, Any] | None, n: int) -> npt.NDArray[np.bool_] | None:
        """Boolean slot mask for `filters`, or None when nothing filters."""
        if not filters:
            return None
        self.ensure(n)
        m = np.ones(n, np.bool_)
        active = False
        for key, value in filters.items():
            if value is None or value == "" or value == []:
                continue
            if key in ("year_min", "year_max", "year"):
                lo, hi = _year_bounds(key, value)
                year = self.year[:n]
                if lo is not None:
                    m &= year >= lo
                    active = True
                if hi is not None:
                    m &= (year <= hi) & (year > 0)
                    active = True
                continue
            wanted = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
            codes = self.codes.get(key, {})
            wanted_codes = [codes[str(v)] for v in wanted if str(v) in codes]
            col = self.cols.get(key)
            active = True
            if col is None or not wanted_codes:
                m[:] = False  # filtering on a value nobody has: nothing matches
                continue
            m &= np.isin(col[:n], wanted_codes)
        return m if active else None

    def renumber(self, mapping: npt.NDArray[np.int64], n_new: int) -> None:
        old = np.nonzero(mapping >= 0)[0]
        old = old[old < len(self.year)]
        year = np.zeros(max(n_new, 1), np.int16)
        year[mapping[old]] = self.year[old]
        self.year = year
        for key, col in self.cols.items():
            new = np.full(max(n_new, 1), -1, np.int32)
            o = old[old < len(col)]
            new[mapping[o]] = col[o]
            self.cols[key] = new


def _year_bounds(key: str, value: Any) -> tuple[int | None, int | None]:
    def as_int(v: Any) -> int | None:
        try:
            return int(v) if v not in (None, "") else None
        except (TypeError, ValueError):
            return None

    if key == "year_min":
        return as_int(value), None
    if key == "year_max":
        return None, as_int(value)
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return as_int(value[0]), as_int(value[1])
    y = as_int(value)
    return y, y


class HybridIndex:
    """BM25 + dense vectors + metadata over integer document ids."""

    def __init__(
        self,
        *,
        embedder: Embedder | None = None,
        analyzer: Analyzer | None = None,
        title_weight: float = 2.0,
        fusion_method: str = "weighted",
        alpha: float = fusion.DEFAULT_ALPHA,
        similar_threshold: float = SIMILAR_THRESHOLD,
        similar_lexical_share: float = SIMILAR_LEXICAL_SHARE,
    ) -> None:
        self.embedder = embedder
        self.lexical = LexicalIndex(analyzer or Analyzer(), title_weight=title_weight)
        self.vectors = VectorIndex(DIM)
        self.meta = _Meta()
        self.fusion_method = fusion_method
        self.alpha = alpha
        self.similar_threshold = similar_threshold
        self.similar_lexical_share = similar_lexical_share
        self._slot_of: dict[int, int] = {}
        self._doc_of: npt.NDArray[np.int64] = np.zeros(0, np.int64)
        self._next_slot = 0
        self._lock = threading.RLock()
        self._qvec_cache: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()

    # ------------------------------------------------------------------ writes
    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._slot_of

    def _new_slot(self, doc_id: int) -> int:
        slot = self._next_slot
        self._next_slot += 1
        if slot >= len(self._doc_of):
            grow = max(64, len(self._doc_of) // 2)
            self._doc_of = np.concatenate([self._doc_of, np.full(grow, -1, np.int64)])
        self._doc_of[slot] = doc_id
        self._slot_of[doc_id] = slot
        return slot

    def _kill(self, doc_id: int) -> None:
        slot = self._slot_of.pop(doc_id, None)
        if slot is None:
            return
        self.lexical.remove(slot)
        self.vectors.remove(slot)
        self._doc_of[slot] = -1

    def upsert(
        self,
        doc_id: int,
        title: str,
        text: str = "",
        vector: npt.ArrayLike | None = None,
        meta: Mapping[str, Any] | None = None,
        *,
        embed: bool = False,
    ) -> None:
        """Add or replace a document. Without a vector it is found by BM25 only, until
        ``set_vector`` (or ``embed=True`` with an embedder, which embeds inline)."""
        meta = dict(meta or {})
        if vector is None and embed and self.embedder is not None:
            from .dense import passage_text

            vector = self.embedder.embed_passages([passage_text(title, text)])[0]
        with self._lock:
            old = self._slot_of.get(doc_id)
            keep_vec = self.vectors.get(old) if (old is not None and vector is None) else None
            self._kill(doc_id)
            slot = self._new_slot(doc_id)
            self.lexical.add(slot, clean(title, 2000), clean(text, 100_000), meta.get("language"))
            vec = vector if vector is not None else keep_vec
            if vec is not None and np.asarray(vec).size == DIM:
                self.vectors.set(slot, vec)
            else:
                self.vectors.set(slot, None)
            self.meta.set(slot, meta)
            self._maybe_compact()

    def set_vector(self, doc_id: int, vector: npt.ArrayLike | None) -> None:
        """Attach (or clear) the dense vector of an indexed document."""
        with self._lock:
            slot = self._slot_of.get(doc_id)
            if slot is not None:
                ok = vector is not None and np.asarray(vector).size == DIM
                self.vectors.set(slot, vector if ok else None)

    def remove(self, doc_id: int) -> None:
        with self._lock:
            self._kill(doc_id)
            self._maybe_compact()

    def bulk_load(self, records: Iterable[DocRecord]) -> None:
        """Replace the whole index with `records` (vectorised build, the fast path)."""
        with self._lock:
            self._slot_of = {}
            self._doc_of = np.zeros(0, np.int64)
            self._next_slot = 0
            self.vectors = VectorIndex(DIM)
            self.meta = _Meta()
            self._qvec_cache.clear()
            # vectors are gathered in fixed-size float32 blocks (not a list of 200k small arrays
            # and then a copy of them all): the build's peak memory is about 2x the matrix
            blocks: list[tuple[list[int], npt.NDArray[np.float32]]] = []

            def gen() -> Iterable[tuple[int, str, str, str | None]]:
                for r in records:
                    if r.doc_id in self._slot_of:
                        self._kill(r.doc_id)
                    slot = self._new_slot(r.doc_id)
                    self.meta.set(slot, r.meta)
                    if r.vector is not None:
                        v = np.asarray(r.vector, np.float32)
                        if v.size == DIM:
                            if not blocks or len(blocks[-1][0]) == _VEC_BLOCK:
                                blocks.append(([], np.empty((_VEC_BLOCK, DIM), np.float32)))
                            block_slots, block = blocks[-1]
                            block[len(block_slots)] = v.reshape(DIM)
                            block_slots.append(slot)
                    lang = r.meta.get("language") if r.meta else None
                    yield slot, clean(r.title, 2000), clean(r.text, 100_000), lang

            self.lexical.bulk_build(gen())
            for slot in np.nonzero(self._doc_of[: self._next_slot] < 0)[0]:
                self.lexical.remove(int(slot))  # replaced duplicates within the batch
            self.vectors._ensure(self._next_slot)
            while blocks:
                block_slots, block = blocks.pop(0)
                self.vectors.set_many(block_slots, block[: len(block_slots)])
            for slot in np.nonzero(self._doc_of[: self._next_slot] < 0)[0]:
                self.vectors.remove(int(slot))  # so n_vectors counts live documents only
            release_free_memory()

    def _maybe_compact(self) -> None:
        dead = self._next_slot - len(self._slot_of)
        if dead > 10_000 and dead > len(self._slot_of) // 4:
            self.compact()

    def compact(self) -> None:
        """Renumber live documents into consecutive slots (drops dead postings and rows)."""
        with self._lock:
            n_old = self._next_slot
            mapping = np.full(max(n_old, self.lexical.n_slots, self.vectors.n_slots, 1), -1, np.int64)
            live = np.nonzero(self._doc_of[:n_old] >= 0)[0]
            mapping[live] = np.arange(len(live))
            n_new = len(live)
            self.lexical.renumber(mapping, n_new)
            self.vectors.renumber(mapping, n_new)
            self.meta.renumber(mapping, n_new)
            doc_of = self._doc_of[live]
            self._doc_of = np.concatenate([doc_of, np.full(64, -1, np.int64)])
            self._slot_of = {int(d): i for i, d in enumerate(doc_of)}
            self._next_slot = n_new

    # ------------------------------------------------------------------ reads
    def _query_vector(self, query: str) -> npt.NDArray[np.float32] | None:
        if self.embedder is None or self.vectors.n_vectors == 0:
            return None
        hit = self._qvec_cache.get(query)
        if hit is not None:
            self._qvec_cache.move_to_end(query)
            return hit
        try:
            vec = np.asarray(self.embedder.embed_queries([query])[0], np.float32)
        except (RuntimeError, OSError, ValueError):  # embedder failure: degrade to BM25
            return None
        self._qvec_cache[query] = vec
        if len(self._qvec_cache) > 256:
            self._qvec_cache.popitem(last=False)
        return vec

    def _alive_mask(self, filters: Mapping[str, Any] | None) -> npt.NDArray[np.bool_]:
        n = self._next_slot
        alive = self._doc_of[:n] >= 0
        fm = self.meta.mask(filters, n)
        return alive if fm is None else alive & fm[:n]

    def search(
        self,
        query: str,
        *,
        filters: Mapping[str, Any] | None = None,
        limit: int = 10,
        mode: str = "hybrid",
        query_vector: npt.ArrayLike | None = None,
    ) -> list[EngineHit]:
        """Ranked documents for a free-text query. ``mode`` is 'hybrid', 'bm25' or 'dense'."""
        q = clean(query, MAX_QUERY_CHARS)
        limit = max(0, min(int(limit or 0), MAX_LIMIT))
        if not q or limit == 0 or not self._slot_of:
            return []
        qvec: npt.NDArray[np.float32] | None = None
        if mode != "bm25":
            qvec = np.asarray(query_vector, np.float32) if query_vector is not None else self._query_vector(q)
        with self._lock:
            n = self._next_slot
            mask = self._alive_mask(filters)
            qterms = self.lexical.analyzer.query_terms(q)
            bm25_all, word_postings = self.lexical.score(qterms)
            bm25_all = bm25_all[:n]
            dense_all = self.vectors.scores(qvec)[:n] if qvec is not None else None
            if dense_all is not None and len(dense_all) < n:
                dense_all = np.concatenate([dense_all, np.zeros(n - len(dense_all), np.float32)])
            bm25_m = np.where(mask, bm25_all, 0.0).astype(np.float32)
            if mode == "bm25" or dense_all is None:
                slots = top_k(bm25_m, limit)
                slots = slots[bm25_m[slots] > 0]
                fused = bm25_m[slots]
            else:
                has_vec = self.vectors._has[:n] & mask
                dense_m = np.where(has_vec, dense_all, -1.0).astype(np.float32)
                if mode == "dense":
                    slots = top_k(dense_m, limit)
                    slots = slots[dense_m[slots] > -1.0]
                    fused = dense_m[slots]
                else:
                    c_b = top_k(bm25_m, CANDIDATES)
                    c_b = c_b[bm25_m[c_b] > 0]
                    c_d = top_k(dense_m, CANDIDATES)
                    c_d = c_d[dense_m[c_d] > -1.0]
                    cand = np.unique(np.concatenate([c_b, c_d]))
                    alpha = fusion.lexical_weight(self.alpha, self.lexical.known_fraction(qterms))
                    dense_c = np.where(has_vec[cand], dense_all[cand], float(dense_m[c_d].min()) if len(c_d) else 0.0)
                    fs = fusion.fuse(
                        cand, bm25_m[cand], dense_c.astype(np.float32), method=self.fusion_method, alpha=alpha
                    )
                    order = np.argsort(-fs, kind="stable")[:limit]
                    slots, fused = cand[order], fs[order]
            matched = matched_words(slots, word_postings)
            return [
                EngineHit(
                    doc_id=int(self._doc_of[s]),
                    score=float(f),
                    bm25_score=float(bm25_all[s]),
                    dense_score=float(dense_all[s]) if dense_all is not None and self.vectors.has(int(s)) else None,
                    matched_terms=tuple(m),
                )
                for s, f, m in zip(slots, fused, matched, strict=True)
            ]

    def similarity_scores(
        self, text: str, *, query_vector: npt.ArrayLike | None = None
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32] | None]:
        """(need similarity per slot, dense cosine per slot or None) - exposed for the bench.

        The lexical part is BM25 divided by the query's BM25 against itself, so it is in [0, 1]
        and means the same thing whatever the corpus: "how much of this need's wording is there".
        """
        q = clean(text, MAX_QUERY_CHARS)
        sims, dense, _, _ = self._similarity(q, query_vector, self.lexical.analyzer.query_terms(q))
        return sims, dense

    def _similarity(
        self, q: str, query_vector: npt.ArrayLike | None, qterms: Sequence[QueryTerm]
    ) -> tuple[
        npt.NDArray[np.float32],
        npt.NDArray[np.float32] | None,
        npt.NDArray[np.float32] | None,
        list[tuple[str, npt.NDArray[np.int32]]] | None,
    ]:
        """similarity_scores plus, when the lexical part was computed, the raw BM25 and the
        postings of the matched words (so ``similar`` does not score the query twice)."""
        n = self._next_slot
        qvec = np.asarray(query_vector, np.float32) if query_vector is not None else self._query_vector(q)
        share = self.similar_lexical_share if qvec is not None else 1.0
        lex: npt.NDArray[np.float32] | None = None
        bm25: npt.NDArray[np.float32] | None = None
        postings: list[tuple[str, npt.NDArray[np.int32]]] | None = None
        if share > 0:
            bm25, postings = self.lexical.score(qterms)
            scale = self.lexical.self_score(qterms)
            lex = np.minimum(bm25[:n] / scale, 1.0) if scale > 0 else np.zeros(n, np.float32)
            if len(lex) < n:
                lex = np.concatenate([lex, np.zeros(n - len(lex), np.float32)])
        if qvec is None:
            assert lex is not None
            return lex.astype(np.float32), None, bm25, postings
        dense = self.vectors.scores(qvec)[:n]
        if len(dense) < n:
            dense = np.concatenate([dense, np.zeros(n - len(dense), np.float32)])
        if lex is None:
            return dense.astype(np.float32), dense, bm25, postings
        return ((1 - share) * dense + share * lex).astype(np.float32), dense, bm25, postings

    def similar(
        self,
        text: str,
        *,
        limit: int = 5,
        exclude_ids: Sequence[int] = (),
        filters: Mapping[str, Any] | None = None,
        threshold: float | None = None,
        query_vector: npt.ArrayLike | None = None,
    ) -> list[EngineHit]:
        """Documents similar enough to `text` to be "the same need"; empty when none is."""
        q = clean(text, MAX_QUERY_CHARS)
        limit = max(0, min(int(limit or 0), MAX_LIMIT))
        if not q or limit == 0 or not self._slot_of:
            return []
        thr = self.similar_threshold if threshold is None else threshold
        with self._lock:
            qterms = self.lexical.analyzer.query_terms(q)
            sims, dense, bm25_all, word_postings = self._similarity(q, query_vector, qterms)
            n = len(sims)
            mask = self._alive_mask(filters)[:n]
            if dense is not None:
                mask = mask & self.vectors._has[:n]
            for d in exclude_ids:
                s = self._slot_of.get(int(d))
                if s is not None and s < n:
                    mask[s] = False
            sims_m = np.where(mask, sims, -np.inf).astype(np.float32)
            slots = top_k(sims_m, limit)
            slots = slots[sims_m[slots] >= thr]
            if not len(slots):
                return []
            if bm25_all is None or word_postings is None:
                bm25_all, word_postings = self.lexical.score(qterms)
            matched = matched_words(slots, word_postings)
            return [
                EngineHit(
                    doc_id=int(self._doc_of[s]),
                    score=float(sims[s]),
                    bm25_score=float(bm25_all[s]) if s < len(bm25_all) else 0.0,
                    dense_score=float(dense[s]) if dense is not None else None,
                    matched_terms=tuple(m),
                )
                for s, m in zip(slots, matched, strict=True)
            ]

    def get_meta(self, doc_id: int) -> dict[str, Any]:
        slot = self._slot_of.get(doc_id)
        return self.meta.get(slot) if slot is not None else {}
