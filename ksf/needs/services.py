"""All writes to needs go through these functions (views, API and demo loader call them).

`need_transition` is the only place a need's status changes: it checks the workflow table
and the actor's level, applies a conditional UPDATE on the old status (if no row changed,
someone else got there first → TransitionConflict) and writes the history row, atomically.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ksf.accounts.access import actor_for
from ksf.core.privacy import guard_free_text
from ksf.organisations.models import Organisation, OrgKind

from . import workflow
from .access import levels_for
from .models import Comment, Endorsement, Follow, Need, NeedKind, NeedSequence, NeedStatusChange, ServiceArea
from .workflow import Level, Status

CONTENT_FIELDS = (
    "title", "question", "population", "intervention", "comparison", "outcome",
    "service_area", "target_group", "why_it_matters", "urgency", "kind",
)
FREE_TEXT_LABELS = {
    "title": "Tittel",
    "question": "Spørsmålet",
    "population": "Populasjon",
    "intervention": "Tiltak",
    "comparison": "Sammenligning",
    "outcome": "Utfall",
    "target_group": "Målgruppe",
    "why_it_matters": "Hvorfor det er viktig",
    "reason": "Begrunnelse",
    "answer": "Svar",
    "text": "Kommentar",
    "comment": "Kommentar",
}


class TransitionError(ValidationError):
    """The transition is not allowed or lacks what it requires (clear Norwegian message)."""


class TransitionConflict(Exception):
    """Someone else changed the need's status first; nothing was written."""

    def __init__(self, need: Need) -> None:
        super().__init__(
            _("Behovet %(id)s ble endret av noen andre samtidig (status er nå «%(status)s»). "
              "Ingenting av det du gjorde er lagret; last siden på nytt og prøv igjen.")
            % {"id": need.public_id, "status": Need.objects.get(pk=need.pk).get_status_display()}
        )


# --- ids -------------------------------------------------------------------------------

def _next_public_id(kind: str, year: int) -> str:
    prefix = "IB" if kind == NeedKind.INNOVATION else "KB"
    with transaction.atomic():
        seq, _created = NeedSequence.objects.select_for_update().get_or_create(prefix=prefix, year=year)
        NeedSequence.objects.filter(pk=seq.pk).update(last=F("last") + 1)
        seq.refresh_from_db()
    return f"{prefix}-{year}-{seq.last:04d}"


# --- content ---------------------------------------------------------------------------

def _clean_content(data: dict[str, Any]) -> dict[str, Any]:
    values = {k: data[k] for k in CONTENT_FIELDS if k in data}
    for key, value in list(values.items()):
        if isinstance(value, str):
            values[key] = "".join(ch for ch in value if ch in "\n\t" or ch.isprintable()).strip()
    errors: dict[str, str] = {}
    if "title" in values and not values["title"]:
        errors["title"] = _("Skriv en tittel.")
    if "question" in values and not values["question"]:
        errors["question"] = _("Skriv spørsmålet med egne ord.")
    if "service_area" in values and values["service_area"] not in ServiceArea.values:
        errors["service_area"] = _("Ukjent tjenesteområde «%(value)s».") % {"value": values["service_area"]}
    for field_name in CONTENT_FIELDS:
        if field_name in values and isinstance(values[field_name], str):
            max_length = Need._meta.get_field(field_name).max_length
            if max_length and len(values[field_name]) > max_length:
                errors[field_name] = _("Teksten er for lang (%(n)s tegn, maks %(max)s).") % {
                    "n": len(values[field_name]), "max": max_length}
    if errors:
        raise ValidationError(errors)
    guard_free_text({k: (FREE_TEXT_LABELS.get(k, k), v) for k, v in values.items() if isinstance(v, str)})
    return values


def need_create(*, user: Any, municipality: Organisation | None = None, data: dict[str, Any], submit: bool = False) -> Need:
    """Register a need as a draft (and optionally submit it at once)."""
    actor = actor_for(user)
    if municipality is None:
        if not actor.municipality_ids:
            raise PermissionDenied(_("Du må være knyttet til en kommune for å melde behov."))
        municipality = Organisation.objects.get(pk=min(actor.municipality_ids))
    elif municipality.pk not in actor.municipality_ids and not actor.is_admin:
        raise PermissionDenied(_("Du kan bare melde behov for din egen kommune."))
    values = _clean_content(data)
    for required in ("title", "question", "service_area"):
        if required not in values:
            raise ValidationError({required: _("Feltet må fylles ut.")})
    cluster = municipality.clusters.filter(kind=OrgKind.CLUSTER).order_by("pk").first()
    with transaction.atomic():
        need = Need.objects.create(
            public_id=_next_public_id(values.get("kind", NeedKind.KNOWLEDGE), timezone.now().year),
            municipality=municipality,
            cluster=cluster,
            region_id=municipality.region_id,
            created_by=user,
            **values,
        )
        Follow.objects.get_or_create(need=need, user=user)
        if submit:
            need = need_transition(need=need, user=user, to=Status.SUBMITTED)
    return need


