"""All writes to prioritisation rounds and decision records (views, API and demo call these).

Every function checks access (from `access.py`), validates with clear Norwegian messages and
writes inside one transaction: on bad input nothing is stored. Round decisions move the need
only through `ksf.needs.services.need_transition`, with the round as the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ksf.accounts.access import actor_for
from ksf.core.privacy import guard_free_text
from ksf.needs.models import Need
from ksf.needs.services import need_transition
from ksf.needs.workflow import Status
from ksf.organisations.models import HealthRegion, Organisation, OrgKind

from . import access
from .criteria import default_criteria, knowledge_score, omfang_for
from .models import (
    SCALE_MAX,
    SCALE_MIN,
    Candidate,
    ConflictDeclaration,
    Criterion,
    CriterionSource,
    DecisionKind,
    DecisionRecord,
    MunicipalDecision,
    Participant,
    Round,
    RoundDecision,
    RoundLevel,
    RoundStatus,
    Score,
)

# Round status changes the coordinator may make (from → allowed targets).
ROUND_STEPS: dict[str, tuple[str, ...]] = {
    RoundStatus.DRAFT: (RoundStatus.OPEN,),
    RoundStatus.OPEN: (RoundStatus.DRAFT, RoundStatus.SCORING),
    RoundStatus.SCORING: (RoundStatus.OPEN, RoundStatus.CLOSED),
    RoundStatus.CLOSED: (RoundStatus.PUBLISHED,),
    RoundStatus.PUBLISHED: (),
}
SETUP_STATUSES = (RoundStatus.DRAFT, RoundStatus.OPEN)  # criteria, participants, candidates
SCORING_STATUSES = (RoundStatus.OPEN, RoundStatus.SCORING)  # declarations and scores
DECISION_STATUSES = (RoundStatus.SCORING,)

DECISION_TARGETS: dict[str, str | None] = {
    DecisionKind.EVIDENCE_CHECK: Status.EVIDENCE_CHECK,
    DecisionKind.SUMMARY: Status.SUMMARY_COMMISSIONED,
    DecisionKind.RESEARCH: Status.RESEARCH_PROPOSAL,
    DecisionKind.NATIONAL: Status.NATIONAL,
    DecisionKind.DEFER: None,
}
WEIGHT_MAX = Decimal("10")


def _clean(text: Any) -> str:
    return "".join(ch for ch in str(text or "") if ch in "\n\t" or ch.isprintable()).strip()


def _require_manager(round_: Round, user: Any) -> None:
    if not access.can_manage_round(user, round_):
        raise PermissionDenied(_("Bare koordinatoren for runden kan gjøre dette."))


def _require_status(round_: Round, allowed: tuple[str, ...], action: str) -> None:
    if round_.is_locked:
        raise ValidationError(_("Runden er avsluttet og kan ikke endres."))
    if round_.status not in allowed:
        raise ValidationError(
            _("%(action)s er ikke mulig når runden har status «%(status)s».")
            % {"action": action, "status": round_.get_status_display()}
        )


def _fresh(round_: Round) -> Round:
    """Re-read the round under a row lock so two people acting at once cannot slip past the status check."""
    return Round.objects.select_for_update().get(pk=round_.pk)


# --- rounds -----------------------------------------------------------------------------

def default_candidates(*, level: str, region: HealthRegion | None) -> list[Need]:
    if level == RoundLevel.NATIONAL:
        return list(Need.objects.filter(status=Status.NATIONAL).order_by("submitted_at", "pk"))
    return list(Need.objects.filter(status=Status.FORWARDED, region=region).order_by("submitted_at", "pk"))


def round_create(
    *, user: Any, level: str, region: HealthRegion | None, title: str, meeting_date: dt.date, notes: str = "",
    candidates: list[Need] | None = None,
) -> Round:
    """Open a round with the default criteria and, unless given, the default candidate needs."""
    actor = actor_for(user)
    if level not in RoundLevel.values:
        raise ValidationError({"level": _("Velg regionalt eller nasjonalt nivå.")})
    if level == RoundLevel.REGIONAL and region is None:
        raise ValidationError({"region": _("Velg helseregion for en regional runde.")})
    if level == RoundLevel.NATIONAL:
        region = None
    if not access.can_open_round(actor, level, region.pk if region else None):
        raise PermissionDenied(
            _("Du kan bare åpne runder for din egen region.") if level == RoundLevel.REGIONAL
            else _("Bare nasjonal koordinator kan åpne nasjonale runder.")
        )
    title, notes = _clean(title), _clean(notes)
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Skriv en tittel.")
    elif len(title) > 200:
        errors["title"] = _("Tittelen er for lang (maks 200 tegn).")
    if meeting_date is None:
        errors["meeting_date"] = _("Sett en møtedato.")
    if len(notes) > 4000:
        errors["notes"] = _("Teksten er for lang (maks 4000 tegn).")
    if errors:
        raise ValidationError(errors)
    guard_free_text({"title": (_("Tittel"), title), "notes": (_("Merknader"), notes)})
    with transaction.atomic():
        round_ = Round.objects.create(
            level=level, region=region, title=title, meeting_date=meeting_date, notes=notes, created_by=user
        )
        for order, spec in enumerate(default_criteria()):
            Criterion.objects.create(
                round=round_, key=spec.key, name=spec.name, description=spec.description, source=spec.source,
                weight=spec.weight, anchors=spec.anchors, order=order,
            )
        needs = candidates if candidates is not None else default_candidates(level=level, region=region)
        for need in needs:
            _check_candidate(round_, need)
            Candidate.objects.create(round=round_, need=need, added_by=user)
    return round_


def round_update(*, round_: Round, user: Any, title: str, meeting_date: dt.date, notes: str = "") -> Round:
    _require_manager(round_, user)
    title, notes = _clean(title), _clean(notes)
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Skriv en tittel.")
    elif len(title) > 200:
        errors["title"] = _("Tittelen er for lang (maks 200 tegn).")
    if meeting_date is None:
        errors["meeting_date"] = _("Sett en møtedato.")
    if len(notes) > 4000:
        errors["notes"] = _("Teksten er for lang (maks 4000 tegn).")
    if errors:
        raise ValidationError(errors)
    guard_free_text({"title": (_("Tittel"), title), "notes": (_("Merknader"), notes)})
    with transaction.atomic():
        locked = _fresh(round_)
        _require_status(locked, (RoundStatus.DRAFT, RoundStatus.OPEN, RoundStatus.SCORING), _("Å endre runden"))
        Round.objects.filter(pk=round_.pk).update(title=title, meeting_date=meeting_date, notes=notes, updated_at=timezone.now())
    round_.refresh_from_db()
    return round_


def round_set_status(*, round_: Round, user: Any, to: str) -> Round:
    _require_manager(round_, user)
    with transaction.atomic():
        locked = _fresh(round_)
        if to not in ROUND_STEPS.get(locked.status, ()):
            if locked.is_locked:
                raise ValidationError(_("Runden er avsluttet og kan ikke endres."))
            raise ValidationError(
                _("Runden kan ikke gå fra «%(from)s» til «%(to)s».")
                % {"from": locked.get_status_display(), "to": RoundStatus(to).label if to in RoundStatus.values else to}
            )
        if to == RoundStatus.OPEN and locked.status == RoundStatus.DRAFT:
            problems = []
            if not locked.participants.exists():
                problems.append(_("Inviter minst én deltaker."))
            if not locked.candidates.exists():
                problems.append(_("Legg til minst ett kandidatbehov."))
            if not locked.criteria.filter(weight__gt=0).exists():
                problems.append(_("Minst ett kriterium må ha vekt over 0."))
            if problems:
                raise ValidationError(problems)
        now = timezone.now()
        if to == RoundStatus.SCORING:
            _freeze_computed(locked, now)
        elif locked.status == RoundStatus.SCORING and to == RoundStatus.OPEN:
            Candidate.objects.filter(round=locked).update(
                frozen_at=None, municipalities=None, population=None, omfang_score=None, knowledge_score=None, knowledge_note="")
        updates: dict[str, Any] = {"status": to, "updated_at": now}
        if to == RoundStatus.CLOSED:
            updates["closed_at"] = now
        if to == RoundStatus.PUBLISHED:
            updates["published_at"] = now
        Round.objects.filter(pk=round_.pk).update(**updates)
    round_.refresh_from_db()
    return round_


def _freeze_computed(round_: Round, now: dt.datetime) -> None:
    """Store omfang and kunnskapsstatus as they are when the meeting starts (see Candidate)."""
    candidates = list(Candidate.objects.filter(round=round_).select_related("need"))
    omfang = omfang_for([c.need for c in candidates])
    for candidate in candidates:
        info = omfang[candidate.need_id]
        points, note = knowledge_score(candidate.need)
        Candidate.objects.filter(pk=candidate.pk).update(
            frozen_at=now, municipalities=info.municipalities, population=info.population, omfang_score=info.score,
            knowledge_score=points, knowledge_note=str(note)[:200],
        )


# --- criteria ---------------------------------------------------------------------------

def _parse_weight(value: Any) -> Decimal | None:
    try:
        weight = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        return None
    if not weight.is_finite() or weight < 0 or weight > WEIGHT_MAX or weight != weight.quantize(Decimal("0.1")):
        return None
    return weight


def criteria_set_weights(*, round_: Round, user: Any, weights: Mapping[int, Any]) -> None:
    """weights: criterion id → weight 0–10 (one decimal). 0 leaves the criterion out of the ranking."""
    _require_manager(round_, user)
    errors: dict[str, str] = {}
    parsed: dict[int, Decimal] = {}
    known = {c.pk: c for c in round_.criteria.all()}
    for criterion_id, raw in weights.items():
        if criterion_id not in known:
            errors[f"weight_{criterion_id}"] = _("Kriteriet hører ikke til denne runden.")
            continue
        weight = _parse_weight(raw)
        if weight is None:
            errors[f"weight_{criterion_id}"] = _("Vekten for «%(name)s» må være et tall fra 0 til 10 (én desimal).") % {
                "name": known[criterion_id].name}
        else:
            parsed[criterion_id] = weight
    if errors:
        raise ValidationError(errors)
    if parsed and not any(w > 0 for w in {**{c: known[c].weight for c in known}, **parsed}.values()):
        raise ValidationError(_("Minst ett kriterium må ha vekt over 0."))
    with transaction.atomic():
        _require_status(_fresh(round_), SETUP_STATUSES, _("Å endre vektene"))
        for criterion_id, weight in parsed.items():
            Criterion.objects.filter(pk=criterion_id, round=round_).update(weight=weight)


def criterion_add(
    *, round_: Round, user: Any, name: str, description: str = "", weight: Any = 1, anchors: Mapping[str, str] | None = None
) -> Criterion:
    """Add a criterion scored by the participants (1–5)."""
    _require_manager(round_, user)
    name, description = _clean(name), _clean(description)
    clean_anchors = {str(k): _clean(v) for k, v in (anchors or {}).items() if _clean(v)}
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Skriv et navn på kriteriet.")
    elif len(name) > 100:
        errors["name"] = _("Navnet er for langt (maks 100 tegn).")
    if len(description) > 500:
        errors["description"] = _("Beskrivelsen er for lang (maks 500 tegn).")
    parsed = _parse_weight(weight)
    if parsed is None:
        errors["weight"] = _("Vekten må være et tall fra 0 til 10 (én desimal).")
    for key in clean_anchors:
        if key not in {str(i) for i in range(SCALE_MIN, SCALE_MAX + 1)}:
            errors["anchors"] = _("Forankringspunkter kan bare gis for poeng 1–5.")
    key = slugify(name)[:40] or "kriterium"
    if not errors and round_.criteria.filter(key=key).exists():
        errors["name"] = _("Runden har allerede et kriterium med dette navnet.")
    if errors or parsed is None:
        raise ValidationError(errors)
    guard_free_text({"name": (_("Navn"), name), "description": (_("Beskrivelse"), description),
                     **{f"anchor_{k}": (_("Forankringspunkt"), v) for k, v in clean_anchors.items()}})
    with transaction.atomic():
        _require_status(_fresh(round_), SETUP_STATUSES, _("Å legge til kriterier"))
        order = (round_.criteria.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        return Criterion.objects.create(
            round=round_, key=key, name=name, description=description, source=CriterionSource.SCORED,
            weight=parsed, anchors=clean_anchors, order=order,
        )


def criterion_remove(*, round_: Round, user: Any, criterion: Criterion) -> None:
    _require_manager(round_, user)
    if criterion.round_id != round_.pk:
        raise ValidationError(_("Kriteriet hører ikke til denne runden."))
    with transaction.atomic():
        locked = _fresh(round_)
        _require_status(locked, SETUP_STATUSES, _("Å fjerne kriterier"))
        if not locked.criteria.exclude(pk=criterion.pk).filter(weight__gt=0).exists():
            raise ValidationError(_("Runden må ha minst ett kriterium med vekt over 0."))
        criterion.delete()


# --- participants and candidates ----------------------------------------------------------

def participant_invite(*, round_: Round, user: Any, invitee: Any, capacity: str = "") -> Participant:
    _require_manager(round_, user)
    capacity = _clean(capacity)[:200]
    guard_free_text({"capacity": (_("Representerer"), capacity)})
    if invitee is None or not getattr(invitee, "is_active", False):
        raise ValidationError({"user": _("Velg en aktiv bruker.")})
    with transaction.atomic():
        _require_status(_fresh(round_), SETUP_STATUSES + (RoundStatus.SCORING,), _("Å invitere deltakere"))
        if Participant.objects.filter(round=round_, user=invitee).exists():
            raise ValidationError({"user": _("%(name)s er allerede invitert.") % {"name": invitee}})
        if not capacity:
            membership = invitee.memberships.select_related("organisation").order_by("pk").first()
            capacity = f"{membership.get_role_display()}, {membership.organisation.name}" if membership else ""
        return Participant.objects.create(round=round_, user=invitee, capacity=capacity, invited_by=user)


def participant_remove(*, round_: Round, user: Any, participant: Participant) -> None:
    _require_manager(round_, user)
    if participant.round_id != round_.pk:
        raise ValidationError(_("Deltakeren hører ikke til denne runden."))
    with transaction.atomic():
        _require_status(_fresh(round_), SETUP_STATUSES, _("Å fjerne deltakere"))
        if Score.objects.filter(round=round_, user_id=participant.user_id).exists():
            raise ValidationError(_("Deltakeren har allerede gitt poeng og kan ikke fjernes; poengene skal stå i referatet."))
        ConflictDeclaration.objects.filter(round=round_, user_id=participant.user_id).delete()
        participant.delete()


def eligible_needs(round_: Round) -> list[Need]:
    """Needs that may be added as candidates (not already in the round)."""
    qs = Need.objects.exclude(priority_candidacies__round=round_)
    if round_.level == RoundLevel.NATIONAL:
        qs = qs.filter(status=Status.NATIONAL)
    else:
        qs = qs.filter(status=Status.FORWARDED, region_id=round_.region_id)
    return list(qs.select_related("municipality").order_by("public_id"))


def _check_candidate(round_: Round, need: Need) -> None:
    if round_.level == RoundLevel.NATIONAL:
        if need.status != Status.NATIONAL:
            raise ValidationError({"need": _("Behovet %(id)s er ikke løftet til nasjonalt nivå.") % {"id": need.public_id}})
    else:
        if need.region_id != round_.region_id:
            raise ValidationError({"need": _("Behovet %(id)s hører til en annen helseregion.") % {"id": need.public_id}})
        if need.status != Status.FORWARDED:
            raise ValidationError({"need": _("Behovet %(id)s er ikke sendt videre til regional prioritering (status «%(status)s»).") % {
                "id": need.public_id, "status": need.get_status_display()}})


def candidate_add(*, round_: Round, user: Any, need: Need) -> Candidate:
    _require_manager(round_, user)
    with transaction.atomic():
        _require_status(_fresh(round_), SETUP_STATUSES, _("Å legge til behov"))
        if Candidate.objects.filter(round=round_, need=need).exists():
            raise ValidationError({"need": _("Behovet %(id)s er allerede med i runden.") % {"id": need.public_id}})
        _check_candidate(round_, need)
        return Candidate.objects.create(round=round_, need=need, added_by=user)


def candidate_remove(*, round_: Round, user: Any, need: Need) -> None:
    _require_manager(round_, user)
    with transaction.atomic():
        _require_status(_fresh(round_), SETUP_STATUSES, _("Å fjerne behov"))
        if not Candidate.objects.filter(round=round_, need=need).exists():
            raise ValidationError({"need": _("Behovet er ikke med i runden.")})
        Score.objects.filter(round=round_, need=need).delete()
        ConflictDeclaration.objects.filter(round=round_, need=need).delete()
        Candidate.objects.filter(round=round_, need=need).delete()


# --- declarations and scores --------------------------------------------------------------

def _require_participant(round_: Round, user: Any) -> None:
    if not access.is_participant(user, round_):
        raise PermissionDenied(_("Du er ikke invitert som deltaker i denne runden."))


def _require_candidate(round_: Round, need: Need) -> None:
    if not Candidate.objects.filter(round=round_, need=need).exists():
        raise ValidationError({"need": _("Behovet %(id)s er ikke med i denne runden.") % {"id": need.public_id}})


def conflict_declare(*, round_: Round, user: Any, need: Need, conflicted: bool, note: str = "") -> ConflictDeclaration:
    """Habilitet for one need. A conflicted participant's scores for the need are left out of the ranking."""
    _require_participant(round_, user)
    note = _clean(note)
    if len(note) > 1000:
        raise ValidationError({"note": _("Merknaden er for lang (maks 1000 tegn).")})
    if conflicted and not note:
        raise ValidationError({"note": _("Skriv kort hva inhabiliteten gjelder (f.eks. «meldt inn av egen kommune»).")})
    guard_free_text({"note": (_("Merknad"), note)})
    with transaction.atomic():
        _require_status(_fresh(round_), SCORING_STATUSES, _("Habilitetsvurdering"))
        _require_candidate(round_, need)
        declaration, _created = ConflictDeclaration.objects.update_or_create(
            round=round_, user=user, need=need, defaults={"conflicted": bool(conflicted), "note": note}
        )
    return declaration


