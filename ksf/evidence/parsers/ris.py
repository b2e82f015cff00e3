"""RIS reader (reference managers, Ovid, Embase, Epistemonikos and most databases export it).

A record runs from `TY  - ` to `ER  -`. Lines that are not tag lines continue the previous field
(some exporters wrap long abstracts). A record that never reaches `ER` – a cut-off file or a
missing line – is an error naming the record and the line where it started.
"""

from __future__ import annotations

import re
from typing import Any

from .records import Collector, decode_text, split_lines

# Two-character tag, two spaces (some exporters write one), a dash, then the value.
_TAG_RE = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*))?$")

_PUBMED_LINK_RE = re.compile(r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/)(\d{1,9})\b")

_TITLE_TAGS = ("TI", "T1", "CT", "BT")
_ABSTRACT_TAGS = ("AB", "N2")
_AUTHOR_TAGS = ("AU", "A1")
_YEAR_TAGS = ("PY", "Y1", "DA", "Y2")
_JOURNAL_TAGS = ("JF", "JO", "T2", "JA", "J2", "J1", "T3")

_TYPE_NAMES = {
    "JOUR": "Journal Article",
    "JFULL": "Journal",
    "ABST": "Abstract",
    "BOOK": "Book",
    "CHAP": "Book Section",
    "CONF": "Conference Proceeding",
    "CPAPER": "Conference Paper",
    "RPRT": "Report",
    "THES": "Thesis",
    "ELEC": "Web Page",
    "GEN": "Generic",
    "GOVDOC": "Government Document",
    "STAND": "Standard",
    "DATA": "Dataset",
    "EJOUR": "Electronic Article",
}


def _first(fields: dict[str, list[str]], tags: tuple[str, ...]) -> str:
    for tag in tags:
        for value in fields.get(tag, []):
            if value.strip():
                return value
    return ""


def _to_raw(fields: dict[str, list[str]]) -> dict[str, Any]:
    urls = [u for value in fields.get("UR", []) for u in value.split() if u.startswith("http")]
    doi = _first(fields, ("DO",))
    if not doi:
        doi = next((u for u in urls if "doi.org/10." in u), "")
    pmid = ""
    database = " ".join(fields.get("DB", []) + fields.get("DP", [])).lower()
    if "pubmed" in database or "medline" in database:
        pmid = _first(fields, ("AN",))
    if not pmid:
        # Lens.org and others list the PubMed page among the links (L2, UR).
        links = " ".join(fields.get("UR", []) + fields.get("L2", []))
        match = _PUBMED_LINK_RE.search(links)
        pmid = match.group(1) if match else ""
    keywords = [k.strip() for value in fields.get("KW", []) for k in value.split(";")]
    type_code = _first(fields, ("TY",)).strip().upper()
    publication_types = [_TYPE_NAMES.get(type_code, type_code)] if type_code else []
    publication_types += fields.get("M3", [])
    return {
        "title": _first(fields, _TITLE_TAGS) or _first(fields, ("ST",)),
        "abstract": _first(fields, _ABSTRACT_TAGS),
        "authors": [a for tag in _AUTHOR_TAGS for a in fields.get(tag, [])],
        "year": _first(fields, _YEAR_TAGS),
        "journal": _first(fields, _JOURNAL_TAGS),
        "doi": doi,
        "pmid": pmid,
        "url": urls[0] if urls else "",
        "language": _first(fields, ("LA",)),
        "publication_types": publication_types,
        "keywords": keywords,
    }


def parse_ris(data: bytes, collector: Collector) -> None:
    text = decode_text(data, collector)
    if text is None:
        return
    record_no = 0
    start_line = 0
    fields: dict[str, list[str]] | None = None
    last_tag = ""

    def finish() -> None:
        assert fields is not None
        record = collector.build_record(_to_raw(fields), record_no=record_no, line=start_line)
        if record is not None:
            collector.result.records.append(record)

    lines = split_lines(text)
    line_count = len(lines)
    for line_no, line in enumerate(lines, start=1):
        match = _TAG_RE.match(line)
        if match is None:
            if not line.strip():
                continue
            if fields is not None and last_tag:
                # A wrapped line continues the previous value.
                fields[last_tag][-1] += " " + line.strip()
                continue
            collector.error(
                f"linjen «{line.strip()[:60]}» hører ikke til noen post (ventet «TY  - »).",
                line=line_no,
            )
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "TY":
            if fields is not None:
                collector.error(
                    f"mangler ER-linje før neste post starter på linje {line_no}.",
                    record_no=record_no,
                    line=start_line,
                )
            record_no += 1
            start_line = line_no
            fields = {"TY": [value]}
            last_tag = "TY"
        elif fields is None:
            collector.error(f"feltet «{tag}» står utenfor en post (mangler «TY  - » foran).", line=line_no)
        elif tag == "ER":
            finish()
            fields = None
            last_tag = ""
        else:
            fields.setdefault(tag, []).append(value)
            last_tag = tag

    if fields is not None:
        collector.error(
            f"mangler ER-linje – fila ser ut til å være avkortet (slutter på linje {line_count}).",
            record_no=record_no,
            line=start_line,
        )
    elif record_no == 0 and not collector.result.errors:
        collector.error("fant ingen RIS-poster (ingen linje som starter med «TY  - »).")
