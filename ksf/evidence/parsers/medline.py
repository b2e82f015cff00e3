"""PubMed's MEDLINE text format (PubMed "Save → PubMed format", `.nbib`, `.txt`).

Each line is a tag of up to four characters, padded to four, then `- ` and the value
(`PMID- 123`, `TI  - Title`); lines indented six spaces continue the previous value. Records are
separated by blank lines and start with `PMID-`.
"""

from __future__ import annotations

import re
from typing import Any

from .records import Collector, decode_text, split_lines

_TAG_RE = re.compile(r"^([A-Z][A-Z0-9 ]{3})- ?(.*)$")
_ID_RE = re.compile(r"^(\S+)\s*\[(\w+)\]$")


def _ids(values: list[str], kind: str) -> list[str]:
    found = []
    for value in values:
        match = _ID_RE.match(value.strip())
        if match and match.group(2).lower() == kind:
            found.append(match.group(1))
    return found


def _mesh_descriptor(heading: str) -> str:
    # "Information Storage and Retrieval/*methods" -> "Information Storage and Retrieval"
    return heading.split("/", 1)[0].lstrip("*").strip()


def _to_raw(fields: dict[str, list[str]]) -> dict[str, Any]:
    def first(*tags: str) -> str:
        return next((v for tag in tags for v in fields.get(tag, []) if v), "")

    pmid = first("PMID")
    dois = _ids(fields.get("AID", []) + fields.get("LID", []), "doi")
    return {
        "title": first("TI", "BTI", "TT"),
        "abstract": first("AB"),
        "authors": fields.get("FAU") or fields.get("AU") or fields.get("CN", []),
        # DP is "2006 Mar 1"; the fallbacks are compact dates like 20060110.
        "year": first("DP") or first("DEP", "DA")[:4],
        "journal": first("JT", "TA"),
        "doi": dois[0] if dois else "",
        "pmid": pmid,
        "url": f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid.isdigit() else "",
        "language": first("LA"),
        "publication_types": fields.get("PT", []),
        "keywords": fields.get("OT", []),
        "mesh_terms": [_mesh_descriptor(h) for h in fields.get("MH", [])],
    }


def parse_medline(data: bytes, collector: Collector) -> None:
    text = decode_text(data, collector)
    if text is None:
        return
    record_no = 0
    start_line = 0
    fields: dict[str, list[str]] | None = None
    last_tag = ""

    def finish() -> None:
        if fields is not None:
            record = collector.build_record(_to_raw(fields), record_no=record_no, line=start_line)
            if record is not None:
                collector.result.records.append(record)

    for line_no, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            finish()
            fields, last_tag = None, ""
            continue
        if line.startswith("      ") and fields is not None and last_tag:
            fields[last_tag][-1] += " " + line.strip()
            continue
        match = _TAG_RE.match(line)
        if match is None:
            collector.error(
                f"linjen «{line.strip()[:60]}» er verken et felt («XXXX- ») eller en "
                "fortsettelseslinje (seks mellomrom).",
                record_no=record_no or None,
                line=line_no,
            )
            continue
        tag, value = match.group(1).strip(), match.group(2).strip()
        if tag == "PMID" and fields:
            # Some tools join records without the blank line; a second PMID starts a new one.
            finish()
            fields = None
        if fields is None:
            record_no += 1
            start_line = line_no
            fields = {}
            if tag != "PMID":
                collector.warning("posten starter ikke med PMID-linje.", record_no=record_no, line=line_no)
        fields.setdefault(tag, []).append(value)
        last_tag = tag
    finish()
    if record_no == 0 and not collector.result.errors:
        collector.error("fant ingen MEDLINE-poster (ingen linje som starter med «PMID- »).")
