"""Figures as CSV (UTF-8 with BOM, comma-separated, dot decimals) and XLSX (openpyxl)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .figures import Table
from .stats import StatsFilter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """Plain values for files: None → empty, text that a spreadsheet would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def table_csv(table: Table) -> bytes:
    return csv_bytes(table.columns, table.rows)


def describe_filter(f: StatsFilter) -> list[tuple[str, str]]:
    params = f.as_params()
    return [(k, v) for k, v in params.items()] or [(_("utvalg"), _("hele landet, hele perioden"))]


def table_xlsx(table: Table, f: StatsFilter) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = table.slug[:31]
    ws.append(list(table.columns))
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in table.rows:
        ws.append([None if v is None else cell(v) for v in row])
    for i, column in enumerate(table.columns, start=1):
        width = max([len(str(column))] + [len(str(r[i - 1])) for r in table.rows[:500] if i - 1 < len(r)])
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(60, max(10, width + 2))
    ws.freeze_panes = "A2"
    about = wb.create_sheet(_("Om tallene"))
    about.append([_("Figur"), table.title])
    about.append([_("Laget"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    for key, value in describe_filter(f):
        about.append([_("Filter: %s") % key, value])
    if table.note:
        about.append([_("Merknad"), table.note])
    about.append([_("Kilde"), "KSF kunnskapsportal, /statistikk/"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
