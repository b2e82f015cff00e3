"""Bulk import: counts on the real samples, re-imports that update, all-or-nothing, limits."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from ksf.evidence import services
from ksf.evidence.models import Evidence, ImportRun, ImportStatus
from ksf.evidence.services import evidence_import_file

from .conftest import DEMO_JSON, MEDLINE, PUBMED_ONE, PUBMED_XML, RIS, json_file

pytestmark = pytest.mark.django_db


def test_ris_sample_imports_99_records_and_warns_about_the_one_repeated_in_the_file():
    report = evidence_import_file(source=RIS)
    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (99, 0, 1)
    assert Evidence.objects.count() == 99
    repeated = [w for w in report.warnings if "samme kilde som post" in w]
    assert len(repeated) == 1
    assert "asreview_baseline.ris" in repeated[0] and "post 100" in repeated[0] and "post 91" in repeated[0]
    run = ImportRun.objects.get()
    assert (run.status, run.created, run.file_format, run.filename) == (ImportStatus.OK, 99, "ris", "asreview_baseline.ris")


def test_reimporting_the_same_file_creates_and_updates_nothing():
    evidence_import_file(source=RIS)
    again = evidence_import_file(source=RIS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 100)
    assert Evidence.objects.count() == 99


@pytest.mark.parametrize(("path", "count", "fmt"), [(PUBMED_XML, 4, "pubmed_xml"), (PUBMED_ONE, 1, "pubmed_xml"), (MEDLINE, 4, "medline")])
def test_pubmed_and_medline_samples_import_every_record(path, count, fmt):
    report = evidence_import_file(source=path)
    assert report.ok and report.created == count
    assert all(e.pmid for e in Evidence.objects.all())
    assert ImportRun.objects.get().file_format == fmt


def test_demo_set_imports_with_norwegian_titles_and_cochrane_ids():
    report = evidence_import_file(source=DEMO_JSON)
    assert report.ok and report.created == 42
    falls = Evidence.objects.get(doi="10.1002/14651858.cd012424.pub2")
    assert falls.cochrane_id == "CD012424"
    assert falls.source == "cochrane" and falls.title_no.startswith("Trening for å forebygge fall")
    # The RIS sample overlaps the demo set; importing it afterwards keeps the Norwegian titles.
    evidence_import_file(source=RIS)
    overlapping = Evidence.objects.get(doi="10.1186/s40798-018-0157-9")
    assert overlapping.title_no.startswith("Effekten av tiltak med aktivitetsmålere")
    assert Evidence.objects.count() == 42 + 99 - 19


def test_reimport_with_the_same_doi_updates_the_record():
    evidence_import_file(source=json_file({"title": "Old title of a review on falls", "doi": "10.1000/abc"}), filename="a.json")
    report = evidence_import_file(
        source=json_file({"title": "New title of a review on falls", "doi": "https://doi.org/10.1000/ABC", "year": 2020}),
        filename="b.json",
    )
    assert (report.created, report.updated) == (0, 1)
    evidence = Evidence.objects.get()
    assert (evidence.title, evidence.year) == ("New title of a review on falls", 2020)
    assert evidence.title_key == "new title of a review on falls"


def test_reimport_without_doi_matches_on_pmid():
    evidence_import_file(source=json_file({"title": "Review of home care", "pmid": "123456", "abstract": "Old."}), filename="a.json")
    report = evidence_import_file(
        source=json_file({"title": "Review of home care services", "pmid": "123456", "abstract": "New."}), filename="b.json"
    )
    assert (report.created, report.updated) == (0, 1)
    assert Evidence.objects.get().abstract == "New."


def test_reimport_without_identifiers_matches_on_normalised_title():
    evidence_import_file(source=json_file({"title": "Exercise for preventing falls: a review", "abstract": "Old."}), filename="a.json")
    report = evidence_import_file(
        source=json_file({"title": "EXERCISE for preventing falls – a review.", "abstract": "New.", "doi": "10.1000/x1"}),
        filename="b.json",
    )
    assert (report.created, report.updated) == (0, 1)
    evidence = Evidence.objects.get()
    assert (evidence.abstract, evidence.doi) == ("New.", "10.1000/x1")


def test_doi_wins_over_title_when_they_point_to_different_records():
    evidence_import_file(source=json_file(
        {"title": "First review about dementia screening", "doi": "10.1000/one"},
        {"title": "Second review about dementia screening", "doi": "10.1000/two"},
    ), filename="a.json")
    report = evidence_import_file(
        source=json_file({"title": "Second review about dementia screening", "doi": "10.1000/one", "year": 2019}),
        filename="b.json",
    )
    assert (report.created, report.updated) == (0, 1)
    assert Evidence.objects.get(doi="10.1000/one").year == 2019
    assert Evidence.objects.get(doi="10.1000/two").year is None


def test_same_title_with_another_doi_is_treated_as_the_same_work_and_not_overwritten():
    evidence_import_file(source=json_file({"title": "Intra-arterial angiotensin II review", "doi": "10.1000/article"}), filename="a.json")
    report = evidence_import_file(
        source=json_file({"title": "Intra-arterial angiotensin II review", "doi": "10.1000/conference"}), filename="b.json"
    )
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert "annen DOI" in report.warnings[0] and "b.json" in report.warnings[0]
    assert Evidence.objects.get().doi == "10.1000/article"


def test_new_cochrane_review_version_updates_the_record_and_an_older_one_does_not():
    evidence_import_file(source=json_file(
        {"title": "Exercise for preventing falls in older people", "doi": "10.1002/14651858.CD012424.pub2", "pmid": "111"}
    ), filename="v2.json")
    report = evidence_import_file(source=json_file(
        {"title": "Exercise for preventing falls in older people living in the community",
         "doi": "10.1002/14651858.CD012424.pub3", "pmid": "222"}
    ), filename="v3.json")
    assert (report.created, report.updated) == (0, 1)
    evidence = Evidence.objects.get()
    assert (evidence.doi, evidence.pmid, evidence.cochrane_id) == ("10.1002/14651858.cd012424.pub3", "222", "CD012424")
    older = evidence_import_file(source=json_file(
        {"title": "Exercise for preventing falls in older people", "doi": "10.1002/14651858.CD012424.pub2", "pmid": "111"}
    ), filename="v2.json")
    assert (older.created, older.updated, older.unchanged) == (0, 0, 1)
    assert "eldre versjon" in older.warnings[0]
    assert Evidence.objects.get().doi.endswith(".pub3")


def test_a_guessed_source_does_not_overwrite_a_given_one():
    evidence_import_file(source=json_file({"title": "Hjemmerehabilitering", "doi": "10.1000/fhi", "source": "FHI",
                                           "type": "knowledge_summary"}), filename="fhi.json")
    ris = b"TY  - JOUR\r\nTI  - Hjemmerehabilitering\r\nDO  - 10.1000/fhi\r\nPY  - 2021\r\nER  - \r\n"
    report = evidence_import_file(source=ris, filename="fra-database.ris")
    assert report.updated == 1
    evidence = Evidence.objects.get()
    assert (evidence.source, evidence.evidence_type, evidence.year) == ("fhi", "knowledge_summary", 2021)


def test_a_broken_file_imports_nothing_and_names_file_and_record():
    data = json_file(
        {"title": "A good record", "doi": "10.1000/good"},
        {"doi": "10.1000/no-title"},
    )
    report = evidence_import_file(source=data, filename="liste.json")
    assert not report.ok
    assert Evidence.objects.count() == 0
    assert any("«liste.json»" in e and "post 2" in e and "tittel" in e for e in report.errors)
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED and run.errors == report.errors


def test_a_truncated_ris_file_imports_nothing():
    data = RIS.read_bytes()
    report = evidence_import_file(source=data[: len(data) // 2], filename="avkuttet.ris")
    assert not report.ok
    assert Evidence.objects.count() == 0
    assert any("avkuttet.ris" in e for e in report.errors)


def test_an_oversized_file_is_refused_before_it_is_read(settings):
    settings.MAX_IMPORT_FILE_BYTES = 1000
    report = evidence_import_file(source=RIS)
    assert not report.ok
    assert "over grensen" in report.errors[0] and "asreview_baseline.ris" in report.errors[0]
    assert Evidence.objects.count() == 0


def test_an_xml_bomb_is_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>&lol3;"
        b"</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    )
    report = evidence_import_file(source=bomb, filename="bombe.xml")
    assert not report.ok and "bombe.xml" in report.errors[0]
    assert Evidence.objects.count() == 0


def test_an_empty_file_is_refused_with_a_message():
    report = evidence_import_file(source=b"", filename="tom.csv")
    assert not report.ok and "tom.csv" in report.errors[0]


def test_the_search_index_is_told_about_created_and_changed_records_only(monkeypatch, django_capture_on_commit_callbacks):
    told: list[list[int]] = []
    monkeypatch.setattr(services, "_index_changed", told.append)
    with django_capture_on_commit_callbacks(execute=True):
        evidence_import_file(source=json_file({"title": "Review one about falls", "doi": "10.1000/1"},
                                              {"title": "Review two about falls", "doi": "10.1000/2"}), filename="a.json")
    assert sorted(told[0]) == sorted(Evidence.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        evidence_import_file(source=json_file({"title": "Review one about falls", "doi": "10.1000/1"},
                                              {"title": "Review two about falls, revised", "doi": "10.1000/2"}), filename="b.json")
    assert told[1] == [Evidence.objects.get(doi="10.1000/2").pk]
    with django_capture_on_commit_callbacks(execute=True):
        evidence_import_file(source=json_file({"title": "Review one about falls", "doi": "10.1000/1"}), filename="c.json")
    assert len(told) == 2  # nothing changed, nothing to index


def test_management_command_imports_files_and_fails_on_a_broken_one(tmp_path, capsys):
    call_command("import_evidence", str(MEDLINE), "--no-progress")
    assert Evidence.objects.count() == 4
    broken = tmp_path / "broken.json"
    broken.write_bytes(json_file({"doi": "10.1000/x"}))
    with pytest.raises(CommandError):
        call_command("import_evidence", str(broken), "--no-progress")
    assert "broken.json" in capsys.readouterr().err
