"""Choose the format of an uploaded evidence file and parse it, within the size limit."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from .medline import parse_medline
from .pubmed_xml import parse_pubmed_xml
from .records import DEFAULT_MAX_BYTES, DEFAULT_MAX_ERRORS, Collector, ParseResult, TooManyErrors
from .ris import parse_ris
from .tabular import parse_csv, parse_json

HEAD_BYTES = 4096


class EvidenceFormat(StrEnum):
    PUBMED_XML = "pubmed_xml"
    MEDLINE = "medline"
    RIS = "ris"
    CSV = "csv"
    JSON = "json"


FORMAT_NAMES_NB = {
    EvidenceFormat.PUBMED_XML: "PubMed XML",
    EvidenceFormat.MEDLINE: "PubMed/MEDLINE-tekst (.nbib)",
    EvidenceFormat.RIS: "RIS",
    EvidenceFormat.CSV: "CSV",
    EvidenceFormat.JSON: "JSON",
}

_PARSERS: dict[EvidenceFormat, Callable[[bytes, Collector], None]] = {
    EvidenceFormat.PUBMED_XML: parse_pubmed_xml,
    EvidenceFormat.MEDLINE: parse_medline,
    EvidenceFormat.RIS: parse_ris,
    EvidenceFormat.CSV: parse_csv,
    EvidenceFormat.JSON: parse_json,
}

_EXTENSIONS = {
    ".xml": EvidenceFormat.PUBMED_XML,
    ".nbib": EvidenceFormat.MEDLINE,
    ".medline": EvidenceFormat.MEDLINE,
    ".ris": EvidenceFormat.RIS,
    ".csv": EvidenceFormat.CSV,
    ".json": EvidenceFormat.JSON,
}
_RIS_RE = re.compile(rb"^TY {1,2}- ", re.MULTILINE)
_MEDLINE_RE = re.compile(rb"^PMID- ?\d", re.MULTILINE)


def detect_format(filename: str, head_bytes: bytes) -> EvidenceFormat | None:
    """The file's format from its first bytes, or failing that its extension; None if unknown.

    Content wins over the extension because PubMed and databases save MEDLINE and RIS as .txt.
    """
    head = head_bytes.lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<"):
        return EvidenceFormat.PUBMED_XML
    if head.startswith((b"[", b"{")):
        return EvidenceFormat.JSON
    if _RIS_RE.search(head):
        return EvidenceFormat.RIS
    if _MEDLINE_RE.search(head):
        return EvidenceFormat.MEDLINE
    return _EXTENSIONS.get(Path(filename).suffix.lower())


def _format_size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",") + " MB"


def _read(source: str | os.PathLike[str] | bytes | BinaryIO, max_bytes: int) -> tuple[bytes | None, int]:
    """The file's bytes, or None and the size if it is over `max_bytes` (checked before reading)."""
    if isinstance(source, bytes):
        return (source, len(source)) if len(source) <= max_bytes else (None, len(source))
    if isinstance(source, (str, os.PathLike)):
        size = os.path.getsize(source)
        if size > max_bytes:
            return None, size
        return Path(source).read_bytes(), size
    # A binary stream (an upload): read one byte past the limit to know it is too big.
    data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        declared = getattr(source, "size", None)  # Django's UploadedFile knows its full size
        return None, declared if isinstance(declared, int) else len(data)
    return data, len(data)


def parse_file(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    filename: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_errors: int = DEFAULT_MAX_ERRORS,
    file_format: EvidenceFormat | None = None,
) -> ParseResult:
    """Parse an evidence file: a path, the bytes, or a binary stream.

    `filename` names the file in messages (default: the path's last part) and helps detect the
    format unless `file_format` is given. Every error found is reported, up to `max_errors`;
    records that parsed are returned even when there are errors – importing them or not is the
    caller's decision (the import service imports nothing from a file with errors).
    """
    if filename is None:
        filename = os.fspath(source) if isinstance(source, (str, os.PathLike)) else "opplastet fil"
    display_name = Path(filename).name or filename
    collector = Collector(display_name, max_errors=max_errors)

    data, size = _read(source, max_bytes)
    if data is None:
        collector.error(
            f"fila er {_format_size(size)}, som er over grensen på {_format_size(max_bytes)}. "
            "Del den opp i mindre filer."
        )
        return collector.finish()
    if not data.lstrip(b"\xef\xbb\xbf").strip():
        collector.error("fila er tom.")
        return collector.finish()

    chosen = file_format or detect_format(filename, data[:HEAD_BYTES])
    if chosen is None:
        known = ", ".join(FORMAT_NAMES_NB.values())
        collector.error(f"ukjent filformat. Bruk {known}.")
        return collector.finish()
    try:
        _PARSERS[chosen](data, collector)
    except TooManyErrors:
        pass
    return collector.finish()