def scores_submit(*, round_: Round, user: Any, need: Need, values: Mapping[int, Any]) -> list[Score]:
    """values: criterion id → points 1–5 (None or "" clears). All or nothing."""
    _require_participant(round_, user)
    criteria = {c.pk: c for c in round_.criteria.all()}
    errors: dict[str, str] = {}
    parsed: dict[int, int | None] = {}
    for criterion_id, raw in values.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            errors[f"criterion_{criterion_id}"] = _("Kriteriet hører ikke til denne runden.")
            continue
        if not criterion.is_scored:
            errors[f"criterion_{criterion_id}"] = _("«%(name)s» beregnes av systemet og gis ikke poeng.") % {"name": criterion.name}
            continue
        if raw is None or raw == "":
            parsed[criterion_id] = None
            continue
        try:
            number = int(str(raw).strip())
        except ValueError:
            number = None
        if number is None or str(number) != str(raw).strip() or not SCALE_MIN <= number <= SCALE_MAX:
            errors[f"criterion_{criterion_id}"] = _("Poeng for «%(name)s» må være et helt tall fra %(min)s til %(max)s.") % {
                "name": criterion.name, "min": SCALE_MIN, "max": SCALE_MAX}
            continue
        parsed[criterion_id] = number
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _require_status(_fresh(round_), SCORING_STATUSES, _("Poenggiving"))
        _require_candidate(round_, need)
        declaration = ConflictDeclaration.objects.filter(round=round_, user=user, need=need).first()
        if declaration is None:
            raise ValidationError(_("Du må erklære habilitet for %(id)s før du gir poeng.") % {"id": need.public_id})
        if declaration.conflicted:
            raise ValidationError(
                _("Du har erklært deg inhabil for %(id)s og kan ikke gi poeng for behovet.") % {"id": need.public_id}
            )
        stored: list[Score] = []
        for criterion_id, number in parsed.items():
            if number is None:
                Score.objects.filter(round=round_, user=user, need=need, criterion_id=criterion_id).delete()
                continue
            score, _created = Score.objects.update_or_create(
                round=round_, user=user, need=need, criterion_id=criterion_id, defaults={"value": number}
            )
            stored.append(score)
    return stored


