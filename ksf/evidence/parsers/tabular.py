"""CSV and JSON evidence lists, for sources without a bibliographic export (FHI, SBU, own lists).

Columns (CSV) and keys (JSON) are the ParsedRecord field names in English; Norwegian names are
accepted too (`tittel`, `sammendrag`, `år`, ...; see COLUMN_ALIASES). A file needs a title
column and at least one of doi, pmid and abstract; each record needs a title and at least one
of them filled in. Unknown columns are ignored with a warning.

CSV: UTF-8 with or without BOM (as Excel's "CSV UTF-8" saves it); comma, semicolon (Norwegian
Excel) or tab separated. Several authors, keywords or publication types go in one cell separated
by ";". JSON: a list of objects, or an object with the list under "records"; list-valued fields
may be JSON lists or ";"-separated strings.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from .records import FIELD_NAMES_NB, Collector, decode_text

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "tittel", "original_title", "originaltittel"),
    "title_no": ("title_no", "title_nb", "norwegian_title", "norsk_tittel", "tittel_norsk", "tittel_no"),
    "abstract": ("abstract", "summary", "sammendrag", "abstrakt", "resyme", "resymé"),
    "authors": ("authors", "author", "forfattere", "forfatter"),
    "year": ("year", "publication_year", "år", "aar", "utgivelsesår", "publiseringsår"),
    "journal": ("journal", "journal_name", "tidsskrift", "publisert_i"),
    "doi": ("doi",),
    "pmid": ("pmid", "pubmed_id"),
    "url": ("url", "link", "lenke", "nettadresse"),
    "language": ("language", "lang", "språk", "sprak"),
    "publication_types": ("publication_types", "publication_type", "publikasjonstyper", "publikasjonstype"),
    "keywords": ("keywords", "keyword", "emneord", "nøkkelord", "stikkord"),
    "mesh_terms": ("mesh_terms", "mesh", "mesh_termer"),
    "source": ("source", "kilde", "utgiver"),
    "evidence_type": ("type", "evidence_type", "kunnskapstype", "dokumenttype"),
    "certainty": ("certainty", "grade", "kvalitet", "tillit"),
    "cochrane_id": ("cochrane_id",),
}  # fmt: skip
_ALIAS_TO_FIELD = {alias: name for name, aliases in COLUMN_ALIASES.items() for alias in aliases}
_LIST_FIELDS = ("authors", "keywords", "mesh_terms", "publication_types")
_IDENTIFYING = ("doi", "pmid", "abstract")


def _key(column: str) -> str:
    return "_".join(column.strip().lstrip("\ufeff").lower().replace("-", " ").split())


def _map_columns(columns: Iterable[str], collector: Collector, *, kind: tuple[str, str, str]) -> dict[str, str] | None:
    """Column name -> field name, or None (with an error) when required columns are missing.

    `kind` is the Norwegian word for a column in singular, plural and definite plural.
    """
    singular, plural, definite = kind
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for column in columns:
        name = _ALIAS_TO_FIELD.get(_key(column))
        if name is None:
            if column.strip():
                unknown.append(column.strip())
        elif name in mapping.values():
            other = next(c for c, n in mapping.items() if n == name)
            collector.error(f"{definite} «{other}» og «{column}» betyr begge «{name}»; fjern den ene.")
            return None
        else:
            mapping[column] = name
    fields = set(mapping.values())
    missing = []
    if "title" not in fields:
        missing.append("title (tittel)")
    if not fields & set(_IDENTIFYING):
        missing.append("minst én av doi, pmid og abstract (sammendrag)")
    if missing:
        found = ", ".join(f"«{c}»" for c in columns if c.strip()) or "ingen"
        collector.error(f"mangler {singular}: {' og '.join(missing)}. Fant {found}.")
        return None
    if unknown:
        known = ", ".join(sorted(COLUMN_ALIASES))
        collector.warning(f"ukjente {plural} ignoreres: {', '.join(f'«{c}»' for c in unknown)}. Kjente: {known}.")
    return mapping


def _split_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    return [part.strip() for part in str(value).split(";")]


def _to_raw(values: dict[str, Any]) -> dict[str, Any]:
    raw = dict(values)
    for name in _LIST_FIELDS:
        if name in raw:
            raw[name] = _split_list(raw[name])
    return raw


def _build(raw: dict[str, Any], collector: Collector, record_no: int, line: int | None) -> None:
    if raw.get("title") and not any(str(raw.get(k) or "").strip() for k in _IDENTIFYING):
        collector.error(
            "mangler både DOI, PMID og sammendrag; minst én av dem må være fylt ut.",
            record_no=record_no,
            line=line,
        )
        return
    record = collector.build_record(_to_raw(raw), record_no=record_no, line=line)
    if record is not None:
        collector.result.records.append(record)


def _delimiter(header_line: str) -> str:
    return max((",", ";", "\t"), key=header_line.count)


def parse_csv(data: bytes, collector: Collector) -> None:
    text = decode_text(data, collector)
    if text is None:
        return
    header_line = text.split("\n", 1)[0]
    # newline="" splits rows on \r, \n and \r\n only, so form feeds and the like in a cell stay
    # in the cell (and are stripped later) instead of breaking the row.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(header_line))
    try:
        header = next(reader)
    except StopIteration:
        collector.error("fila er tom.")
        return
    except csv.Error as exc:
        collector.error(f"kan ikke lese overskriftslinjen som CSV ({exc}).", line=1)
        return
    mapping = _map_columns(header, collector, kind=("kolonne", "kolonner", "kolonnene"))
    if mapping is None:
        return
    positions = {header.index(column): name for column, name in mapping.items()}
    record_no = 0
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            collector.error(f"ugyldig CSV ({exc}).", record_no=record_no + 1, line=line)
            break
        if not any(cell.strip() for cell in row):
            line = reader.line_num + 1
            continue
        record_no += 1
        if len(row) != len(header):
            collector.error(
                f"har {len(row)} felt, men overskriftslinjen har {len(header)}. Sjekk skilletegn og anførselstegn.",
                record_no=record_no,
                line=line,
            )
        else:
            raw = {name: row[i] for i, name in positions.items()}
            _build(raw, collector, record_no, line)
        line = reader.line_num + 1
    if record_no == 0 and not collector.result.errors:
        collector.error("fila har overskriftslinje, men ingen poster.")


def parse_json(data: bytes, collector: Collector) -> None:
    text = decode_text(data, collector)
    if text is None:
        return
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        collector.error(f"ugyldig JSON ({exc.msg}, kolonne {exc.colno}).", line=exc.lineno)
        return
    if isinstance(document, dict) and isinstance(document.get("records"), list):
        items = document["records"]
    elif isinstance(document, list):
        items = document
    else:
        collector.error('må være en liste med poster, eller et objekt med listen under "records".')
        return
    if not items:
        collector.error("fila inneholder ingen poster.")
        return
    keys: list[str] = []
    for item in items:
        if isinstance(item, dict):
            keys.extend(k for k in item if k not in keys)
    mapping = _map_columns(keys, collector, kind=("felt", "felt", "feltene"))
    if mapping is None:
        return
    for record_no, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            collector.error("er ikke et JSON-objekt.", record_no=record_no)
            continue
        raw: dict[str, Any] = {}
        for key, value in item.items():
            name = mapping.get(key)
            if name is None:
                continue
            if isinstance(value, (dict, bool)) or (isinstance(value, list) and name not in _LIST_FIELDS):
                collector.error(f"feltet «{key}» ({FIELD_NAMES_NB[name]}) har feil type.", record_no=record_no)
                continue
            raw[name] = value
        _build(raw, collector, record_no, None)
