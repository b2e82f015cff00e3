"""The parsed record, the error/warning types and the field cleaning every format shares.

Each format parser turns its input into raw field dictionaries and hands them to
`Collector.build_record`, which cleans the text (control characters out, whitespace collapsed),
normalises DOI, PMID, year and language, cuts over-long fields with a warning, and refuses a
record without a title. Messages are Norwegian (bokmål) and always name the file, and the record
and line where known.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import unquote

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_ERRORS = 50
MAX_WARNINGS = 200

# Longest accepted value per text field (characters); longer values are cut with a warning.
FIELD_LIMITS: dict[str, int] = {
    "title": 1000,
    "title_no": 1000,
    "abstract": 20_000,
    "journal": 500,
    "url": 2000,
    "certainty": 200,
}
ITEM_LIMIT = 255  # one author, keyword, publication type or MeSH term
LIST_LIMITS: dict[str, int] = {
    "authors": 500,
    "keywords": 100,
    "mesh_terms": 100,
    "publication_types": 30,
}

FIELD_NAMES_NB: dict[str, str] = {
    "title": "tittel",
    "title_no": "norsk tittel",
    "abstract": "sammendrag",
    "authors": "forfattere",
    "year": "år",
    "journal": "tidsskrift",
    "doi": "DOI",
    "pmid": "PMID",
    "url": "URL",
    "language": "språk",
    "publication_types": "publikasjonstyper",
    "keywords": "emneord",
    "mesh_terms": "MeSH-termer",
    "source": "kilde",
    "evidence_type": "type",
    "certainty": "tillit til resultatet",
    "cochrane_id": "Cochrane-ID",
}

# Who published the evidence, and what kind it is; values of the `source` and `type` fields of
# CSV/JSON imports (matched case-insensitively). Kept in step with the Evidence model's choices.
EVIDENCE_SOURCES = ("cochrane", "fhi", "sbu", "epistemonikos", "prospero", "helsebiblioteket", "other")
EVIDENCE_TYPES = ("systematic_review", "knowledge_summary", "hta", "guideline", "other")

# ISO 639-2 (bibliographic and terminology codes, as PubMed and RIS exports use them) and
# language names in English and Norwegian, to ISO 639-1.
_LANGUAGE_CODES: dict[str, str] = {
    "eng": "en", "english": "en", "engelsk": "en",
    "nor": "no", "norwegian": "no", "norsk": "no",
    "nob": "nb", "bokmål": "nb", "bokmal": "nb", "norwegian bokmål": "nb",
    "nno": "nn", "nynorsk": "nn", "norwegian nynorsk": "nn",
    "swe": "sv", "swedish": "sv", "svensk": "sv",
    "dan": "da", "danish": "da", "dansk": "da",
    "fin": "fi", "finnish": "fi", "finsk": "fi",
    "ice": "is", "isl": "is", "icelandic": "is", "islandsk": "is",
    "ger": "de", "deu": "de", "german": "de", "tysk": "de",
    "fre": "fr", "fra": "fr", "french": "fr", "fransk": "fr",
    "spa": "es", "spanish": "es", "spansk": "es",
    "ita": "it", "italian": "it", "italiensk": "it",
    "por": "pt", "portuguese": "pt", "portugisisk": "pt",
    "dut": "nl", "nld": "nl", "dutch": "nl", "nederlandsk": "nl",
    "pol": "pl", "polish": "pl", "polsk": "pl",
    "rus": "ru", "russian": "ru", "russisk": "ru",
    "chi": "zh", "zho": "zh", "chinese": "zh", "kinesisk": "zh",
    "jpn": "ja", "japanese": "ja", "japansk": "ja",
    "kor": "ko", "korean": "ko",
    "ara": "ar", "arabic": "ar", "arabisk": "ar",
    "tur": "tr", "turkish": "tr", "tyrkisk": "tr",
    "cze": "cs", "ces": "cs", "czech": "cs",
    "gre": "el", "ell": "el", "greek": "el",
    "heb": "he", "hebrew": "he",
    "hun": "hu", "hungarian": "hu",
    "per": "fa", "fas": "fa", "persian": "fa",
    "sme": "se", "northern sami": "se", "nordsamisk": "se", "samisk": "se",
}  # fmt: skip
_ISO_639_1 = frozenset(_LANGUAGE_CODES.values())

_DOI_PREFIX_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|doi\s+)", re.IGNORECASE)
_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
_COCHRANE_DOI_RE = re.compile(r"^10\.1002/14651858\.(cd\d{6})", re.IGNORECASE)
_COCHRANE_ID_RE = re.compile(r"^CD\d{6}$")
_YEAR_RE = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d|2100)(?!\d)")
_CONTROL_CHARS = {
    cp: None for cp in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), 0xFEFF, 0xFFFE, 0xFFFF] if chr(cp) not in "\t\n"
}


@dataclass
class ParsedRecord:
    """One evidence record read from a file; strings are "" and numbers None when absent."""

    record_no: int
    line: int | None = None
    title: str = ""
    title_no: str = ""
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str = ""
    doi: str = ""
    pmid: str = ""
    url: str = ""
    language: str = ""
    publication_types: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    mesh_terms: list[str] = field(default_factory=list)
    # Only CSV/JSON carry these; see EVIDENCE_SOURCES and EVIDENCE_TYPES.
    source: str = ""
    evidence_type: str = ""
    certainty: str = ""
    cochrane_id: str = ""


def _where(file: str, record_no: int | None, line: int | None) -> str:
    where = f"Fila «{file}»"
    if record_no is not None:
        where += f", post {record_no}"
        if line is not None:
            where += f" (linje {line})"
    elif line is not None:
        where += f", linje {line}"
    return where


@dataclass(frozen=True)
class ParseError:
    """A problem that makes the file unfit for import; `message_nb` is the whole sentence."""

    file: str
    record_no: int | None
    line: int | None
    message_nb: str

    @classmethod
    def build(cls, file: str, record_no: int | None, line: int | None, detail: str) -> Self:
        return cls(file, record_no, line, f"{_where(file, record_no, line)}: {detail}")

    def __str__(self) -> str:
        return self.message_nb


@dataclass(frozen=True)
class ParseWarning(ParseError):
    """Something the parser changed or ignored; the file can still be imported."""


@dataclass
class ParseResult:
    """What `parse_file` found. The importer imports nothing if `errors` is not empty."""

    records: list[ParsedRecord] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class TooManyErrors(Exception):
    """Raised inside a parser when the error cap is reached; `parse_file` stops there."""


def clean_text(value: object, *, multiline: bool = False) -> str:
    """Text without control characters, NFC-normalised, whitespace collapsed.

    With `multiline`, blank lines (paragraph breaks) are kept as one empty line.
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value).replace("\r\n", "\n").replace("\r", "\n"))
    text = text.translate(_CONTROL_CHARS)
    if not multiline:
        return " ".join(text.split())
    paragraphs = (" ".join(part.split()) for part in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


def normalise_doi(value: str) -> str | None:
    """Lower-case DOI without resolver prefix ("https://doi.org/", "doi:"), or None if not a DOI."""
    doi = clean_text(value)
    if not doi:
        return ""
    stripped = _DOI_PREFIX_RE.sub("", doi)
    if stripped != doi:
        stripped = unquote(stripped)
    doi = stripped.strip().rstrip(".").lower()
    return doi if _DOI_RE.match(doi) else None


def normalise_language(value: str) -> str | None:
    """ISO 639-1 code for a language code or name ("eng" -> "en", "nob" -> "nb"), "" if empty."""
    key = clean_text(value).lower()
    if not key:
        return ""
    if key in _ISO_639_1:
        return key
    return _LANGUAGE_CODES.get(key)


def parse_year(value: object) -> int | None:
    """The first plausible four-digit year in `value` ("2012 Jan", "2012/05/03/"), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1500 <= value <= 2100 else None
    match = _YEAR_RE.search(clean_text(value))
    return int(match.group(1)) if match else None


def cochrane_id_from_doi(doi: str) -> str:
    match = _COCHRANE_DOI_RE.match(doi)
    return match.group(1).upper() if match else ""


class Collector:
    """Gathers errors and warnings for one file and builds records from raw fields."""

    def __init__(self, file: str, *, max_errors: int = DEFAULT_MAX_ERRORS) -> None:
        self.file = file
        self.max_errors = max_errors
        self.result = ParseResult()
        self._dropped_warnings = 0

    def error(self, detail: str, *, record_no: int | None = None, line: int | None = None) -> None:
        errors = self.result.errors
        errors.append(ParseError.build(self.file, record_no, line, detail))
        if len(errors) >= self.max_errors:
            errors.append(
                ParseError.build(
                    self.file,
                    None,
                    None,
                    f"stanset etter {self.max_errors} feil; rett disse og last opp fila på nytt.",
                )
            )
            raise TooManyErrors

    def warning(self, detail: str, *, record_no: int | None = None, line: int | None = None) -> None:
        if len(self.result.warnings) >= MAX_WARNINGS:
            self._dropped_warnings += 1
            return
        self.result.warnings.append(ParseWarning.build(self.file, record_no, line, detail))

    def finish(self) -> ParseResult:
        if self._dropped_warnings:
            self.result.warnings.append(
                ParseWarning.build(self.file, None, None, f"{self._dropped_warnings} flere merknader er ikke vist.")
            )
        return self.result

    def _text(self, raw: Mapping[str, Any], name: str, record_no: int, line: int | None) -> str:
        text = clean_text(raw.get(name), multiline=name == "abstract")
        limit = FIELD_LIMITS.get(name)
        if limit is not None and len(text) > limit:
            self.warning(
                f"feltet «{FIELD_NAMES_NB[name]}» er avkortet fra {len(text)} til {limit} tegn.",
                record_no=record_no,
                line=line,
            )
            text = text[: limit - 1].rstrip() + "…"
        return text

    def _list(self, raw: Mapping[str, Any], name: str, record_no: int, line: int | None) -> list[str]:
        values = raw.get(name) or []
        if isinstance(values, str):
            values = [values]
        items: list[str] = []
        cut = False
        for value in values if isinstance(values, Iterable) else [values]:
            item = clean_text(value)
            if len(item) > ITEM_LIMIT:
                item, cut = item[: ITEM_LIMIT - 1].rstrip() + "…", True
            if item and item not in items:
                items.append(item)
        limit = LIST_LIMITS[name]
        label = FIELD_NAMES_NB[name]
        if cut:
            self.warning(
                f"en verdi i «{label}» var lengre enn {ITEM_LIMIT} tegn og er avkortet.",
                record_no=record_no,
                line=line,
            )
        if len(items) > limit:
            self.warning(
                f"«{label}» har {len(items)} verdier; bare de første {limit} er tatt med.",
                record_no=record_no,
                line=line,
            )
            items = items[:limit]
        return items

    def build_record(self, raw: Mapping[str, Any], *, record_no: int, line: int | None = None) -> ParsedRecord | None:
        """Clean and check one record's raw fields; None (with an error) if it cannot be used.

        `raw` holds the ParsedRecord field names; strings, lists of strings, or an int year.
        """
        where: dict[str, Any] = {"record_no": record_no, "line": line}
        record = ParsedRecord(record_no=record_no, line=line)
        for name in ("title", "title_no", "abstract", "journal", "url", "certainty"):
            setattr(record, name, self._text(raw, name, record_no, line))
        for name in ("authors", "keywords", "mesh_terms", "publication_types"):
            setattr(record, name, self._list(raw, name, record_no, line))

        raw_year = raw.get("year")
        if raw_year not in (None, ""):
            record.year = parse_year(raw_year)
            if record.year is None:
                self.warning(f"ugyldig år «{clean_text(raw_year)[:40]}» er ignorert.", **where)

        raw_doi = clean_text(raw.get("doi"))
        doi = normalise_doi(raw_doi)
        if doi is None:
            self.warning(f"«{raw_doi[:80]}» er ikke en DOI og er ignorert.", **where)
        else:
            record.doi = doi

        pmid = clean_text(raw.get("pmid"))
        if pmid:
            if pmid.isascii() and pmid.isdigit() and len(pmid) <= 9:
                record.pmid = pmid.lstrip("0") or "0"
            else:
                self.warning(f"«{pmid[:40]}» er ikke en gyldig PMID og er ignorert.", **where)

        raw_language = clean_text(raw.get("language"))
        language = normalise_language(raw_language)
        if language is None:
            self.warning(f"ukjent språk «{raw_language[:40]}» er ignorert.", **where)
        else:
            record.language = language

        self._classify(raw, record, where)

        if not record.title:
            self.error("mangler tittel.", **where)
            return None
        return record

    def _classify(self, raw: Mapping[str, Any], record: ParsedRecord, where: dict[str, Any]) -> None:
        source = clean_text(raw.get("source")).lower()
        if source:
            if source in EVIDENCE_SOURCES:
                record.source = source
            else:
                allowed = ", ".join(EVIDENCE_SOURCES)
                self.warning(f"ukjent kilde «{source[:40]}» er satt til «other» (gyldige: {allowed}).", **where)
                record.source = "other"
        evidence_type = clean_text(raw.get("evidence_type")).lower().replace(" ", "_")
        if evidence_type:
            if evidence_type in EVIDENCE_TYPES:
                record.evidence_type = evidence_type
            else:
                allowed = ", ".join(EVIDENCE_TYPES)
                self.warning(f"ukjent type «{evidence_type[:40]}» er ignorert (gyldige: {allowed}).", **where)
        cochrane_id = clean_text(raw.get("cochrane_id")).upper()
        if cochrane_id and not _COCHRANE_ID_RE.match(cochrane_id):
            self.warning(f"«{cochrane_id[:40]}» er ikke en Cochrane-ID (CD + seks sifre) og er ignorert.", **where)
            cochrane_id = ""
        record.cochrane_id = cochrane_id or cochrane_id_from_doi(record.doi)


def split_lines(text: str) -> list[str]:
    """Lines split on CR, LF and CRLF only (str.splitlines also splits on form feeds etc.)."""
    lines = re.split(r"\r\n|\r|\n", text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def decode_text(data: bytes, collector: Collector) -> str | None:
    """Decode UTF-8 (with or without BOM); on failure report every offending line and give None."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    hint = ""
    try:
        data.decode("cp1252")
        hint = " Fila ser ut til å være lagret som Latin-1/Windows-1252."
    except UnicodeDecodeError:
        pass
    for line_no, raw_line in enumerate(data.split(b"\n"), start=1):
        try:
            raw_line.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = raw_line[exc.start : exc.start + 1].hex().upper()
            collector.error(
                f"teksten er ikke gyldig UTF-8 (byte 0x{bad} på posisjon {exc.start + 1} i linjen). "
                f"Lagre fila som UTF-8 og last den opp på nytt.{hint}",
                line=line_no,
            )
    return None