# --- decisions ------------------------------------------------------------------------------

def decision_reason(round_: Round, note: str = "") -> str:
    reason = _("Vedtak i prioriteringsmøte %(title)s, %(date)s") % {
        "title": round_.title, "date": round_.meeting_date.strftime("%d.%m.%Y")}
    return f"{reason}. {note}" if note else f"{reason}."


def round_decide(
    *, round_: Round, user: Any, need: Need, kind: str, partner: Organisation | None = None,
    due: dt.date | None = None, note: str = "",
) -> RoundDecision:
    """Record the round's decision on a need and apply the matching workflow transition."""
    _require_manager(round_, user)
    note = _clean(note)
    if kind not in DecisionKind.values:
        raise ValidationError({"kind": _("Velg et vedtak.")})
    if len(note) > 2000:
        raise ValidationError({"note": _("Begrunnelsen er for lang (maks 2000 tegn).")})
    if kind == DecisionKind.NATIONAL and round_.level == RoundLevel.NATIONAL:
        raise ValidationError({"kind": _("Behovet er allerede på nasjonalt nivå.")})
    target = DECISION_TARGETS[kind]
    if kind in (DecisionKind.EVIDENCE_CHECK, DecisionKind.SUMMARY):
        errors: dict[str, str] = {}
        if partner is None or partner.kind != OrgKind.RESEARCH_PARTNER:
            errors["partner"] = _("Velg en forskningspartner.")
        if due is None:
            errors["due"] = _("Sett en frist.")
        elif due < timezone.localdate():
            errors["due"] = _("Fristen kan ikke være passert.")
        if errors:
            raise ValidationError(errors)
    else:
        partner, due = None, None
    guard_free_text({"note": (_("Begrunnelse"), note)})
    with transaction.atomic():
        _require_status(_fresh(round_), DECISION_STATUSES, _("Vedtak"))
        _require_candidate(round_, need)
        existing = RoundDecision.objects.select_for_update().filter(round=round_, need=need).first()
        if existing is not None and existing.kind != DecisionKind.DEFER:
            raise ValidationError(
                _("Det er allerede fattet vedtak om %(id)s i denne runden («%(kind)s»).")
                % {"id": need.public_id, "kind": existing.get_kind_display()}
            )
        current = Need.objects.get(pk=need.pk)
        from_status = current.status
        if target is not None:
            need_transition(
                need=current, user=user, to=target, reason=decision_reason(round_, note), partner=partner, due=due
            )
        values = {
            "kind": kind, "partner": partner, "due": due, "note": note, "from_status": from_status,
            "to_status": target or "", "decided_by": user,
        }
        if existing is not None:
            for key, value in values.items():
                setattr(existing, key, value)
            existing.save()
            decision = existing
        else:
            decision = RoundDecision.objects.create(round=round_, need=need, **values)
    need.refresh_from_db()
    return decision


