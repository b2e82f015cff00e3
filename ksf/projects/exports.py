"""Export of the (filtered) project list as CSV, XLSX and JSON.

CSV and XLSX use the same columns as the import (`COLUMNS`), so an export can be edited in a
spreadsheet and imported again. JSON gives the same data as nested structures.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.urls import reverse

from ksf.organisations.models import Organisation, OrgKind

from .models import Project

# Column name -> description (shown on the import page).
COLUMNS: dict[str, str] = {
    "tittel": "Tittel (må fylles ut)",
    "sammendrag": "Populærvitenskapelig sammendrag (må fylles ut)",
    "type": "research eller innovation (eller Forskningsprosjekt / Innovasjonsprosjekt)",
    "status": "planned, ongoing, completed, stopped (eller Planlagt, Pågår, Avsluttet, Stanset)",
    "start": "Startdato, ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ (må fylles ut)",
    "slutt": "Sluttdato, tom eller ikke før start",
    "eier": "Prosjekteier: kommunenummer, organisasjonsnummer, kortnavn eller navn (må fylles ut)",
    "leder": "Organisasjonen som leder prosjektet, som eier (må fylles ut)",
    "partnere": "Samarbeidspartnere, skilt med semikolon",
    "kommuner": "Deltakende kommuner (kommunenummer eller navn), skilt med semikolon",
    "emneord": "Emneord, skilt med semikolon",
    "tjenesteomrader": "Tjenesteområder (kode eller navn), skilt med semikolon",
    "behov": "Behovsnummer prosjektet svarer på, f.eks. KB-2026-0042, skilt med semikolon",
    "cristin_id": "Cristin-prosjektnummer (bare sifre), tom hvis ingen",
    "finansiering": "kilde:beløp[:merknad], skilt med semikolon, f.eks. forskningsradet:1500000; egenandel:200000",
    "medvirkning_status": "not_reported, none eller participation (Ikke rapportert / Ingen brukermedvirkning / Med brukermedvirkning)",
    "medvirkning": "fase/rolle/hvem, skilt med semikolon, f.eks. design/adviser/patients",
    "resultater": "Resultater i klarspråk (publiseres ved import)",
    "publikasjoner": "DOI-er, skilt med semikolon",
    "lenker": "Lenker, skilt med semikolon",
    "publisert": "ja eller nei (tom = ja)",
}

FORMULA_START = ("=", "+", "-", "@")


def org_ref(org: Organisation) -> str:
    if org.kind == OrgKind.MUNICIPALITY and org.municipality_number:
        return org.municipality_number
    return org.slug


def _safe(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV/XLSX injection); the import strips the leading quote."""
    return "'" + value if value.startswith(FORMULA_START) else value


def project_row(project: Project) -> dict[str, str]:
    return {
        "tittel": project.title,
        "sammendrag": project.summary,
        "type": project.kind,
        "status": project.status,
        "start": project.start_date.isoformat(),
        "slutt": project.end_date.isoformat() if project.end_date else "",
        "eier": org_ref(project.owner),
        "leder": org_ref(project.leader),
        "partnere": "; ".join(org_ref(o) for o in sorted(project.partners.all(), key=lambda o: o.slug)),
        "kommuner": "; ".join(sorted(org_ref(o) for o in project.municipalities.all())),
        "emneord": project.keywords,
        "tjenesteomrader": "; ".join(sorted(project.service_area_codes)),
        "behov": "; ".join(sorted(n.public_id for n in project.needs.all())),
        "cristin_id": project.cristin_id,
        "finansiering": "; ".join(
            f"{f.source}:{f.amount}" + (f":{f.note.replace(';', ',')}" if f.note else "") for f in project.funding.all()
        ),
        "medvirkning_status": project.participation_reported,
        "medvirkning": "; ".join(f"{r.phase}/{r.capacity}/{r.who}" for r in project.participation.all()),
        "resultater": project.results,
        "publikasjoner": "; ".join(project.publications),
        "lenker": "; ".join(project.links),
        "publisert": "ja" if project.is_published else "nei",
    }


def project_record(project: Project) -> dict[str, Any]:
    """Structured form (JSON export)."""
    def org(o: Organisation) -> dict[str, Any]:
        return {"ref": org_ref(o), "name": o.name, "kind": o.kind}

    return {
        "id": project.pk,
        "url": settings.SITE_URL.rstrip("/") + reverse("projects:detail", args=[project.pk]),
        "title": project.title,
        "summary": project.summary,
        "kind": project.kind,
        "status": project.status,
        "start_date": project.start_date.isoformat(),
        "end_date": project.end_date.isoformat() if project.end_date else None,
        "owner": org(project.owner),
        "leader": org(project.leader),
        "partners": [org(o) for o in project.partners.all()],
        "municipalities": [org(o) for o in project.municipalities.all()],
        "keywords": project.keyword_list,
        "service_areas": project.service_area_codes,
        "needs": [n.public_id for n in project.needs.all()],
        "cristin_id": project.cristin_id or None,
        "funding": [{"source": f.source, "amount": f.amount, "note": f.note} for f in project.funding.all()],
        "participation_reported": project.participation_reported,
        "participation": [{"phase": r.phase, "capacity": r.capacity, "who": r.who} for r in project.participation.all()],
        "results": project.results,
        "results_published_at": project.results_published_at.isoformat() if project.results_published_at else None,
        "publications": project.publications,
        "links": project.links,
        "is_published": project.is_published,
    }


def to_csv(projects: Iterable[Project]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for project in projects:
        writer.writerow({k: _safe(v) for k, v in project_row(project).items()})
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(projects: Iterable[Project]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Prosjekter"
    sheet.append(list(COLUMNS))
    for project in projects:
        sheet.append([_safe(v) for v in project_row(project).values()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_json(projects: Iterable[Project]) -> bytes:
    return json.dumps([project_record(p) for p in projects], ensure_ascii=False, indent=2).encode("utf-8")
