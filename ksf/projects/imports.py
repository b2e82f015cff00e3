"""CSV import of projects (one row per project, columns as in `exports.COLUMNS`).

All or nothing: every row is checked first; if any row has an error, nothing is stored and
the caller gets the list of errors, each naming the row (as numbered in a spreadsheet, the
header being row 1) and the column, in Norwegian.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ksf.needs.models import Need, ServiceArea

from . import services
from .access import can_import, org_in_scope
from .exports import COLUMNS
from .models import (
    Capacity,
    FundingSource,
    Participant,
    ParticipationState,
    Phase,
    Project,
    ProjectKind,
    ProjectStatus,
)
from .selectors import resolve_organisation

REQUIRED = ("tittel", "sammendrag", "start", "eier", "leder")
MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024

# Service error keys -> import columns.
KEY_TO_COLUMN = {
    "title": "tittel", "summary": "sammendrag", "kind": "type", "status": "status", "start_date": "start",
    "end_date": "slutt", "owner": "eier", "leader": "leder", "partners": "partnere", "municipalities": "kommuner",
    "keywords": "emneord", "service_areas": "tjenesteomrader", "publications": "publikasjoner", "links": "lenker",
    "cristin_id": "cristin_id", "funding": "finansiering", "participation": "medvirkning", "results": "resultater",
    "need": "behov", "is_published": "publisert",
}


@dataclass(frozen=True)
class ImportIssue:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row and self.column:
            return _("Rad %(row)s, kolonne «%(col)s»: %(msg)s") % {"row": self.row, "col": self.column, "msg": self.message}
        if self.row:
            return _("Rad %(row)s: %(msg)s") % {"row": self.row, "msg": self.message}
        return self.message


@dataclass
class ImportResult:
    created: list[Project] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _choice_map(*choices: Any) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for enum in choices:
        for value, label in enum.choices:
            mapping[str(value).lower()] = value
            mapping[str(label).lower()] = value
    return mapping


KINDS = _choice_map(ProjectKind) | {"forskning": "research", "innovasjon": "innovation"}
STATUSES = _choice_map(ProjectStatus)
SOURCES = _choice_map(FundingSource)
STATES = _choice_map(ParticipationState) | {"brukermedvirkning": "participation", "ja": "participation", "nei": "none"}
PHASES, CAPACITIES, WHO = _choice_map(Phase), _choice_map(Capacity), _choice_map(Participant)
AREAS = _choice_map(ServiceArea)


def _split(value: str) -> list[str]:
    return [p.strip() for p in (value or "").split(";") if p.strip()]


def _unquote(value: Any) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content.lstrip("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _mapped(value: str, mapping: dict[str, str]) -> str:
    return mapping.get(value.strip().lower(), value.strip())


def parse_row(row: dict[str, str], number: int, issues: list[ImportIssue]) -> dict[str, Any]:
    """One CSV row -> arguments for `services.project_create` (bad references are reported, not raised)."""
    def issue(column: str, message: str) -> None:
        issues.append(ImportIssue(number, column, message))

    data: dict[str, Any] = {
        "title": row.get("tittel", ""),
        "summary": row.get("sammendrag", ""),
        "kind": _mapped(row.get("type", ""), KINDS),
        "status": _mapped(row.get("status", ""), STATUSES),
        "start_date": row.get("start", ""),
        "end_date": row.get("slutt", ""),
        "keywords": _split(row.get("emneord", "")),
        "service_areas": [_mapped(a, AREAS) for a in _split(row.get("tjenesteomrader", ""))],
        "cristin_id": row.get("cristin_id", ""),
        "publications": _split(row.get("publikasjoner", "")),
        "links": _split(row.get("lenker", "")),
    }
    published = row.get("publisert", "").strip().lower()
    if published not in ("", "ja", "nei", "yes", "no", "true", "false", "1", "0"):
        issue("publisert", _("Skriv «ja» eller «nei», ikke «%(value)s».") % {"value": published})
    data["is_published"] = published not in ("nei", "no", "false", "0")
    for column, key in (("eier", "owner"), ("leder", "leader")):
        ref = row.get(column, "").strip()
        org = resolve_organisation(ref)
        if ref and org is None:
            issue(column, _("Ukjent organisasjon «%(ref)s».") % {"ref": ref})
        data[key] = org
    for column, key in (("partnere", "partners"), ("kommuner", "municipalities")):
        found = []
        for ref in _split(row.get(column, "")):
            org = resolve_organisation(ref)
            if org is None:
                issue(column, _("Ukjent organisasjon «%(ref)s».") % {"ref": ref})
            else:
                found.append(org)
        data[key] = found

    funding: list[services.FundingRow] = []
    for item in _split(row.get("finansiering", "")):
        parts = item.split(":", 2)
        if len(parts) < 2:
            issue("finansiering", _("«%(item)s» må skrives som kilde:beløp.") % {"item": item})
            continue
        funding.append(services.FundingRow(
            source=_mapped(parts[0], SOURCES), amount=parts[1].strip(), note=parts[2].strip() if len(parts) > 2 else ""))
    participation: list[services.ParticipationRow] = []
    for item in _split(row.get("medvirkning", "")):
        parts = [p.strip() for p in item.split("/")]
        if len(parts) != 3:
            issue("medvirkning", _("«%(item)s» må skrives som fase/rolle/hvem.") % {"item": item})
            continue
        participation.append(services.ParticipationRow(
            phase=_mapped(parts[0], PHASES), capacity=_mapped(parts[1], CAPACITIES), who=_mapped(parts[2], WHO)))
    state_text = row.get("medvirkning_status", "").strip()
    state = _mapped(state_text, STATES) if state_text else (
        ParticipationState.PARTICIPATION if participation else ParticipationState.NOT_REPORTED)

    needs: list[Need] = []
    for public_id in _split(row.get("behov", "")):
        need = Need.objects.filter(public_id=public_id.upper(), published_at__isnull=False).first()
        if need is None:
            issue("behov", _("Ukjent eller upublisert behov «%(id)s».") % {"id": public_id})
        else:
            needs.append(need)
    return {
        "data": data, "funding": funding, "participation_state": state, "participation": participation,
        "needs": needs, "results": row.get("resultater", "").strip(),
    }


def _issues_from(exc: ValidationError, number: int) -> list[ImportIssue]:
    if not hasattr(exc, "error_dict"):
        return [ImportIssue(number, "", m) for m in exc.messages]
    out: list[ImportIssue] = []
    for key, messages in exc.message_dict.items():
        column = KEY_TO_COLUMN.get(key, "")
        if key == "participation" and any("svaret" in m for m in messages):
            column = "medvirkning_status"
        out.extend(ImportIssue(number, column, m) for m in messages)
    return out


def import_projects(*, user: Any, content: bytes | str) -> ImportResult:
    """Check every row, then create all projects in one transaction — or none."""
    result = ImportResult()
    if not can_import(user):
        raise PermissionDenied(_("Bare koordinatorer kan importere prosjekter."))
    if len(content) > MAX_BYTES:
        result.errors.append(ImportIssue(0, "", _("Filen er for stor (maks 5 MB).")))
        return result
    text = _decode(content)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        result.errors.append(ImportIssue(0, "", _("Filen er tom eller mangler overskriftsrad.")))
        return result
    unknown = [h for h in header if h and h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    for h in unknown:
        result.errors.append(ImportIssue(1, h, _("Ukjent kolonne. Gyldige kolonner: %(cols)s.") % {"cols": ", ".join(COLUMNS)}))
    for c in missing:
        result.errors.append(ImportIssue(1, c, _("Kolonnen mangler i overskriftsraden.")))
    if result.errors:
        return result
    reader.fieldnames = header

    parsed: list[tuple[int, dict[str, Any]]] = []
    seen_cristin: dict[str, int] = {}
    for index, raw in enumerate(reader, start=2):
        if index - 1 > MAX_ROWS:
            result.errors.append(ImportIssue(index, "", _("For mange rader (maks %(max)s).") % {"max": MAX_ROWS}))
            break
        if None in raw:
            result.errors.append(ImportIssue(index, "", _("Raden har flere felt enn overskriftsraden.")))
            continue
        row = {k: _unquote(v) for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        row_issues: list[ImportIssue] = []
        args = parse_row(row, index, row_issues)
        for check in ("data", "funding", "participation"):
            try:
                if check == "data":
                    services.clean_project_data(args["data"])
                elif check == "funding":
                    services.clean_funding(args["funding"])
                else:
                    services.clean_participation(args["participation_state"], args["participation"])
            except ValidationError as exc:
                known = {(i.column, i.message) for i in row_issues}
                row_issues.extend(
                    i for i in _issues_from(exc, index)
                    if (i.column, i.message) not in known and not (i.column in ("eier", "leder") and _has(row_issues, i.column))
                )
        if len(args["results"]) > services.MAX_RESULTS:
            row_issues.append(ImportIssue(index, "resultater", _("Teksten er for lang (maks %(max)s tegn).") % {"max": services.MAX_RESULTS}))
        cristin = args["data"]["cristin_id"].strip()
        if cristin:
            if cristin in seen_cristin:
                row_issues.append(ImportIssue(index, "cristin_id", _("Cristin-prosjektnummer %(id)s står også på rad %(other)s.")
                                              % {"id": cristin, "other": seen_cristin[cristin]}))
            else:
                seen_cristin[cristin] = index
        owner, leader = args["data"]["owner"], args["data"]["leader"]
        if owner is not None and leader is not None:
            from ksf.accounts.access import actor_for

            actor = actor_for(user)
            if not (org_in_scope(actor, owner) or org_in_scope(actor, leader)):
                row_issues.append(ImportIssue(index, "eier", _("Du kan ikke registrere prosjekter for %(org)s.") % {"org": owner.name}))
        result.errors.extend(row_issues)
        parsed.append((index, args))
    if result.errors:
        return result
    if not parsed:
        result.errors.append(ImportIssue(0, "", _("Filen inneholder ingen prosjekter.")))
        return result

    created: list[Project] = []
    current = 0
    try:
        with transaction.atomic():
            for index, args in parsed:
                current = index
                project = services.project_create(
                    user=user, data=args["data"], funding=args["funding"],
                    participation_state=args["participation_state"], participation=args["participation"],
                    needs=args["needs"],
                )
                if args["results"]:
                    project = services.project_publish_results(project=project, user=user, results=args["results"])
                created.append(project)
    except ValidationError as exc:
        result.errors.extend(_issues_from(exc, current))
        return result
    except PermissionDenied as exc:
        result.errors.append(ImportIssue(current, "", str(exc)))
        return result
    result.created = created
    return result


def _has(issues: list[ImportIssue], column: str) -> bool:
    return any(i.column == column for i in issues)