# --- municipal decision records --------------------------------------------------------------

RECORD_TEXT_FIELDS: dict[str, Any] = {
    "measure_title": gettext_lazy("Tiltak"),
    "measure_description": gettext_lazy("Beskrivelse av tiltaket"),
    "knowledge_other": gettext_lazy("Annet kunnskapsgrunnlag"),
    "nytte_text": gettext_lazy("Vurdering av nytte"),
    "ressurs_text": gettext_lazy("Vurdering av ressursbruk"),
    "alvorlighet_text": gettext_lazy("Vurdering av alvorlighet"),
    "children_text": gettext_lazy("Konsekvenser for barn"),
    "local_text": gettext_lazy("Lokale forhold"),
    "equity_text": gettext_lazy("Ulik tilgang og likeverd"),
    "uncertainty_text": gettext_lazy("Usikkerhet i kunnskapsgrunnlaget"),
    "involvement_text": gettext_lazy("Brukermedvirkning og berørte grupper"),
    "plan_text": gettext_lazy("Forankring i kommuneplanen"),
    "decision_text": gettext_lazy("Begrunnelse for beslutningen"),
    "experience_text": gettext_lazy("Erfaringer"),
}
RECORD_RATING_FIELDS = ("nytte_rating", "ressurs_rating", "alvorlighet_rating")
RECORD_FIELDS = (*RECORD_TEXT_FIELDS, *RECORD_RATING_FIELDS, "decision", "follow_up_date")