def need_update(*, need: Need, user: Any, data: dict[str, Any]) -> Need:
    from .access import can_edit_content

    if not can_edit_content(user, need):
        raise PermissionDenied(_("Behovet kan bare endres av innmelder mens det er utkast eller avklaring er etterspurt."))
    values = _clean_content(data)
    with transaction.atomic():
        updated = Need.objects.filter(pk=need.pk, status=need.status).update(updated_at=timezone.now(), **values)
        if not updated:
            raise TransitionConflict(need)
    need.refresh_from_db()
    return need


# --- transitions -----------------------------------------------------------------------

@dataclass(frozen=True)
class TransitionInput:
    reason: str = ""
    answer: str = ""
    target: Need | None = None
    partner: Organisation | None = None
    due: dt.date | None = None
    project_ref: str = ""


def allowed_transitions(*, need: Need, user: Any) -> list[workflow.Transition]:
    levels = levels_for(actor_for(user), need)
    return [t for t in workflow.transitions_from(need.status) if t.levels & levels]


def need_transition(
    *,
    need: Need,
    user: Any,
    to: str,
    reason: str = "",
    answer: str = "",
    target: Need | None = None,
    partner: Organisation | None = None,
    due: dt.date | None = None,
    project_ref: str = "",
    system: bool = False,
    when: dt.datetime | None = None,
) -> Need:
    """Apply one transition from the table. Raises TransitionError, PermissionDenied or TransitionConflict."""
    transition = workflow.get_transition(need.status, to)
    if transition is None:
        raise TransitionError(
            _("Behovet kan ikke gå fra «%(from)s» til «%(to)s».")
            % {"from": Status(need.status).label, "to": Status(to).label if to in Status.values else to}
        )
    if system:
        level = Level.SYSTEM
        if Level.SYSTEM not in transition.levels:
            raise TransitionError(_("Denne overgangen kan ikke gjøres automatisk."))
    else:
        actor = actor_for(user)
        usable = transition.levels & levels_for(actor, need)
        if not usable:
            raise PermissionDenied(_("Du har ikke en rolle som kan gjøre dette med behovet (%(label)s).") % {"label": transition.label})
        # Prefer the most local level the actor holds (the timeline shows who acted).
        order = [Level.SUBMITTER, Level.CLUSTER, Level.PARTNER, Level.REGION, Level.NATIONAL]
        level = next(lv for lv in order if lv in usable)

    reason = (reason or "").strip()
    answer = (answer or "").strip()
    errors: dict[str, str] = {}
    if workflow.REASON in transition.requires and not reason:
        errors["reason"] = _("Skriv en begrunnelse.")
    if workflow.ANSWER in transition.requires and not answer:
        errors["answer"] = _("Skriv svaret i klarspråk.")
    if workflow.TARGET in transition.requires:
        if target is None:
            errors["target"] = _("Velg behovet det skal slås sammen med.")
        elif target.pk == need.pk:
            errors["target"] = _("Et behov kan ikke slås sammen med seg selv.")
        elif target.status in (Status.MERGED, Status.WITHDRAWN, Status.REJECTED, Status.DRAFT):
            errors["target"] = _("Behovet %(id)s kan ikke ta imot sammenslåinger (status «%(status)s»).") % {
                "id": target.public_id, "status": target.get_status_display()}
    if workflow.ASSIGNMENT in transition.requires:
        if partner is None or partner.kind != OrgKind.RESEARCH_PARTNER:
            errors["partner"] = _("Velg en forskningspartner.")
        if due is None:
            errors["due"] = _("Sett en frist.")
        elif due < timezone.localdate():
            errors["due"] = _("Fristen kan ikke være passert.")
    if workflow.PROJECT in transition.requires and not project_ref:
        errors["project"] = _("Knytt behovet til et prosjekt.")
    for key, limit in (("reason", 4000), ("answer", 20000)):
        value = reason if key == "reason" else answer
        if len(value) > limit:
            errors[key] = _("Teksten er for lang (maks %(max)s tegn).") % {"max": limit}
    if errors:
        raise TransitionError(errors)
    guard_free_text({"reason": ("Begrunnelse", reason), "answer": ("Svar", answer)})

    now = when or timezone.now()
    updates: dict[str, Any] = {"status": to, "updated_at": now}
    if to == Status.SUBMITTED and need.submitted_at is None:
        updates["submitted_at"] = now
    if to == Status.CLUSTER_REVIEW and need.published_at is None:
        updates["published_at"] = now
    if to == Status.NATIONAL:
        updates["is_national"] = True
    if to == Status.MERGED:
        updates["merged_into"] = target
    if workflow.ANSWER in transition.requires:
        updates["answer"] = answer
        updates["answered_at"] = now
    if workflow.ASSIGNMENT in transition.requires:
        updates["assigned_partner"] = partner
        updates["assignment_due"] = due

    actor_org = None
    if not system and user is not None:
        actor_org = _acting_organisation(user, need, level)
    history_reason = reason
    if to == Status.MERGED and target is not None:
        history_reason = (_("Slått sammen med %(id)s.") % {"id": target.public_id} + (" " + reason if reason else "")).strip()
    if workflow.ASSIGNMENT in transition.requires and partner is not None and due is not None:
        history_reason = (_("Tildelt %(org)s, frist %(due)s.") % {"org": partner.name, "due": due.isoformat()} + (" " + reason if reason else "")).strip()
    if workflow.PROJECT in transition.requires:
        history_reason = (reason or project_ref)

    with transaction.atomic():
        changed = Need.objects.filter(pk=need.pk, status=need.status).update(**updates)
        if not changed:
            raise TransitionConflict(need)
        NeedStatusChange.objects.create(
            need=need, from_status=need.status, to_status=to, level=level,
            actor=user if not system else None, actor_organisation=actor_org,
            reason=history_reason, created_at=now,
        )
        if to == Status.MERGED and target is not None:
            _carry_over(need, target)
        transaction.on_commit(lambda: _notify(need.pk, to))
    need.refresh_from_db()
    return need


