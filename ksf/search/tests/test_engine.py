"""Tests for the lexical index, fusion and HybridIndex (no model: a fake embedder)."""

import hashlib

import numpy as np

from ksf.search import fusion
from ksf.search.dense import DIM, from_bytes, to_bytes
from ksf.search.engine import DocRecord, HybridIndex
from ksf.search.lexical import LexicalIndex
from ksf.search.text import words


class FakeEmbedder:
    """Bag-of-words hashed into DIM dimensions: similar wording, similar vector."""

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(DIM, np.float32)
        for w in words(text):
            v[int(hashlib.md5(w.encode()).hexdigest(), 16) % DIM] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def embed_queries(self, texts):
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, DIM), np.float32)

    def embed_passages(self, texts):
        return self.embed_queries(texts)


DOCS = [
    (
        1,
        "Trening for å forebygge fall hos eldre",
        "Fall er en vanlig årsak til skade hos eldre.",
        {"language": "nb", "year": 2021, "source": "FHI", "type": "review"},
    ),
    (
        2,
        "Vitamin D for asthma",
        "Vitamin D supplementation in people with asthma.",
        {"language": "en", "year": 2016, "source": "Cochrane", "type": "review"},
    ),
    (
        3,
        "Exercise for preventing falls in older people",
        "Exercise reduces falls in older people.",
        {"language": "en", "year": 2019, "source": "Cochrane", "type": "review"},
    ),
    (
        4,
        "Music therapy for dementia",
        "Music therapy may reduce agitation in dementia.",
        {"language": "en", "year": 2018, "source": "Cochrane", "type": "guideline"},
    ),
]


def make_index(**kw) -> HybridIndex:
    emb = FakeEmbedder()
    ix = HybridIndex(embedder=emb, **kw)
    for doc_id, title, text, meta in DOCS:
        ix.upsert(doc_id, title, text, vector=emb.embed_passages([f"{title} {text}"])[0], meta=meta)
    return ix


def ids(hits):
    return [h.doc_id for h in hits]


def test_compound_query_finds_document_about_fall():
    hits = make_index().search("fallforebygging", mode="bm25")
    assert hits and hits[0].doc_id == 1
    assert "fallforebygging" in hits[0].matched_terms


def test_bm25_ranks_title_match_first():
    lx = LexicalIndex()
    lx.add(0, "Asthma in children", "A review.")
    lx.add(1, "Diabetes", "Asthma was mentioned once among many other words in this long text.")
    assert list(lx.search("asthma").slots) == [0, 1]


def test_bm25_bulk_build_and_incremental_agree():
    docs = [(i, t, x, m.get("language")) for i, (_, t, x, m) in enumerate(DOCS)]
    a, b = LexicalIndex(), LexicalIndex(delta_limit=2)
    a.bulk_build(docs)
    for d in docs:
        b.add(*d)
    ra, rb = a.search("falls older people"), b.search("falls older people")
    assert list(ra.slots) == list(rb.slots)
    assert np.allclose(ra.scores, rb.scores)


def test_update_replaces_old_text():
    ix = make_index()
    ix.upsert(2, "Hand hygiene", "Washing hands in nursing homes.", meta={"language": "en"})
    assert 2 not in ids(ix.search("asthma", mode="bm25"))
    assert ids(ix.search("hand hygiene", mode="bm25"))[0] == 2


def test_remove_drops_document():
    ix = make_index()
    ix.remove(3)
    assert 3 not in ids(ix.search("falls older people"))
    assert len(ix) == 3


def test_many_updates_trigger_compaction_and_keep_results():
    ix = HybridIndex()
    for round_ in range(3):
        for i in range(5000):
            ix.upsert(i, f"document {i}", "common words here", meta={"year": 2000 + round_})
    ix.upsert(10_001, "unique zebra title", "")
    ix.compact()
    assert ids(ix.search("zebra", mode="bm25")) == [10_001]
    assert len(ix) == 5001


def test_filters_on_source_year_type_language():
    ix = make_index()
    assert ids(ix.search("falls", filters={"source": "FHI"})) == [1]
    assert 3 not in ids(ix.search("falls", filters={"year_max": 2018}))
    assert ids(ix.search("dementia", filters={"type": ["guideline"]})) == [4]
    assert ix.search("falls", filters={"source": "nobody"}) == []
    assert set(ids(ix.search("falls", filters={"year": [2019, 2021], "language": "en"}))) == {3}


def test_bad_queries_are_safe():
    ix = make_index()
    assert ix.search("") == []
    assert ix.search("   \x00\x01 ") == []
    assert isinstance(ix.search("fall " * 3000), list)  # 15,000 characters
    assert ix.search("\x00fall\x7f", mode="bm25")[0].doc_id in (1, 3)
    assert ix.similar("") == []


def test_dense_and_hybrid_modes_return_hits():
    ix = make_index()
    assert ids(ix.search("music therapy dementia", mode="dense"))[0] == 4
    assert ids(ix.search("music therapy dementia", mode="hybrid"))[0] == 4


def test_documents_without_vectors_are_still_found_by_bm25():
    ix = make_index()
    ix.upsert(9, "Zebra crossings", "", vector=None)
    assert 9 in ids(ix.search("zebra"))


def test_rrf_prefers_items_ranked_high_by_both():
    fused = fusion.rrf([[1, 2, 3], [2, 1, 3]])
    assert max(fused, key=fused.__getitem__) in (1, 2)
    assert fused[3] < fused[1]


def test_weighted_fusion_normalises_each_method():
    cand = np.array([0, 1, 2])
    out = fusion.fuse(cand, np.array([10.0, 0.0, 5.0], np.float32), np.array([0.80, 0.90, 0.85], np.float32), alpha=0.5)
    assert out.argmax() in (0, 2) and out.min() >= 0.0


def test_language_bias_correction_lowers_bm25_share_for_unknown_words():
    assert fusion.lexical_weight(0.3, 1.0) == 0.3
    assert fusion.lexical_weight(0.3, 0.2) < 0.05


def test_similar_is_quiet_below_threshold_and_explains_matches():
    ix = make_index(similar_threshold=0.99)
    assert ix.similar("completely unrelated words about zebras") == []
    hits = ix.similar("Music therapy for dementia", threshold=0.5)
    assert hits[0].doc_id == 4 and "dementia" in hits[0].matched_terms
    assert ix.similar("Music therapy for dementia", threshold=0.5, exclude_ids=[4]) == [] or 4 not in ids(
        ix.similar("Music therapy for dementia", threshold=0.5, exclude_ids=[4])
    )


def test_vector_bytes_round_trip():
    v = np.random.default_rng(0).standard_normal(DIM).astype(np.float32)
    assert np.array_equal(from_bytes(to_bytes(v)), v)
    assert from_bytes(b"short") is None and from_bytes(None) is None


def test_bulk_load_replaces_index():
    ix = make_index()
    ix.bulk_load([DocRecord(doc_id=7, title="Hand hygiene", text="nursing homes")])
    assert ids(ix.search("hygiene")) == [7] and 1 not in ix
