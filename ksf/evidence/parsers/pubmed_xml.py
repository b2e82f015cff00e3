"""PubMed/MEDLINE XML (`<PubmedArticleSet>`, from PubMed "Save → XML" or E-utilities efetch).

Parsed incrementally with defusedxml, which refuses entity declarations (the "billion laughs"
bomb) and external entities; PubMed files never contain either. The DOCTYPE line PubMed writes
is allowed – it is never fetched.

Markup inside titles and abstracts (`<i>`, `<sub>`, MathML) is flattened to text; whitespace
that pretty-printing puts before `<sub>`/`<sup>` is dropped so "β<sub>2</sub>" reads "β2".
A structured abstract becomes one paragraph per section, "LABEL: text".

After an XML syntax error expat cannot continue, so the rest of the file is checked record by
record, to report every broken record rather than only the first.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from typing import Any

import defusedxml
import defusedxml.ElementTree as DET

from .records import Collector

_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle")
_ROOT_TAGS = ("PubmedArticleSet", "PubmedBookArticleSet")
_INLINE_TIGHT = ("sub", "sup")
_RECORD_START_RE = re.compile(rb"<(PubmedArticle|PubmedBookArticle)[\s>]")


def _flatten(elem: ET.Element | None) -> str:
    if elem is None:
        return ""
    parts: list[str] = [elem.text or ""]
    for child in elem:
        if child.tag in _INLINE_TIGHT and parts:
            parts[-1] = parts[-1].rstrip()
        parts.append(_flatten(child))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def _abstract(abstract: ET.Element | None) -> str:
    if abstract is None:
        return ""
    sections = []
    for part in abstract.findall("AbstractText"):
        text = _flatten(part)
        label = (part.get("Label") or "").strip()
        if label and text:
            text = f"{label}: {text}"
        if text:
            sections.append(text)
    return "\n\n".join(sections)


def _authors(author_list: ET.Element | None) -> list[str]:
    if author_list is None:
        return []
    names = []
    for author in author_list.findall("Author"):
        last = _flatten(author.find("LastName"))
        fore = _flatten(author.find("ForeName")) or _flatten(author.find("Initials"))
        collective = _flatten(author.find("CollectiveName"))
        if last:
            names.append(f"{last}, {fore}" if fore else last)
        elif collective:
            names.append(collective)
    return names


def _year(*dates: ET.Element | None) -> str:
    for date in dates:
        if date is None:
            continue
        year = date.findtext("Year") or date.findtext("MedlineDate") or ""
        if year.strip():
            return year
    return ""


def _article_ids(record: ET.Element) -> dict[str, str]:
    ids: dict[str, str] = {}
    # Only the record's own ids: ReferenceList holds ArticleIdList elements of cited works.
    for article_id in record.findall("PubmedData/ArticleIdList/ArticleId"):
        kind = (article_id.get("IdType") or "").lower()
        if kind and kind not in ids and article_id.text:
            ids[kind] = article_id.text.strip()
    return ids


def _keywords(container: ET.Element) -> list[str]:
    return [_flatten(k) for k in container.findall("KeywordList/Keyword")]


def _article_to_raw(record: ET.Element) -> dict[str, Any]:
    citation = record.find("MedlineCitation")
    if citation is None:
        return {}
    article = citation.find("Article")
    if article is None:
        return {"pmid": citation.findtext("PMID") or ""}
    ids = _article_ids(record)
    pmid = (citation.findtext("PMID") or ids.get("pubmed", "")).strip()
    doi = ids.get("doi", "")
    if not doi:
        for location in article.findall("ELocationID"):
            if location.get("EIdType") == "doi" and location.text:
                doi = location.text
                break
    journal = article.find("Journal")
    pub_date = journal.find("JournalIssue/PubDate") if journal is not None else None
    journal_name = ""
    if journal is not None:
        journal_name = journal.findtext("Title") or journal.findtext("ISOAbbreviation") or ""
    journal_name = journal_name or citation.findtext("MedlineJournalInfo/MedlineTA") or ""
    return {
        "title": _flatten(article.find("ArticleTitle")) or _flatten(article.find("VernacularTitle")),
        "abstract": _abstract(article.find("Abstract")),
        "authors": _authors(article.find("AuthorList")),
        "year": _year(pub_date, article.find("ArticleDate"), citation.find("DateCompleted")),
        "journal": journal_name,
        "doi": doi,
        "pmid": pmid,
        "url": f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid.isdigit() else "",
        "language": article.findtext("Language") or "",
        "publication_types": [_flatten(p) for p in article.findall("PublicationTypeList/PublicationType")],
        "keywords": _keywords(citation),
        "mesh_terms": [_flatten(d) for d in citation.findall("MeshHeadingList/MeshHeading/DescriptorName")],
    }


def _book_to_raw(record: ET.Element) -> dict[str, Any]:
    document = record.find("BookDocument")
    if document is None:
        return {}
    book = document.find("Book")
    ids = {(a.get("IdType") or "").lower(): (a.text or "").strip() for a in document.findall("ArticleIdList/ArticleId")}
    pmid = (document.findtext("PMID") or "").strip()
    title = _flatten(document.find("ArticleTitle"))
    if not title and book is not None:
        title = _flatten(book.find("BookTitle"))
    return {
        "title": title,
        "abstract": _abstract(document.find("Abstract")),
        "authors": _authors(document.find("AuthorList"))
        or _authors(book.find("AuthorList") if book is not None else None),
        "year": _year(book.find("PubDate") if book is not None else None),
        "journal": _flatten(book.find("Publisher/PublisherName")) if book is not None else "",
        "doi": ids.get("doi", ""),
        "pmid": pmid,
        "url": f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid.isdigit() else "",
        "language": document.findtext("Language") or "",
        "publication_types": [_flatten(p) for p in document.findall("PublicationType")],
        "keywords": _keywords(document),
    }


def _syntax_detail(exc: ET.ParseError) -> str:
    line, column = exc.position
    message = str(exc).split(":", 1)[0]
    detail = f"ugyldig XML ({message}, linje {line}, kolonne {column + 1})"
    if message in ("no element found", "unclosed token"):
        detail += " – fila ser ut til å være avkortet"
    return detail + "."


def _security_detail(exc: Exception) -> str:
    if isinstance(exc, DET.EntitiesForbidden) and getattr(exc, "sysid", None) is None:
        return (
            "fila inneholder entitetsdeklarasjoner (<!ENTITY …>). Det er ikke tillatt, fordi "
            "slike kan brukes til en «XML-bombe»; PubMed-filer har aldri dette."
        )
    if isinstance(exc, DET.DTDForbidden):
        return "fila inneholder en dokumenttypedeklarasjon som ikke er tillatt."
    return (
        "fila viser til en ekstern entitet eller fil (SYSTEM/PUBLIC i <!ENTITY …>). Det er ikke "
        "tillatt av sikkerhetshensyn; PubMed-filer har aldri dette."
    )


def _record_starts(data: bytes) -> list[tuple[int, int, int]]:
    """(byte offset, line, column) of every record's start tag, found without parsing."""
    starts = []
    line, counted_to, line_start = 1, 0, 0
    for match in _RECORD_START_RE.finditer(data):
        newlines = data.count(b"\n", counted_to, match.start())
        if newlines:
            line += newlines
            line_start = data.rfind(b"\n", counted_to, match.start()) + 1
        counted_to = match.start()
        starts.append((match.start(), line, match.start() - line_start))
    return starts