def _clean_record(data: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in RECORD_TEXT_FIELDS:
        if name in data:
            values[name] = _clean(data[name])
            limit = getattr(DecisionRecord._meta.get_field(name), "max_length", None) or 4000
            if len(values[name]) > limit:
                errors[name] = _("Teksten er for lang (%(n)s tegn, maks %(max)s).") % {"n": len(values[name]), "max": limit}
    if "measure_title" in values and not values["measure_title"]:
        errors["measure_title"] = _("Skriv hvilket tiltak vurderingen gjelder.")
    for name in RECORD_RATING_FIELDS:
        if name in data:
            raw = data[name]
            if raw in (None, ""):
                values[name] = None
                continue
            try:
                number = int(raw)
            except (TypeError, ValueError):
                number = 0
            if not SCALE_MIN <= number <= SCALE_MAX:
                errors[name] = _("Vurderingen må være et tall fra 1 til 5.")
            else:
                values[name] = number
    if "decision" in data:
        decision = data["decision"] or ""
        if decision and decision not in MunicipalDecision.values:
            errors["decision"] = _("Velg en gyldig beslutning.")
        values["decision"] = decision
    if "follow_up_date" in data:
        follow_up = data["follow_up_date"]
        if follow_up in ("", None):
            follow_up = None
        elif not isinstance(follow_up, dt.date):
            try:
                follow_up = dt.date.fromisoformat(str(follow_up))
            except ValueError:
                errors["follow_up_date"] = _("Skriv datoen som dd.mm.åååå.")
                follow_up = None
        values["follow_up_date"] = follow_up
    if errors:
        raise ValidationError(errors)
    guard_free_text({name: (label, values.get(name)) for name, label in RECORD_TEXT_FIELDS.items() if name in values})
    return values


def _check_follow_up(record_values: Mapping[str, Any]) -> None:
    if record_values.get("decision") in (MunicipalDecision.ADOPT, MunicipalDecision.TRIAL) and not record_values.get("follow_up_date"):
        raise ValidationError({"follow_up_date": _("Sett en dato for oppfølging når tiltaket tas i bruk eller prøves ut.")})


def record_create(*, user: Any, need: Need, municipality: Organisation, data: Mapping[str, Any]) -> DecisionRecord:
    """A municipality's decision record for an answered need (unpublished until it chooses to publish)."""
    if municipality.kind != OrgKind.MUNICIPALITY:
        raise ValidationError({"municipality": _("Velg en kommune.")})
    if need.status not in access.ANSWERED_FOR_DECISION:
        raise ValidationError({"need": _("Beslutningsgrunnlag kan bare lages for besvarte behov.")})
    if not access.can_create_record(user, municipality, need):
        raise PermissionDenied(_("Bare kommunens egne FoU-kontakter kan lage beslutningsgrunnlag for kommunen."))
    values = _clean_record(data)
    if not values.get("measure_title"):
        raise ValidationError({"measure_title": _("Skriv hvilket tiltak vurderingen gjelder.")})
    _check_follow_up(values)
    with transaction.atomic():
        return DecisionRecord.objects.create(
            need=need, municipality=municipality, created_by=user, updated_by=user, **values
        )


def record_update(*, record: DecisionRecord, user: Any, data: Mapping[str, Any], version: int | None = None) -> DecisionRecord:
    """Change a record; `version` is the one the user edited (if someone saved in between, nothing is stored)."""
    if not access.can_edit_record(user, record):
        raise PermissionDenied(_("Bare kommunens egne FoU-kontakter kan endre beslutningsgrunnlaget."))
    values = _clean_record(data)
    merged = {**{name: getattr(record, name) for name in RECORD_FIELDS}, **values}
    _check_follow_up(merged)
    expected = record.version if version is None else version
    with transaction.atomic():
        changed = DecisionRecord.objects.filter(pk=record.pk, version=expected).update(
            version=expected + 1, updated_by=user, updated_at=timezone.now(), **values
        )
        if not changed:
            raise ValidationError(
                _("Beslutningsgrunnlaget ble endret av noen andre mens du skrev. Ingenting av det du gjorde er lagret; "
                  "last siden på nytt og prøv igjen.")
            )
    record.refresh_from_db()
    return record


def record_publish(*, record: DecisionRecord, user: Any, published: bool = True) -> DecisionRecord:
    if not access.can_edit_record(user, record):
        raise PermissionDenied(_("Bare kommunens egne FoU-kontakter kan publisere beslutningsgrunnlaget."))
    if published and not record.decision:
        raise ValidationError({"decision": _("Fyll ut beslutningen før du publiserer.")})
    with transaction.atomic():
        DecisionRecord.objects.filter(pk=record.pk).update(
            published=published, published_at=timezone.now() if published else None, updated_by=user,
            updated_at=timezone.now(), version=F("version") + 1,
        )
    record.refresh_from_db()
    return record
