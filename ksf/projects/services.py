"""All writes to projects go through these functions (pages, API, import and demo call them).

Every function is atomic: on any error nothing is stored. Free text passes the privacy guard.
Linking a need and publishing results move the linked needs along their workflow through
`ksf.needs.services.need_transition` (system level), which writes the need's timeline and
e-mails its followers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ksf.core.privacy import guard_free_text
from ksf.needs.access import visible_needs
from ksf.needs.models import Need, ServiceArea
from ksf.needs.services import need_transition
from ksf.needs.workflow import Status as NeedStatus
from ksf.organisations.models import Organisation, OrgKind

from . import access
from .models import (
    MAX_AMOUNT_NOK,
    Capacity,
    Funding,
    FundingSource,
    Participant,
    ParticipationState,
    Phase,
    Project,
    ProjectKind,
    ProjectServiceArea,
    ProjectStatus,
    UserParticipation,
)

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
CRISTIN_RE = re.compile(r"^\d{1,10}$")
MAX_RESULTS = 18000  # leaves room for the project reference in the need's answer (max 20 000)

FIELD_LABELS = {
    "title": "Tittel",
    "summary": "Sammendrag",
    "keywords": "Emneord",
    "results": "Resultater",
    "publications": "Publikasjoner",
    "links": "Lenker",
    "note": "Merknad",
}


@dataclass(frozen=True)
class FundingRow:
    source: str
    amount: Any  # int, or text from a form/file; validated by `clean_funding`
    note: str = ""


@dataclass(frozen=True)
class ParticipationRow:
    phase: str
    capacity: str
    who: str


# --- validation ------------------------------------------------------------------------------

def normalise_doi(value: str) -> str:
    value = (value or "").strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"):
        if value.lower().startswith(prefix):
            value = value[len(prefix):]
    return value.strip()


def parse_amount(value: Any) -> int:
    """NOK as a whole number. Accepts 1500000, "1 500 000", "1.500.000", "kr 250 000"; raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        return int(value)
    text = str(value).strip().lower().replace("kr", "").replace("nok", "")
    text = re.sub(r"[\s\u00a0\u202f.]", "", text).replace(",-", "")
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(value)
    return int(text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return "".join(ch for ch in str(value) if ch in "\n\t" or ch.isprintable()).strip()


def _list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        parts = re.split(r"[;\n]", value)
    else:
        parts = [str(v) for v in value]
    return [p.strip() for p in parts if p and p.strip()]


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def clean_project_data(data: Mapping[str, Any], *, instance: Project | None = None) -> dict[str, Any]:
    """Validate a full set of project fields; returns clean values (orgs as instances). Raises ValidationError."""
    errors: dict[str, list[str]] = {}

    def err(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    values: dict[str, Any] = {}
    values["title"] = _text(data.get("title"))
    values["summary"] = _text(data.get("summary"))
    if not values["title"]:
        err("title", _("Skriv en tittel."))
    elif len(values["title"]) > 300:
        err("title", _("Tittelen er for lang (maks 300 tegn)."))
    if not values["summary"]:
        err("summary", _("Skriv et kort populærvitenskapelig sammendrag."))
    elif len(values["summary"]) > 5000:
        err("summary", _("Sammendraget er for langt (maks 5000 tegn)."))

    kind = _text(data.get("kind")) or ProjectKind.RESEARCH
    if kind not in ProjectKind.values:
        err("kind", _("Ukjent prosjekttype «%(value)s». Bruk forskning eller innovasjon.") % {"value": kind})
    values["kind"] = kind
    status = _text(data.get("status")) or ProjectStatus.PLANNED
    if status not in ProjectStatus.values:
        err("status", _("Ukjent status «%(value)s».") % {"value": status})
    values["status"] = status

    start = end = None
    try:
        start = _date(data.get("start_date"))
        if start is None:
            err("start_date", _("Sett startdato."))
    except ValueError:
        err("start_date", _("Startdatoen må skrives som ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ."))
    try:
        end = _date(data.get("end_date"))
    except ValueError:
        err("end_date", _("Sluttdatoen må skrives som ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ."))
    if start and end and end < start:
        err("end_date", _("Sluttdatoen kan ikke være før startdatoen."))
    values["start_date"], values["end_date"] = start, end

    for key, label in (("owner", _("Velg prosjekteier.")), ("leader", _("Velg organisasjonen som leder prosjektet."))):
        org = data.get(key)
        if not isinstance(org, Organisation):
            err(key, label)
        values[key] = org
    partners = list(data.get("partners") or [])
    municipalities = list(data.get("municipalities") or [])
    if any(not isinstance(o, Organisation) for o in partners):
        err("partners", _("Ukjent samarbeidspartner."))
    bad = [str(o) for o in municipalities if not isinstance(o, Organisation) or o.kind != OrgKind.MUNICIPALITY]
    if bad:
        err("municipalities", _("Ikke en kommune: %(names)s.") % {"names": ", ".join(bad)})
    values["partners"], values["municipalities"] = partners, municipalities

    keywords = _list(data.get("keywords"))
    values["keywords"] = "; ".join(keywords)
    if len(values["keywords"]) > 500:
        err("keywords", _("For mange emneord (maks 500 tegn til sammen)."))
    areas = _list(data.get("service_areas"))
    unknown = [a for a in areas if a not in ServiceArea.values]
    if unknown:
        err("service_areas", _("Ukjent tjenesteområde: %(values)s.") % {"values": ", ".join(unknown)})
    values["service_areas"] = list(dict.fromkeys(areas))

    publications = [normalise_doi(p) for p in _list(data.get("publications"))]
    bad_dois = [p for p in publications if not DOI_RE.match(p) or len(p) > 200]
    if bad_dois:
        err("publications", _("Ugyldig DOI: %(values)s. En DOI ser slik ut: 10.1186/s12913-020-05000-1.")
            % {"values": ", ".join(bad_dois)})
    values["publications"] = list(dict.fromkeys(publications))
    links = _list(data.get("links"))
    validate_url = URLValidator(schemes=["http", "https"])
    for link in links:
        try:
            validate_url(link)
        except ValidationError:
            err("links", _("Ugyldig lenke: %(value)s (må begynne med https:// eller http://).") % {"value": link})
    values["links"] = list(dict.fromkeys(links))

    cristin = _text(data.get("cristin_id"))
    if cristin and not CRISTIN_RE.match(cristin):
        err("cristin_id", _("Cristin-prosjektnummeret skal bare inneholde sifre (maks 10)."))
    elif cristin:
        clash = Project.objects.filter(cristin_id=cristin)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            err("cristin_id", _("Et annet prosjekt har allerede Cristin-prosjektnummer %(id)s.") % {"id": cristin})
    values["cristin_id"] = cristin
    values["is_published"] = bool(data.get("is_published", True))

    if errors:
        raise ValidationError(errors)
    guard_free_text({
        key: (FIELD_LABELS[key], values[key]) for key in ("title", "summary", "keywords")
    } | {
        "publications": (FIELD_LABELS["publications"], " ".join(values["publications"])),
        "links": (FIELD_LABELS["links"], " ".join(values["links"])),
    })
    return values


def clean_funding(rows: Sequence[FundingRow]) -> list[FundingRow]:
    errors: list[str] = []
    clean: list[FundingRow] = []
    for number, row in enumerate(rows, start=1):
        source = _text(row.source)
        if source not in FundingSource.values:
            errors.append(_("Finansiering nr. %(n)s: ukjent kilde «%(value)s».") % {"n": number, "value": source})
        try:
            amount = parse_amount(row.amount)
        except (ValueError, TypeError):
            errors.append(_("Finansiering nr. %(n)s: beløpet «%(value)s» er ikke et helt antall kroner.")
                          % {"n": number, "value": row.amount})
            continue
        if amount < 0:
            errors.append(_("Finansiering nr. %(n)s: beløpet kan ikke være negativt.") % {"n": number})
        elif amount > MAX_AMOUNT_NOK:
            errors.append(_("Finansiering nr. %(n)s: beløpet %(amount)s kr er urimelig høyt (maks 1 milliard kroner).")
                          % {"n": number, "amount": f"{amount:,}".replace(",", " ")})
        note = _text(row.note)
        if len(note) > 200:
            errors.append(_("Finansiering nr. %(n)s: merknaden er for lang (maks 200 tegn).") % {"n": number})
        clean.append(FundingRow(source=source, amount=amount, note=note))
    if errors:
        raise ValidationError({"funding": errors})
    guard_free_text({f"funding_{i}": (FIELD_LABELS["note"], r.note) for i, r in enumerate(clean)})
    return clean


def clean_participation(state: str, rows: Sequence[ParticipationRow]) -> tuple[str, list[ParticipationRow]]:
    errors: list[str] = []
    state = _text(state)
    if state not in ParticipationState.values:
        errors.append(_("Ukjent svar om brukermedvirkning «%(value)s».") % {"value": state})
    clean: list[ParticipationRow] = []
    for number, row in enumerate(rows, start=1):
        phase, capacity, who = _text(row.phase), _text(row.capacity), _text(row.who)
        if phase not in Phase.values:
            errors.append(_("Brukermedvirkning nr. %(n)s: ukjent fase «%(value)s».") % {"n": number, "value": phase})
        if capacity not in Capacity.values:
            errors.append(_("Brukermedvirkning nr. %(n)s: ukjent rolle «%(value)s».") % {"n": number, "value": capacity})
        if who not in Participant.values:
            errors.append(_("Brukermedvirkning nr. %(n)s: ukjent gruppe «%(value)s».") % {"n": number, "value": who})
        row = ParticipationRow(phase=phase, capacity=capacity, who=who)
        if row not in clean:
            clean.append(row)
    if not errors:
        if state == ParticipationState.PARTICIPATION and not clean:
            errors.append(_("Du har svart at brukere deltok: legg til minst én rad med fase, rolle og hvem."))
        if state != ParticipationState.PARTICIPATION and clean:
            errors.append(_("Rader om brukermedvirkning kan bare registreres når svaret er «Med brukermedvirkning». "
                            "Fjern radene eller endre svaret."))
    if errors:
        raise ValidationError({"participation": errors})
    return state, clean


# --- writing -----------------------------------------------------------------------------

def _save_relations(project: Project, values: Mapping[str, Any]) -> None:
    project.partners.set(values["partners"])
    project.municipalities.set(values["municipalities"])
    ProjectServiceArea.objects.filter(project=project).exclude(area__in=values["service_areas"]).delete()
    existing = set(ProjectServiceArea.objects.filter(project=project).values_list("area", flat=True))
    ProjectServiceArea.objects.bulk_create(
        [ProjectServiceArea(project=project, area=a) for a in values["service_areas"] if a not in existing]
    )


def _replace_funding(project: Project, rows: Sequence[FundingRow]) -> None:
    Funding.objects.filter(project=project).delete()
    Funding.objects.bulk_create([Funding(project=project, source=r.source, amount=r.amount, note=r.note) for r in rows])


def _replace_participation(project: Project, state: str, rows: Sequence[ParticipationRow]) -> None:
    UserParticipation.objects.filter(project=project).delete()
    UserParticipation.objects.bulk_create(
        [UserParticipation(project=project, phase=r.phase, capacity=r.capacity, who=r.who) for r in rows]
    )
    Project.objects.filter(pk=project.pk).update(participation_reported=state, updated_at=timezone.now())
    project.participation_reported = state


MODEL_FIELDS = (
    "title", "summary", "kind", "status", "start_date", "end_date", "owner", "leader",
    "keywords", "publications", "links", "cristin_id", "is_published",
)


def _collect(errors: dict[str, list[str]], exc: ValidationError) -> None:
    for key, messages in exc.message_dict.items():
        errors.setdefault(key, []).extend(messages)


def project_create(
    *,
    user: Any,
    data: Mapping[str, Any],
    funding: Sequence[FundingRow] = (),
    participation_state: str = ParticipationState.NOT_REPORTED,
    participation: Sequence[ParticipationRow] = (),
    needs: Sequence[Need] = (),
) -> Project:
    """Register a project. Raises PermissionDenied or ValidationError (keyed by field); nothing stored on error."""
    access.require_create(user)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    clean_rows: list[FundingRow] = []
    state: str = ParticipationState.NOT_REPORTED.value
    rows: list[ParticipationRow] = []
    for step in ("data", "funding", "participation"):
        try:
            if step == "data":
                values = clean_project_data(data)
            elif step == "funding":
                clean_rows = clean_funding(funding)
            else:
                state, rows = clean_participation(participation_state, participation)
        except ValidationError as exc:
            _collect(errors, exc)
    if errors:
        raise ValidationError(errors)
    access.require_scope(user, owner=values["owner"], leader=values["leader"])
    try:
        with transaction.atomic():
            project = Project.objects.create(created_by=user, **{k: values[k] for k in MODEL_FIELDS})
            _save_relations(project, values)
            _replace_funding(project, clean_rows)
            _replace_participation(project, state, rows)
            for need in needs:
                project_link_need(project=project, user=user, need=need)
    except IntegrityError as exc:
        raise ValidationError({"cristin_id": [_("Et annet prosjekt har allerede dette Cristin-prosjektnummeret.")]}) from exc
    project.refresh_from_db()
    return project


def current_data(project: Project) -> dict[str, Any]:
    """The project's fields in the shape `clean_project_data` takes (for partial updates)."""
    return {
        **{k: getattr(project, k) for k in MODEL_FIELDS},
        "partners": list(project.partners.all()),
        "municipalities": list(project.municipalities.all()),
        "service_areas": project.service_area_codes,
    }


def _conflict() -> ValidationError:
    return ValidationError({"__all__": [_(
        "Prosjektet ble endret av noen andre mens du redigerte. Ingenting av det du gjorde er lagret; "
        "last siden på nytt og prøv igjen."
    )]})


def project_update(
    *,
    project: Project,
    user: Any,
    data: Mapping[str, Any],
    funding: Sequence[FundingRow] | None = None,
    participation_state: str | None = None,
    participation: Sequence[ParticipationRow] | None = None,
    expected_version: int | None = None,
) -> Project:
    """Change a project. Only keys present in `data` change; funding/participation are replaced when given."""
    access.require_edit(user, project)
    merged = current_data(project) | dict(data)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    clean_rows: list[FundingRow] | None = None
    part: tuple[str, list[ParticipationRow]] | None = None
    try:
        values = clean_project_data(merged, instance=project)
    except ValidationError as exc:
        _collect(errors, exc)
    if funding is not None:
        try:
            clean_rows = clean_funding(funding)
        except ValidationError as exc:
            _collect(errors, exc)
    if participation_state is not None or participation is not None:
        try:
            part = clean_participation(
                participation_state if participation_state is not None else project.participation_reported,
                participation if participation is not None else _rows_of(project),
            )
        except ValidationError as exc:
            _collect(errors, exc)
    if errors:
        raise ValidationError(errors)
    access.require_scope(user, owner=values["owner"], leader=values["leader"])
    version = project.version if expected_version is None else expected_version
    try:
        with transaction.atomic():
            changed = Project.objects.filter(pk=project.pk, version=version).update(
                version=F("version") + 1, updated_at=timezone.now(), **{k: values[k] for k in MODEL_FIELDS}
            )
            if not changed:
                raise _conflict()
            _save_relations(project, values)
            if clean_rows is not None:
                _replace_funding(project, clean_rows)
            if part is not None:
                _replace_participation(project, *part)
    except IntegrityError as exc:
        raise ValidationError({"cristin_id": [_("Et annet prosjekt har allerede dette Cristin-prosjektnummeret.")]}) from exc
    project.refresh_from_db()
    return project


def _rows_of(project: Project) -> list[ParticipationRow]:
    return [ParticipationRow(r.phase, r.capacity, r.who) for r in project.participation.all()]


def project_set_participation(
    *, project: Project, user: Any, state: str, rows: Sequence[ParticipationRow] = ()
) -> Project:
    """Record user participation: state plus rows (rows iff state == participation)."""
    access.require_edit(user, project)
    state, clean = clean_participation(state, rows)
    with transaction.atomic():
        changed = Project.objects.filter(pk=project.pk, version=project.version).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        if not changed:
            raise _conflict()
        _replace_participation(project, state, clean)
    project.refresh_from_db()
    return project


def project_url(project: Project) -> str:
    return reverse("projects:detail", args=[project.pk])


def _results_answer(project: Project) -> str:
    return _("%(results)s\n\nResultater fra prosjektet «%(title)s»: %(url)s") % {
        "results": project.results, "title": project.title, "url": project_url(project)}


def _publish_to_need(project: Project, need: Need) -> None:
    need_transition(
        need=need, user=None, to=NeedStatus.RESULTS_PUBLISHED, system=True,
        answer=_results_answer(project),
        reason=_("Resultater publisert i prosjektet «%(title)s» (%(url)s).") % {
            "title": project.title, "url": project_url(project)},
    )


def project_link_need(*, project: Project, user: Any, need: Need) -> Project:
    """Say that the project answers this need. A need in «research proposal» moves to «in project»
    (and on to «results published» if the project has published results)."""
    access.require_edit(user, project)
    if need.published_at is None or not visible_needs(user).filter(pk=need.pk).exists():
        raise ValidationError({"need": [_("Behovet %(id)s finnes ikke eller er ikke publisert.") % {"id": need.public_id}]})
    with transaction.atomic():
        project.needs.add(need)
        need = Need.objects.get(pk=need.pk)
        if need.status == NeedStatus.RESEARCH_PROPOSAL:
            need = need_transition(
                need=need, user=None, to=NeedStatus.IN_PROJECT, system=True,
                project_ref=_("Knyttet til prosjektet «%(title)s» (%(url)s).") % {
                    "title": project.title, "url": project_url(project)},
            )
        if project.results_published_at and need.status == NeedStatus.IN_PROJECT:
            _publish_to_need(project, need)
    return project


def project_unlink_need(*, project: Project, user: Any, need: Need) -> Project:
    """Remove the link (the need's status stays; its timeline keeps what happened)."""
    access.require_edit(user, project)
    project.needs.remove(need)
    return project


def project_publish_results(
    *,
    project: Project,
    user: Any,
    results: str,
    publications: Sequence[str] | None = None,
    links: Sequence[str] | None = None,
    when: dt.datetime | None = None,
) -> Project:
    """Publish (or correct) the plain-language results. Each linked need «in project» gets
    «results published» with the results as its answer: timeline entry and e-mail to followers."""
    access.require_edit(user, project)
    text = _text(results)
    errors: dict[str, list[str]] = {}
    if not text:
        errors["results"] = [_("Skriv resultatene i klarspråk.")]
    elif len(text) > MAX_RESULTS:
        errors["results"] = [_("Resultatteksten er for lang (maks %(max)s tegn).") % {"max": MAX_RESULTS}]
    data: dict[str, Any] = {}
    if publications is not None:
        data["publications"] = list(publications)
    if links is not None:
        data["links"] = list(links)
    values: dict[str, Any] = {}
    try:
        values = clean_project_data(current_data(project) | data, instance=project)
    except ValidationError as exc:
        for key in ("publications", "links"):
            if key in exc.message_dict:
                errors[key] = exc.message_dict[key]
    if errors:
        raise ValidationError(errors)
    guard_free_text({"results": (FIELD_LABELS["results"], text)})
    now = when or timezone.now()
    with transaction.atomic():
        changed = Project.objects.filter(pk=project.pk, version=project.version).update(
            results=text,
            results_published_at=project.results_published_at or now,
            publications=values["publications"],
            links=values["links"],
            version=F("version") + 1,
            updated_at=now,
        )
        if not changed:
            raise _conflict()
        project.refresh_from_db()
        for need in project.needs.filter(status=NeedStatus.IN_PROJECT).order_by("pk"):
            _publish_to_need(project, need)
    return project


def funding_rows(items: Sequence[Mapping[str, Any]]) -> list[FundingRow]:
    return [FundingRow(source=str(i.get("source", "")), amount=i.get("amount", ""), note=str(i.get("note", "") or ""))
            for i in items]


def participation_rows(items: Sequence[Mapping[str, Any]]) -> list[ParticipationRow]:
    return [ParticipationRow(phase=str(i.get("phase", "")), capacity=str(i.get("capacity", "")), who=str(i.get("who", "")))
            for i in items]

