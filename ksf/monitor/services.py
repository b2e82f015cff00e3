"""Writes of the monitor: the dated open-data bundle in MEDIA_ROOT/open-data/.

`open_data_bundle_build()` writes `ksf-apne-data-YYYY-MM-DD.zip` (CSV + JSON + data dictionary)
atomically (temporary file, then rename), so a reader never sees half a bundle; rebuilding on
the same day replaces that day's file. Older bundles beyond `KEEP_BUNDLES` are removed.

Only public data: needs the cluster has accepted (published), their history without the
acting person (the acting organisation is kept), endorsing municipalities without the person
or comment, evidence links, published projects and aggregate statistics. No user names,
e-mail addresses or other contact details.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import re
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from ksf.needs.models import Endorsement, Need, NeedStatusChange

from . import exports, figures, stats
from .stats import StatsFilter

BUNDLE_DIR = "open-data"
BUNDLE_RE = re.compile(r"^ksf-apne-data-(\d{4}-\d{2}-\d{2})\.zip$")
KEEP_BUNDLES = 30


def bundle_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / BUNDLE_DIR


def bundles() -> list[Path]:
    """Existing bundles, newest first."""
    folder = bundle_dir()
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if BUNDLE_RE.match(p.name)), key=lambda p: p.name, reverse=True)


def latest_bundle() -> Path | None:
    found = bundles()
    return found[0] if found else None


def bundle_by_name(name: str) -> Path | None:
    if not BUNDLE_RE.match(name):
        return None
    path = bundle_dir() / name
    return path if path.is_file() else None


# --- the files: columns with descriptions (the data dictionary is written from these) ---------


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str


NEED_COLUMNS = [
    Column("behovsnummer", "string", "Offentlig id, f.eks. KB-2026-0042 (KB = kunnskapsbehov, IB = innovasjonsbehov)."),
    Column("type", "string", "knowledge (kunnskapsbehov) eller innovation (innovasjonsbehov)."),
    Column("tittel", "string", "Tittel."),
    Column("sporsmal", "string", "Spørsmålet med innmelders egne ord."),
    Column("populasjon", "string", "PICO: populasjon."),
    Column("tiltak", "string", "PICO: tiltak."),
    Column("sammenligning", "string", "PICO: sammenligning."),
    Column("utfall", "string", "PICO: utfall."),
    Column("tjenesteomrade", "string", "Kode for tjenesteområde (se ordbok.json, koder.tjenesteomrade)."),
    Column("malgruppe", "string", "Målgruppe."),
    Column("hvorfor_viktig", "string", "Hvorfor behovet er viktig lokalt."),
    Column("hastegrad", "string", "low, medium eller high."),
    Column("status", "string", "Nåværende status (se ordbok.json, koder.status)."),
    Column("utfall_gruppe", "string", "Utfallsgruppe brukt i statistikken (se ordbok.json, koder.utfall_gruppe)."),
    Column("kommunenummer", "string", "Kommunen som meldte inn behovet (4 siffer)."),
    Column("kommune", "string", "Kommunens navn."),
    Column("klynge", "string", "Kortnavn for kommuneklyngen."),
    Column("helseregion", "string", "Helseregion: nord, midt, vest eller sorost."),
    Column("forste_innsending", "datetime", "Første innsending (ISO 8601, UTC), fra historikken."),
    Column("publisert", "datetime", "Da klyngen tok behovet til vurdering og det ble offentlig (UTC)."),
    Column("besvart", "datetime", "Da svaret ble gitt (UTC), tom hvis ikke besvart."),
    Column("nasjonalt", "boolean", "true hvis behovet er løftet til nasjonalt nivå."),
    Column("slatt_sammen_med", "string", "Behovsnummeret behovet er slått sammen med."),
    Column("svar", "string", "Svaret i klarspråk."),
    Column("stottet_av_antall", "integer", "Antall andre kommuner som har sagt «relevant for oss også»."),
]
HISTORY_COLUMNS = [
    Column("behovsnummer", "string", "Behovet raden gjelder."),
    Column("tidspunkt", "datetime", "Tidspunkt for statusendringen (ISO 8601, UTC)."),
    Column("fra_status", "string", "Status før endringen (tom for første rad)."),
    Column("til_status", "string", "Status etter endringen."),
    Column("niva", "string", "Nivået det ble gjort på: submitter, cluster, region, national, partner, system."),
    Column("organisasjon", "string", "Organisasjonen som gjorde endringen (ikke personen)."),
    Column("begrunnelse", "string", "Begrunnelsen slik den vises på den offentlige tidslinjen."),
]
ENDORSEMENT_COLUMNS = [
    Column("behovsnummer", "string", "Behovet som ble støttet."),
    Column("kommunenummer", "string", "Kommunen som sa «relevant for oss også»."),
    Column("kommune", "string", "Kommunens navn."),
    Column("dato", "date", "Dato for støtten."),
]
EVIDENCE_COLUMNS = [
    Column("behovsnummer", "string", "Behovet kunnskapen er knyttet til."),
    Column("forhold", "string", "answers (besvarer), partly (besvarer delvis) eller related (relatert)."),
    Column("tittel", "string", "Tittel (originalspråk)."),
    Column("norsk_tittel", "string", "Norsk tittel."),
    Column("type", "string", "Type kunnskapskilde (systematisk oversikt, HTA, retningslinje, ...)."),
    Column("ar", "integer", "Utgivelsesår."),
    Column("doi", "string", "DOI."),
    Column("lenke", "string", "Lenke."),
    Column("hva_vi_vet", "string", "«Hva vi vet» i klarspråk."),
]
PROJECT_COLUMNS = [
    Column("id", "integer", "Prosjektets id i portalen."),
    Column("tittel", "string", "Tittel."),
    Column("sammendrag", "string", "Populærvitenskapelig sammendrag."),
    Column("type", "string", "research eller innovation."),
    Column("status", "string", "planned, ongoing, completed eller stopped."),
    Column("start", "date", "Startdato."),
    Column("slutt", "date", "Sluttdato."),
    Column("eier", "string", "Prosjekteier (organisasjon)."),
    Column("leder", "string", "Organisasjonen som leder prosjektet."),
    Column("kommuner", "string", "Deltakende kommuner (kommunenummer, skilt med semikolon)."),
    Column("behov", "string", "Behovsnummer prosjektet svarer på (skilt med semikolon)."),
    Column("finansiering_kr", "integer", "Sum finansiering i kroner."),
    Column("finansiering", "string", "kilde:beløp per kilde (skilt med semikolon)."),
    Column("brukermedvirkning", "string", "not_reported, none eller participation."),
    Column("medvirkning", "string", "fase/rolle/hvem per rad (skilt med semikolon)."),
    Column("cristin_id", "string", "Cristin-prosjektnummer."),
    Column("resultater", "string", "Resultater i klarspråk."),
]
PARTICIPATION_COLUMNS = [
    Column("kommunenummer", "string", "Kommunenummer."),
    Column("kommune", "string", "Kommunens navn."),
    Column("fylke", "string", "Fylke."),
    Column("behov_meldt_inn", "integer", "Behov kommunen har sendt inn (alle, også de som ikke er offentlige)."),
    Column("behov_stottet", "integer", "Behov fra andre kommuner kommunen har støttet."),
    Column("har_deltatt", "boolean", "true hvis minst ett behov er meldt inn eller støttet."),
]


def _iso(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _needs(public_ids: dict[int, str]) -> tuple[list[list[Any]], list[dict[str, Any]], list[list[Any]], list[list[Any]]]:
    qs = Need.objects.filter(pk__in=public_ids.keys()).order_by("public_id")
    endorse_rows = list(
        Endorsement.objects.filter(need_id__in=public_ids.keys())
        .order_by("need__public_id", "municipality__municipality_number")
        .values_list("need_id", "municipality__municipality_number", "municipality__name", "created_at")
    )
    endorse_count: dict[int, int] = defaultdict(int)
    for need_id, *_rest in endorse_rows:
        endorse_count[need_id] += 1
    history_rows = list(
        NeedStatusChange.objects.filter(need_id__in=public_ids.keys())
        .order_by("need__public_id", "created_at", "pk")
        .values_list("need_id", "created_at", "from_status", "to_status", "level", "actor_organisation__name", "reason")
    )
    history: dict[int, list[list[Any]]] = defaultdict(list)
    first_submitted: dict[int, dt.datetime] = {}
    for need_id, when, src, dst, level, org, reason in history_rows:
        history[need_id].append([public_ids[need_id], _iso(when), src, dst, level, org or "", reason])
        if dst == "submitted" and need_id not in first_submitted:
            first_submitted[need_id] = when
    rows: list[list[Any]] = []
    docs: list[dict[str, Any]] = []
    names = [c.name for c in NEED_COLUMNS]
    for n in qs.values_list(
        "pk", "public_id", "kind", "title", "question", "population", "intervention", "comparison", "outcome",
        "service_area", "target_group", "why_it_matters", "urgency", "status", "municipality__municipality_number",
        "municipality__name", "cluster__slug", "region__code", "published_at", "answered_at", "is_national",
        "merged_into__public_id", "answer",
    ).iterator(chunk_size=2000):
        record: Any = n
        pk, *values = record
        (public_id, kind, title, question, pop, interv, comp, outcome, area, target, why, urgency, status,
         muni_no, muni, cluster, region, published, answered, national, merged, answer) = values
        row = [public_id, kind, title, question, pop, interv, comp, outcome, area, target, why, urgency, status,
               stats.OUTCOME_OF_STATUS.get(status, ""), muni_no, muni, cluster or "", region,
               _iso(first_submitted.get(pk)), _iso(published), _iso(answered), bool(national), merged or "", answer,
               endorse_count.get(pk, 0)]
        rows.append(row)
        doc: dict[str, Any] = dict(zip(names, row, strict=True))
        doc["historikk"] = [dict(zip([c.name for c in HISTORY_COLUMNS], h, strict=True)) for h in history.get(pk, [])]
        docs.append(doc)
    flat_history = [h for pk in sorted(history, key=lambda k: public_ids[k]) for h in history[pk]]
    endorsements = [[public_ids[nid], no, name, timezone.localtime(when).date().isoformat()] for nid, no, name, when in endorse_rows]
    return rows, docs, flat_history, endorsements


def _evidence_links(public_ids: dict[int, str]) -> list[list[Any]] | None:
    try:
        models = importlib.import_module("ksf.evidence.models")
    except ImportError:
        return None
    link = getattr(models, "NeedEvidenceLink", None)
    if link is None:
        return None
    return [
        [public_ids[nid], *rest]
        for nid, *rest in link.objects.filter(need_id__in=public_ids.keys())
        .order_by("need__public_id", "relation", "evidence__title")
        .values_list("need_id", "relation", "evidence__title", "evidence__title_no", "evidence__evidence_type",
                     "evidence__year", "evidence__doi", "evidence__url", "what_we_know")
    ]


def _projects() -> list[list[Any]] | None:
    try:
        selectors = importlib.import_module("ksf.projects.selectors")
        models = importlib.import_module("ksf.projects.models")
    except ImportError:
        return None
    qs = selectors.published_projects().order_by("pk")
    ids = list(qs.values_list("pk", flat=True))
    munis: dict[int, list[str]] = defaultdict(list)
    for pid, number in models.Project.municipalities.through.objects.filter(project_id__in=ids).values_list(
        "project_id", "organisation__municipality_number"
    ):
        munis[pid].append(number or "")
    needs: dict[int, list[str]] = defaultdict(list)
    for pid, public_id, published in models.Project.needs.through.objects.filter(project_id__in=ids).values_list(
        "project_id", "need__public_id", "need__published_at"
    ):
        if published is not None:
            needs[pid].append(public_id)
    funding: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for pid, source, amount in models.Funding.objects.filter(project_id__in=ids).order_by("pk").values_list("project_id", "source", "amount"):
        funding[pid].append((source, int(amount or 0)))
    participation: dict[int, list[str]] = defaultdict(list)
    for pid, phase, capacity, who in models.UserParticipation.objects.filter(project_id__in=ids).order_by("pk").values_list(
        "project_id", "phase", "capacity", "who"
    ):
        participation[pid].append(f"{phase}/{capacity}/{who}")
    rows = []
    for p in qs.values_list("pk", "title", "summary", "kind", "status", "start_date", "end_date", "owner__name",
                            "leader__name", "participation_reported", "cristin_id", "results"):
        pid, title, summary, kind, status, start, end, owner, leader, reported, cristin, results = p
        rows.append([pid, title, summary, kind, status, _iso(start), _iso(end), owner, leader,
                     ";".join(sorted(munis[pid])), ";".join(sorted(needs[pid])),
                     sum(a for _s, a in funding[pid]), ";".join(f"{s}:{a}" for s, a in funding[pid]), reported,
                     ";".join(participation[pid]), cristin, results])
    return rows


def _participation_rows() -> list[list[Any]]:
    p = stats.compute_need_stats(StatsFilter()).participation
    return [[m.number, m.name, c.row.label, m.needs, m.endorsements, m.participating] for c in p.counties for m in c.municipalities]


def _json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1, cls=DjangoJSONEncoder).encode("utf-8")


def _dictionary(files: dict[str, tuple[str, list[Column]]], generated: str) -> dict[str, Any]:
    from ksf.needs.models import ServiceArea
    from ksf.needs.workflow import Status

    return {
        "tittel": "KSF kunnskapsportal – åpne data",
        "laget": generated,
        "lisens": "Norsk lisens for offentlige data (NLOD) 2.0",
        "personvern": "Ingen personopplysninger: ingen navn, e-postadresser eller brukere. Handlinger er knyttet til organisasjoner.",
        "format": "CSV: UTF-8 med BOM, komma som skilletegn, punktum som desimaltegn, tidspunkt i ISO 8601 (UTC). "
                  "JSON: UTF-8.",
        "filer": {
            name: {"beskrivelse": desc, "kolonner": [{"navn": c.name, "type": c.type, "beskrivelse": c.description} for c in cols]}
            for name, (desc, cols) in files.items()
        },
        "koder": {
            "status": {s.value: str(s.label) for s in Status},
            "tjenesteomrade": {s.value: str(s.label) for s in ServiceArea},
            "utfall_gruppe": {key: str(label) for key, label, _s in stats.OUTCOMES},
        },
        "definisjoner": (stats.__doc__ or "").strip(),
    }


def open_data_bundle_build(*, today: dt.date | None = None) -> Path:
    """Build today's bundle and return its path (replacing one built earlier the same day)."""
    today = today or timezone.localdate()
    generated = timezone.now().astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    public_ids = dict(Need.objects.filter(published_at__isnull=False).values_list("pk", "public_id"))
    need_rows, need_docs, history_rows, endorsement_rows = _needs(public_ids)
    evidence_rows = _evidence_links(public_ids)
    project_rows = _projects()

    files: dict[str, tuple[str, list[Column]]] = {
        "behov.csv": ("Offentlige behov (godtatt av klyngen). behov.json har de samme feltene med historikken i «historikk».", NEED_COLUMNS),
        "behov_historikk.csv": ("Statushistorikken for de offentlige behovene, én rad per endring.", HISTORY_COLUMNS),
        "stotte.csv": ("Kommuner som har sagt «relevant for oss også» om et offentlig behov.", ENDORSEMENT_COLUMNS),
        "deltakelse.csv": ("Alle kommuner: behov meldt inn og støttet, hele perioden.", PARTICIPATION_COLUMNS),
    }
    contents: dict[str, bytes] = {
        "behov.csv": exports.csv_bytes([c.name for c in NEED_COLUMNS], need_rows),
        "behov.json": _json_bytes(need_docs),
        "behov_historikk.csv": exports.csv_bytes([c.name for c in HISTORY_COLUMNS], history_rows),
        "stotte.csv": exports.csv_bytes([c.name for c in ENDORSEMENT_COLUMNS], endorsement_rows),
        "deltakelse.csv": exports.csv_bytes([c.name for c in PARTICIPATION_COLUMNS], _participation_rows()),
    }
    if evidence_rows is not None:
        files["kunnskapslenker.csv"] = ("Kunnskapskilder knyttet til offentlige behov.", EVIDENCE_COLUMNS)
        contents["kunnskapslenker.csv"] = exports.csv_bytes([c.name for c in EVIDENCE_COLUMNS], evidence_rows)
    if project_rows is not None:
        names = [c.name for c in PROJECT_COLUMNS]
        files["prosjekter.csv"] = ("Publiserte prosjekter med finansiering og brukermedvirkning. Også som prosjekter.json.", PROJECT_COLUMNS)
        contents["prosjekter.csv"] = exports.csv_bytes(names, project_rows)
        contents["prosjekter.json"] = _json_bytes([dict(zip(names, r, strict=True)) for r in project_rows])
    national = StatsFilter()
    for slug, table in figures.tables(stats.snapshot(national)).items():
        name = f"statistikk/{slug}.csv"
        files[name] = (f"Statistikk for hele landet: {table.title}." + (f" {table.note}" if table.note else ""),
                       [Column(col, "", "") for col in table.columns])
        contents[name] = exports.table_csv(table)
    contents["statistikk/nokkeltall.json"] = _json_bytes(stats.headline(national))
    dictionary = _dictionary(files, generated)
    contents["ordbok.json"] = _json_bytes(dictionary)
    contents["LESMEG.md"] = _readme(dictionary, today).encode("utf-8")

    folder = bundle_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"ksf-apne-data-{today.isoformat()}.zip"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".bundle-", suffix=".zip")
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in contents.items():
                zf.writestr(f"ksf-apne-data-{today.isoformat()}/{name}", data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    _prune(bundles()[KEEP_BUNDLES:])
    return target


def _prune(old: Iterable[Path]) -> None:
    for path in old:
        path.unlink(missing_ok=True)


def _readme(dictionary: dict[str, Any], today: dt.date) -> str:
    lines = [
        f"# {dictionary['tittel']} ({today.isoformat()})", "",
        f"Laget {dictionary['laget']}. Lisens: {dictionary['lisens']}.", "",
        dictionary["personvern"], "", dictionary["format"], "",
        "Feltene og kodene er beskrevet i `ordbok.json`.", "", "## Filer", "",
    ]
    for name, spec in dictionary["filer"].items():
        lines.append(f"- `{name}`: {spec['beskrivelse']}")
    lines += ["", "## Definisjoner i statistikken", "", dictionary["definisjoner"], ""]
    return "\n".join(lines)