def _check_records_one_by_one(
    data: bytes, starts: list[tuple[int, int, int]], first: int, collector: Collector
) -> bool:
    """Parse records `first`… each on its own; report every broken one. True if any was broken."""
    broken = False
    for index in range(first - 1, len(starts)):
        record_no = index + 1
        start, line, column = starts[index]
        end = starts[index + 1][0] if index + 1 < len(starts) else len(data)
        chunk = data[start:end]
        tag = _RECORD_START_RE.match(chunk)
        assert tag is not None
        close = b"</" + tag.group(1) + b">"
        close_at = chunk.find(close)
        if close_at < 0:
            broken = True
            collector.error(
                f"posten er ikke avsluttet (mangler {close.decode()}) – fila kan være avkortet.",
                record_no=record_no,
                line=line,
            )
            continue
        try:
            DET.fromstring(chunk[: close_at + len(close)])
        except ET.ParseError as exc:
            broken = True
            chunk_line, chunk_column = exc.position
            exc.position = (
                line + chunk_line - 1,
                chunk_column + column if chunk_line == 1 else chunk_column,
            )
            collector.error(_syntax_detail(exc), record_no=record_no, line=exc.position[0])
        except defusedxml.DefusedXmlException as exc:
            broken = True
            collector.error(_security_detail(exc), record_no=record_no, line=line)
    return broken


def parse_pubmed_xml(data: bytes, collector: Collector) -> None:
    starts = _record_starts(data)
    depth = 0
    record_no = 0
    events = DET.iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=False)
    try:
        for event, elem in events:
            if event == "start":
                depth += 1
                if depth == 1 and elem.tag not in _ROOT_TAGS:
                    collector.error(
                        f"er XML, men ikke fra PubMed: rotelementet er <{elem.tag}>, ventet <PubmedArticleSet>."
                    )
                    return
                continue
            depth -= 1
            if depth != 1:
                continue
            if elem.tag in _RECORD_TAGS:
                record_no += 1
                line = starts[record_no - 1][1] if record_no <= len(starts) else None
                raw = _article_to_raw(elem) if elem.tag == "PubmedArticle" else _book_to_raw(elem)
                record = collector.build_record(raw, record_no=record_no, line=line)
                if record is not None:
                    collector.result.records.append(record)
            elem.clear()
    except ET.ParseError as exc:
        # Events already parsed in the failing block are lost, so the exact record is found by
        # re-reading the records after the last good one on their own.
        if not _check_records_one_by_one(data, starts, record_no + 1, collector):
            collector.error(_syntax_detail(exc), line=exc.position[0])
        return
    except defusedxml.DefusedXmlException as exc:
        collector.error(_security_detail(exc))
        return
    if record_no == 0:
        collector.error("fant ingen <PubmedArticle>-poster i fila.")
