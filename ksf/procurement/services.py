"""All writes to joint procurement go through these functions (views, API and demo call them).

Every function checks access (`access.py`) first, validates with clear Norwegian messages,
refuses free text with a national identity number, and writes inside one transaction, so bad
input stores nothing. `initiative_move_phase` is the only place the phase changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ksf.accounts.access import actor_for
from ksf.accounts.models import Membership, Role, User
from ksf.core.identity import is_valid_orgnr, normalise_orgnr
from ksf.core.privacy import guard_free_text
from ksf.needs.models import Need, NeedKind
from ksf.organisations.models import Organisation, OrgKind

from . import access, phases
from .models import (
    CostRange,
    Document,
    ExperienceReport,
    Initiative,
    JoinRequest,
    JoinStatus,
    Participation,
    PhaseChange,
    PhasePlan,
    SupplierInterest,
    SupplierQuestion,
)
from .phases import Phase


class ConcurrentEditError(ValidationError):
    """Someone else changed the initiative first; nothing was written."""


def _clean(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()


def _check_lengths(values: dict[str, str], limits: dict[str, int]) -> dict[str, str]:
    errors = {}
    for key, limit in limits.items():
        if len(values.get(key, "")) > limit:
            errors[key] = _("Teksten er for lang (%(n)s tegn, maks %(max)s).") % {"n": len(values[key]), "max": limit}
    return errors


def _acting_org_for(user: Any, initiative: Initiative) -> Organisation | None:
    """The organisation the user acts for on this initiative (the lead first)."""
    ids = access.acting_org_ids(actor_for(user)) & access.initiative_org_ids(initiative)
    if initiative.lead_id in ids:
        return initiative.lead
    return Organisation.objects.filter(pk__in=ids).order_by("name").first()


# --- supplier accounts -----------------------------------------------------------------------

def supplier_register(
    *, organisation_name: str, org_number: str, username: str, email: str, password: str, full_name: str = ""
) -> User:
    """Create a supplier organisation, its first user and the supplier membership (all or nothing)."""
    name = _clean(organisation_name)
    username = _clean(username)
    email = _clean(email).lower()
    full_name = _clean(full_name)
    errors: dict[str, str] = {}
    if not name:
        errors["organisation_name"] = _("Skriv navnet på virksomheten.")
    elif len(name) > 200:
        errors["organisation_name"] = _("Navnet er for langt (maks 200 tegn).")
    digits = normalise_orgnr(org_number or "")
    if not is_valid_orgnr(org_number or "") or digits is None:
        errors["org_number"] = _(
            "Organisasjonsnummeret «%(value)s» er ikke gyldig. Et organisasjonsnummer har 9 siffer, "
            "og kontrollsifferet (det siste) må stemme etter modulus 11. Sjekk nummeret i Enhetsregisteret."
        ) % {"value": (org_number or "").strip()[:20]}
    elif Organisation.objects.filter(kind=OrgKind.SUPPLIER, org_number=digits).exists():
        errors["org_number"] = _(
            "Virksomheten med organisasjonsnummer %(nr)s er allerede registrert. Be administrator om å "
            "knytte deg til den eksisterende leverandørkontoen."
        ) % {"nr": digits}
    if not username:
        errors["username"] = _("Velg et brukernavn.")
    elif len(username) > 150 or not all(ch.isalnum() or ch in "@.+-_" for ch in username):
        errors["username"] = _("Brukernavnet kan bare inneholde bokstaver, tall og tegnene @ . + - _ (maks 150 tegn).")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("Brukernavnet er opptatt. Velg et annet.")
    try:
        EmailValidator(message=_("Skriv en gyldig e-postadresse."))(email)
    except ValidationError as exc:
        errors["email"] = exc.messages[0]
    if not errors.get("username") and not errors.get("email"):
        try:
            validate_password(password, User(username=username, email=email, full_name=full_name))
        except ValidationError as exc:
            errors["password"] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    guard_free_text({"organisation_name": (_("Virksomhetens navn"), name), "full_name": (_("Navn"), full_name)})
    assert digits is not None
    with transaction.atomic():
        base = slugify(name)[:100] or "leverandor"
        slug = base
        n = 2
        while Organisation.objects.filter(slug=slug).exists():
            slug = f"{base}-{n}"
            n += 1
        organisation = Organisation.objects.create(kind=OrgKind.SUPPLIER, name=name, slug=slug, org_number=digits)
        user = User(username=username, email=email, full_name=full_name)
        user.set_password(password)
        user.save()
        Membership.objects.create(user=user, organisation=organisation, role=Role.SUPPLIER)
    return user


# --- initiatives -----------------------------------------------------------------------------

CONTENT_LIMITS = {"title": 200, "description": 8000, "volume_text": 500, "volume_unit": 50}


def _clean_initiative(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in ("title", "description", "volume_text", "volume_unit"):
        if key in data or not partial:
            values[key] = _clean(data.get(key, ""))
    errors: dict[str, str] = {}
    if "title" in values and not values["title"]:
        errors["title"] = _("Skriv en tittel.")
    if "description" in values and not values["description"]:
        errors["description"] = _("Beskriv behovet (ikke løsningen).")
    errors.update(_check_lengths(values, CONTENT_LIMITS))
    if "volume_number" in data or not partial:
        number = data.get("volume_number")
        if number in (None, ""):
            values["volume_number"] = None
        else:
            try:
                values["volume_number"] = int(number)
                if values["volume_number"] < 0:
                    raise ValueError
            except (TypeError, ValueError):
                errors["volume_number"] = _("Skriv et helt tall (antall brukere, enheter e.l.).")
    if "dialogue_deadline" in data:
        deadline = data.get("dialogue_deadline")
        if deadline in (None, ""):
            values["dialogue_deadline"] = None
        elif isinstance(deadline, dt.date):
            values["dialogue_deadline"] = deadline
        else:
            try:
                values["dialogue_deadline"] = dt.date.fromisoformat(str(deadline))
            except ValueError:
                errors["dialogue_deadline"] = _("Skriv fristen som en dato (åååå-mm-dd).")
    if "dialogue_open" in data:
        values["dialogue_open"] = bool(data.get("dialogue_open"))
    if errors:
        raise ValidationError(errors)
    guard_free_text({
        "title": (_("Tittel"), values.get("title")),
        "description": (_("Beskrivelse"), values.get("description")),
        "volume_text": (_("Anslått volum"), values.get("volume_text")),
    })
    return values


def _check_needs(needs: Iterable[Need]) -> list[Need]:
    result = list(needs)
    bad = [n.public_id for n in result if n.kind != NeedKind.INNOVATION or n.published_at is None]
    if bad:
        raise ValidationError({"needs": _(
            "Bare publiserte innovasjonsbehov kan samles i en anskaffelse (gjelder %(ids)s).") % {"ids": ", ".join(bad)}})
    return result


def _check_participants(orgs: Iterable[Organisation], lead: Organisation) -> list[Organisation]:
    result = [o for o in orgs if o.pk != lead.pk]
    bad = [o.name for o in result if o.kind not in access.PARTICIPANT_KINDS]
    if bad:
        raise ValidationError({"participants": _(
            "Bare kommuner og helseforetak kan delta (gjelder %(names)s).") % {"names": ", ".join(bad)}})
    return result


def initiative_create(
    *,
    user: Any,
    lead: Organisation,
    data: dict[str, Any],
    needs: Iterable[Need] = (),
    participants: Iterable[Organisation] = (),
    publish: bool = False,
) -> Initiative:
    """Start an initiative in need clarification, pooled from published innovation needs."""
    access.require_create(user)
    if not access.acting_orgs(user).filter(pk=lead.pk).exists():
        raise PermissionDenied(_("Du kan bare starte en anskaffelse med en virksomhet du representerer som ansvarlig."))
    values = _clean_initiative(data, partial=False)
    values.pop("dialogue_open", None)
    pooled = _check_needs(needs)
    others = _check_participants(participants, lead)
    now = timezone.now()
    with transaction.atomic():
        initiative = Initiative.objects.create(
            lead=lead, created_by=user, published_at=now if publish else None, **values
        )
        initiative.needs.set(pooled)
        for org in others:
            Participation.objects.get_or_create(initiative=initiative, organisation=org, defaults={"added_by": user})
        PhaseChange.objects.create(
            initiative=initiative, from_phase="", to_phase=initiative.phase, actor=user,
            actor_organisation=lead, note=_("Anskaffelsen ble startet."), created_at=now,
        )
    return initiative


def initiative_update(
    *, initiative: Initiative, user: Any, data: dict[str, Any], version: int, needs: Iterable[Need] | None = None
) -> Initiative:
    """Edit the description, volume, pooled needs and the dialogue flag (participants only)."""
    access.require_participant(user, initiative)
    values = _clean_initiative(data, partial=True)
    if values.get("dialogue_open") and initiative.phase != Phase.MARKET_DIALOGUE:
        raise ValidationError({"dialogue_open": _(
            "Markedsdialogen kan bare være åpen mens anskaffelsen er i fasen «Markedsdialog».")})
    pooled = _check_needs(needs) if needs is not None else None
    with transaction.atomic():
        changed = Initiative.objects.filter(pk=initiative.pk, version=version).update(
            version=F("version") + 1, updated_at=timezone.now(), **values
        )
        if not changed:
            raise ConcurrentEditError(_(
                "Noen andre endret anskaffelsen mens du redigerte. Ingenting av det du gjorde er lagret; "
                "last siden på nytt og prøv igjen."))
        if pooled is not None:
            initiative.needs.set(pooled)
    initiative.refresh_from_db()
    return initiative


def initiative_publish(*, initiative: Initiative, user: Any) -> Initiative:
    access.require_participant(user, initiative)
    if initiative.published_at is None:
        Initiative.objects.filter(pk=initiative.pk, published_at__isnull=True).update(published_at=timezone.now(), updated_at=timezone.now())
        initiative.refresh_from_db()
    return initiative


def allowed_steps(*, initiative: Initiative, user: Any) -> list[phases.PhaseStep]:
    if not access.is_lead(user, initiative):
        return []
    return phases.steps_from(initiative.phase)


def initiative_move_phase(
    *, initiative: Initiative, user: Any, to: str, note: str = "", when: dt.datetime | None = None
) -> Initiative:
    """Move to another phase along the table (lead only); writes history and notifies."""
    access.require_lead(user, initiative)
    step = phases.get_step(initiative.phase, to)
    if step is None:
        allowed = ", ".join(f"«{phases.phase_label(s.target)}»" for s in phases.steps_from(initiative.phase))
        raise ValidationError({"to": _(
            "Anskaffelsen kan ikke gå fra «%(from)s» til «%(to)s». Herfra kan den gå til: %(allowed)s.") % {
            "from": phases.phase_label(initiative.phase), "to": phases.phase_label(to), "allowed": allowed or "–"}})
    note = _clean(note)
    if step.requires_note and not note:
        raise ValidationError({"note": _("Skriv en begrunnelse for å gå tilbake til en tidligere fase.")})
    if len(note) > 4000:
        raise ValidationError({"note": _("Begrunnelsen er for lang (maks 4000 tegn).")})
    guard_free_text({"note": (_("Begrunnelse"), note)})
    now = when or timezone.now()
    updates: dict[str, Any] = {"phase": to, "updated_at": now, "version": F("version") + 1}
    # The dialogue is open exactly while the initiative is in market dialogue.
    updates["dialogue_open"] = to == Phase.MARKET_DIALOGUE
    with transaction.atomic():
        changed = Initiative.objects.filter(pk=initiative.pk, phase=initiative.phase).update(**updates)
        if not changed:
            current = Initiative.objects.get(pk=initiative.pk)
            raise ConcurrentEditError(_(
                "Noen andre endret fasen samtidig (fasen er nå «%(phase)s»). Ingenting er lagret; "
                "last siden på nytt.") % {"phase": current.get_phase_display()})
        change = PhaseChange.objects.create(
            initiative=initiative, from_phase=initiative.phase, to_phase=to, actor=user,
            actor_organisation=initiative.lead, note=note, created_at=now,
        )
        change_id = change.pk
        transaction.on_commit(lambda: _enqueue_phase_notice(change_id))
    initiative.refresh_from_db()
    return initiative


def _enqueue_phase_notice(change_id: int) -> None:
    from .tasks import notify_phase_change

    notify_phase_change.enqueue(change_id=change_id)


def phase_plan_set(
    *, initiative: Initiative, user: Any, plans: dict[str, tuple[dt.date | None, dt.date | None]]
) -> None:
    """Planned start and end dates per phase (participants)."""
    access.require_participant(user, initiative)
    errors: dict[str, str] = {}
    for phase, (start, end) in plans.items():
        if phase not in Phase.values:
            errors[phase] = _("Ukjent fase «%(phase)s».") % {"phase": phase}
        elif start and end and end < start:
            errors[phase] = _("%(phase)s: sluttdatoen er før startdatoen.") % {"phase": phases.phase_label(phase)}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for phase, (start, end) in plans.items():
            if start is None and end is None:
                PhasePlan.objects.filter(initiative=initiative, phase=phase).delete()
            else:
                PhasePlan.objects.update_or_create(
                    initiative=initiative, phase=phase, defaults={"starts_on": start, "ends_on": end}
                )


def document_add(*, initiative: Initiative, user: Any, phase: str, title: str, url: str) -> Document:
    access.require_participant(user, initiative)
    title = _clean(title)
    url = _clean(url)
    errors: dict[str, str] = {}
    if phase not in Phase.values:
        errors["phase"] = _("Velg en fase.")
    if not title:
        errors["title"] = _("Skriv en tittel på dokumentet.")
    elif len(title) > 200:
        errors["title"] = _("Tittelen er for lang (maks 200 tegn).")
    try:
        URLValidator(schemes=["http", "https"], message=_("Skriv en gyldig lenke som begynner med https://"))(url)
        if len(url) > 500:
            raise ValidationError(_("Lenken er for lang (maks 500 tegn)."))
    except ValidationError as exc:
        errors["url"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    guard_free_text({"title": (_("Tittel"), title), "url": (_("Lenke"), url)})
    return Document.objects.create(initiative=initiative, phase=phase, title=title, url=url, added_by=user)


# --- joining -----------------------------------------------------------------------------------

def join_request_create(
    *, initiative: Initiative, user: Any, organisation: Organisation, message: str = ""
) -> JoinRequest:
    """Ask to join on behalf of a municipality or hospital trust the user acts for."""
    if not initiative.is_public and not access.is_participant(user, initiative):
        raise PermissionDenied(_("Anskaffelsen er ikke publisert."))
    if not access.acting_orgs(user, access.PARTICIPANT_KINDS).filter(pk=organisation.pk).exists():
        raise PermissionDenied(_(
            "Du kan bare be om å bli med på vegne av en kommune eller et helseforetak du representerer "
            "(som FoU-kontakt, klyngekoordinator eller ansatt i helseforetaket)."))
    if organisation.pk in access.initiative_org_ids(initiative):
        raise ValidationError({"organisation": _("%(org)s deltar allerede i anskaffelsen.") % {"org": organisation.name}})
    message = _clean(message)
    if len(message) > 2000:
        raise ValidationError({"message": _("Meldingen er for lang (maks 2000 tegn).")})
    guard_free_text({"message": (_("Melding"), message)})
    try:
        with transaction.atomic():
            return JoinRequest.objects.create(
                initiative=initiative, organisation=organisation, requested_by=user, message=message
            )
    except IntegrityError:
        raise ValidationError({"organisation": _(
            "%(org)s har allerede bedt om å bli med. Forespørselen venter på svar fra %(lead)s.") % {
            "org": organisation.name, "lead": initiative.lead.name}})


def join_request_decide(*, join_request: JoinRequest, user: Any, accept: bool, note: str = "") -> JoinRequest:
    initiative = join_request.initiative
    access.require_lead(user, initiative)
    note = _clean(note)
    if len(note) > 2000:
        raise ValidationError({"note": _("Begrunnelsen er for lang (maks 2000 tegn).")})
    guard_free_text({"note": (_("Begrunnelse"), note)})
    now = timezone.now()
    status = JoinStatus.ACCEPTED if accept else JoinStatus.DECLINED
    with transaction.atomic():
        changed = JoinRequest.objects.filter(pk=join_request.pk, status=JoinStatus.PENDING).update(
            status=status, decided_by=user, decided_at=now, decision_note=note
        )
        if not changed:
            raise ValidationError(_("Forespørselen er allerede besvart."))
        if accept:
            Participation.objects.get_or_create(
                initiative=initiative, organisation=join_request.organisation, defaults={"added_by": user}
            )
    join_request.refresh_from_db()
    return join_request


# --- suppliers -------------------------------------------------------------------------------

def interest_register(
    *, initiative: Initiative, user: Any, contact_role: str = "", supplier: Organisation | None = None
) -> SupplierInterest:
    """A supplier signs up for the market dialogue (once per supplier per initiative)."""
    supplier = access.require_supplier(user, supplier)
    if not initiative.is_public:
        raise PermissionDenied(_("Anskaffelsen er ikke publisert."))
    contact_role = _clean(contact_role)
    if len(contact_role) > 200:
        raise ValidationError({"contact_role": _("Rollen er for lang (maks 200 tegn).")})
    guard_free_text({"contact_role": (_("Kontaktpersonens rolle"), contact_role)})
    try:
        with transaction.atomic():
            return SupplierInterest.objects.create(
                initiative=initiative, supplier=supplier, user=user, contact_role=contact_role
            )
    except IntegrityError:
        raise ValidationError({"supplier": _("%(org)s har allerede meldt interesse for denne anskaffelsen.") % {
            "org": supplier.name}})


def question_ask(
    *, initiative: Initiative, user: Any, text: str, supplier: Organisation | None = None
) -> SupplierQuestion:
    supplier = access.require_supplier(user, supplier)
    if not initiative.is_public:
        raise PermissionDenied(_("Anskaffelsen er ikke publisert."))
    if not initiative.dialogue_accepts_questions:
        if initiative.dialogue_open and initiative.dialogue_deadline:
            message = _("Fristen for spørsmål gikk ut %(date)s. Spørsmålet er ikke lagret.") % {
                "date": initiative.dialogue_deadline.strftime("%d.%m.%Y")}
        else:
            message = _("Markedsdialogen er lukket, så det kan ikke stilles spørsmål nå. Spørsmålet er ikke lagret.")
        raise ValidationError({"text": message})
    text = _clean(text)
    if not text:
        raise ValidationError({"text": _("Skriv spørsmålet.")})
    if len(text) > 4000:
        raise ValidationError({"text": _("Spørsmålet er for langt (maks 4000 tegn).")})
    guard_free_text({"text": (_("Spørsmål"), text)})
    return SupplierQuestion.objects.create(initiative=initiative, supplier=supplier, asked_by=user, text=text)


def question_answer(*, question: SupplierQuestion, user: Any, answer: str) -> SupplierQuestion:
    """Publish the answer to all suppliers and the public (participants only)."""
    initiative = question.initiative
    access.require_participant(user, initiative)
    answer = _clean(answer)
    if not answer:
        raise ValidationError({"answer": _("Skriv svaret.")})
    if len(answer) > 8000:
        raise ValidationError({"answer": _("Svaret er for langt (maks 8000 tegn).")})
    guard_free_text({"answer": (_("Svar"), answer)})
    now = timezone.now()
    with transaction.atomic():
        changed = SupplierQuestion.objects.filter(pk=question.pk, answered_at__isnull=True).update(
            answer=answer, answered_at=now, answered_by=user,
            answered_by_organisation=_acting_org_for(user, initiative),
        )
        if not changed:
            raise ValidationError({"answer": _("Spørsmålet er allerede besvart. Ingenting er endret.")})
        question_id = question.pk
        transaction.on_commit(lambda: _enqueue_answer_notice(question_id))
    question.refresh_from_db()
    return question


def _enqueue_answer_notice(question_id: int) -> None:
    from .tasks import notify_answer_published

    notify_answer_published.enqueue(question_id=question_id)


# --- experience reports ------------------------------------------------------------------------

REPORT_LIMITS = {"title": 200, "what_procured": 4000, "effects": 8000, "lessons": 8000}
REPORT_LABELS: dict[str, Any] = {
    "title": gettext_lazy("Tittel"),
    "what_procured": gettext_lazy("Hva ble anskaffet"),
    "effects": gettext_lazy("Effekter som er målt"),
    "lessons": gettext_lazy("Hva vi ville gjort annerledes"),
}


def experience_report_create(
    *, initiative: Initiative, user: Any, organisation: Organisation, data: dict[str, Any], publish: bool = True
) -> ExperienceReport:
    """A participant shares what was procured and learned (after contract, in trial or scaling)."""
    access.require_participant(user, initiative)
    if not access.report_orgs(user, initiative).filter(pk=organisation.pk).exists():
        raise PermissionDenied(_("Du kan bare skrive erfaringsrapport for en deltakende virksomhet du representerer."))
    if initiative.phase not in phases.REPORTABLE_PHASES:
        raise ValidationError(_(
            "Erfaringsrapporter kan skrives når anskaffelsen er i kontrakt, utprøving eller skalering "
            "(nå: «%(phase)s»).") % {"phase": initiative.get_phase_display()})
    values = {k: _clean(data.get(k, "")) for k in REPORT_LIMITS}
    errors: dict[str, str] = {}
    for key in ("title", "what_procured", "effects", "lessons"):
        if not values[key]:
            errors[key] = _("Feltet må fylles ut.")
    errors.update(_check_lengths(values, REPORT_LIMITS))
    cost_range = data.get("cost_range") or CostRange.UNKNOWN
    if cost_range not in CostRange.values:
        errors["cost_range"] = _("Velg et kostnadsnivå fra listen.")
    if errors:
        raise ValidationError(errors)
    guard_free_text({k: (REPORT_LABELS[k], v) for k, v in values.items()})
    return ExperienceReport.objects.create(
        initiative=initiative, organisation=organisation, author=user, cost_range=cost_range,
        published_at=timezone.now() if publish else None, **values,
    )


def experience_report_publish(*, report: ExperienceReport, user: Any) -> ExperienceReport:
    access.require_participant(user, report.initiative)
    if not access.report_orgs(user, report.initiative).filter(pk=report.organisation_id).exists():
        raise PermissionDenied(_("Bare virksomheten som skrev rapporten kan publisere den."))
    if report.published_at is None:
        ExperienceReport.objects.filter(pk=report.pk, published_at__isnull=True).update(published_at=timezone.now(), updated_at=timezone.now())
        report.refresh_from_db()
    return report
