"""Readers for evidence files: PubMed XML, PubMed MEDLINE text (.nbib), RIS, CSV and JSON.

Pure Python, no Django: `parse_file(path_or_bytes, filename)` returns a `ParseResult` with the
`ParsedRecord`s and every `ParseError` (Norwegian message naming file, record and line), up to a
cap. Deciding what to store is the import service's job.
"""

from .dispatch import FORMAT_NAMES_NB, EvidenceFormat, detect_format, parse_file
from .records import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ERRORS,
    EVIDENCE_SOURCES,
    EVIDENCE_TYPES,
    ParsedRecord,
    ParseError,
    ParseResult,
    ParseWarning,
    clean_text,
    normalise_doi,
    normalise_language,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ERRORS",
    "EVIDENCE_SOURCES",
    "EVIDENCE_TYPES",
    "FORMAT_NAMES_NB",
    "EvidenceFormat",
    "ParseError",
    "ParseResult",
    "ParseWarning",
    "ParsedRecord",
    "clean_text",
    "detect_format",
    "normalise_doi",
    "normalise_language",
    "parse_file",
]