def _acting_organisation(user: Any, need: Need, level: str) -> Organisation | None:
    if level == Level.SUBMITTER:
        return need.municipality
    if level == Level.CLUSTER:
        return need.cluster
    memberships = user.memberships.select_related("organisation")
    wanted = {
        Level.REGION: "regional_coordinator",
        Level.NATIONAL: "national_coordinator",
        Level.PARTNER: "research_partner",
    }.get(level)
    m = memberships.filter(role=wanted).first() if wanted else None
    if level == Level.PARTNER and need.assigned_partner_id:
        return need.assigned_partner
    return m.organisation if m else None


def _carry_over(source: Need, target: Need) -> None:
    """Endorsements and followers of a merged need move to the surviving one."""
    existing = set(Endorsement.objects.filter(need=target).values_list("municipality_id", flat=True))
    existing.add(target.municipality_id)
    for endorsement in Endorsement.objects.filter(need=source):
        if endorsement.municipality_id not in existing:
            Endorsement.objects.create(need=target, municipality_id=endorsement.municipality_id, user=endorsement.user, comment=endorsement.comment)
            existing.add(endorsement.municipality_id)
    if source.municipality_id not in existing:
        Endorsement.objects.create(need=target, municipality_id=source.municipality_id, user=source.created_by)
    followers = set(Follow.objects.filter(need=target).values_list("user_id", flat=True))
    for follow in Follow.objects.filter(need=source):
        if follow.user_id not in followers:
            Follow.objects.create(need=target, user_id=follow.user_id)


def _notify(need_id: int, to: str) -> None:
    from .tasks import notify_status_change

    notify_status_change.enqueue(need_id=need_id, status=to)


# --- endorsements, follows, comments --------------------------------------------------------

def need_endorse(*, need: Need, user: Any, municipality: Organisation | None = None, comment: str = "") -> Endorsement:
    actor = actor_for(user)
    if not need.is_public:
        raise PermissionDenied(_("Bare publiserte behov kan støttes."))
    if municipality is None:
        candidates = sorted(actor.municipality_ids - {need.municipality_id})
        if not candidates:
            raise ValidationError({"municipality": _("Du må høre til en annen kommune enn innmelderen for å si «relevant for oss også».")})
        municipality = Organisation.objects.get(pk=candidates[0])
    if municipality.pk not in actor.municipality_ids:
        raise PermissionDenied(_("Du kan bare støtte på vegne av din egen kommune."))
    if municipality.pk == need.municipality_id:
        raise ValidationError({"municipality": _("Innmelderkommunen står allerede bak behovet.")})
    comment = (comment or "").strip()[:1000]
    guard_free_text({"comment": ("Kommentar", comment)})
    try:
        with transaction.atomic():
            endorsement = Endorsement.objects.create(need=need, municipality=municipality, user=user, comment=comment)
    except IntegrityError as exc:
        raise ValidationError(
            {"municipality": _("%(m)s har allerede sagt at behovet er relevant.") % {"m": municipality.name}}
        ) from exc
    Follow.objects.get_or_create(need=need, user=user)
    return endorsement


def need_follow(*, need: Need, user: Any, follow: bool = True) -> bool:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Logg inn for å følge behov."))
    if follow:
        Follow.objects.get_or_create(need=need, user=user)
    else:
        Follow.objects.filter(need=need, user=user).delete()
    return follow


def comment_add(*, need: Need, user: Any, text: str) -> Comment:
    actor = actor_for(user)
    levels = levels_for(actor, need)
    if not levels:
        raise PermissionDenied(_("Du kan ikke kommentere dette behovet."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Skriv en kommentar.")})
    if len(text) > 4000:
        raise ValidationError({"text": _("Kommentaren er for lang (maks 4000 tegn).")})
    guard_free_text({"text": ("Kommentar", text)})
    level = Level.CLUSTER if Level.CLUSTER in levels else next(iter(sorted(levels)))
    return Comment.objects.create(need=need, author=user, author_organisation=_acting_organisation(user, need, level), text=text)
