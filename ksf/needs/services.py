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
from django.utils.translation import gettext_lazy

from ksf.accounts.access import actor_for
from ksf.accounts.models import Role
from ksf.core.privacy import guard_free_text
from ksf.organisations.models import Organisation, OrgKind

from . import workflow
from .access import NOT_ENDORSABLE, levels_for, require_endorse_right, visible_needs
from .models import (
    Comment,
    Endorsement,
    Follow,
    Need,
    NeedKind,
    NeedSequence,
    NeedStatusChange,
    ServiceArea,
    Urgency,
)
from .workflow import Level, Status

CONTENT_FIELDS = (
    "title", "question", "population", "intervention", "comparison", "outcome",
    "service_area", "target_group", "why_it_matters", "urgency", "kind",
)
REASON_MAX = 4000
ANSWER_MAX = 20000
FREE_TEXT_LABELS: dict[str, Any] = {
    "title": gettext_lazy("Tittel"),
    "question": gettext_lazy("Spørsmålet"),
    "population": gettext_lazy("Populasjon"),
    "intervention": gettext_lazy("Tiltak"),
    "comparison": gettext_lazy("Sammenligning"),
    "outcome": gettext_lazy("Utfall"),
    "target_group": gettext_lazy("Målgruppe"),
    "why_it_matters": gettext_lazy("Hvorfor det er viktig"),
    "reason": gettext_lazy("Begrunnelse"),
    "answer": gettext_lazy("Svar"),
    "text": gettext_lazy("Kommentar"),
    "comment": gettext_lazy("Kommentar"),
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

def _next_public_id(year: int) -> str:
    """Next id `KB-<year>-<seq>` (at least four digits) for every kind of need.

    The counter row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers),
    so two concurrent registrations never get the same number, and numbers are never reused.
    """
    prefix = "KB"
    with transaction.atomic():
        NeedSequence.objects.get_or_create(prefix=prefix, year=year)
        seq = NeedSequence.objects.select_for_update().get(prefix=prefix, year=year)
        seq.last = F("last") + 1
        seq.save(update_fields=["last"])
        seq.refresh_from_db(fields=["last"])
    return f"{prefix}-{year}-{seq.last:04d}"


# --- content ---------------------------------------------------------------------------

def clean_text(value: Any) -> str:
    """Drop control characters (keeping newlines and tabs) and surrounding white space."""
    if not isinstance(value, str):
        return ""
    return "".join(ch for ch in value if ch in "\n\t" or ch.isprintable()).strip()


def _clean_content(data: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise the content fields given; ValidationError keyed by field (Norwegian)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key in CONTENT_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[key] = _("Ugyldig verdi.")
            continue
        values[key] = clean_text(value)
    if "title" in values and not values["title"]:
        errors["title"] = _("Skriv en tittel.")
    if "question" in values and not values["question"]:
        errors["question"] = _("Skriv spørsmålet med egne ord.")
    if "service_area" in values and values["service_area"] not in ServiceArea.values:
        errors["service_area"] = (
            _("Velg et tjenesteområde.") if not values["service_area"]
            else _("Ukjent tjenesteområde «%(value)s».") % {"value": values["service_area"][:50]}
        )
    if "kind" in values and values["kind"] not in NeedKind.values:
        errors["kind"] = _("Ukjent type behov «%(value)s».") % {"value": values["kind"][:50]}
    if "urgency" in values and values["urgency"] not in Urgency.values:
        errors["urgency"] = _("Ukjent hastegrad «%(value)s».") % {"value": values["urgency"][:50]}
    for field_name in CONTENT_FIELDS:
        if field_name in values and field_name not in errors:
            max_length = getattr(Need._meta.get_field(field_name), "max_length", None)
            if max_length and len(values[field_name]) > max_length:
                errors[field_name] = _("Teksten er for lang (%(n)s tegn, maks %(max)s).") % {
                    "n": len(values[field_name]), "max": max_length}
    try:
        guard_free_text({k: (FREE_TEXT_LABELS[k], v) for k, v in values.items() if k in FREE_TEXT_LABELS})
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages[0])
    if errors:
        raise ValidationError(errors)
    return values


def need_create(
    *,
    user: Any,
    municipality: Organisation | None = None,
    data: dict[str, Any],
    submit: bool = False,
    when: dt.datetime | None = None,
    notify: bool = True,
) -> Need:
    """Register a need as a draft (and optionally submit it at once).

    `when` backdates the registration (demo data and imports); the public id takes its year.
    """
    actor = actor_for(user)
    if municipality is None:
        if not actor.municipality_ids:
            raise PermissionDenied(_("Du må være knyttet til en kommune for å melde behov."))
        municipality = Organisation.objects.get(pk=min(actor.municipality_ids))
    elif municipality.pk not in actor.municipality_ids and not actor.is_admin:
        raise PermissionDenied(_("Du kan bare melde behov for din egen kommune."))
    if municipality.kind != OrgKind.MUNICIPALITY or municipality.region_id is None:
        raise ValidationError({"municipality": _("Behov meldes av en kommune.")})
    values = _clean_content(data)
    missing = {
        "title": _("Skriv en tittel."),
        "question": _("Skriv spørsmålet med egne ord."),
        "service_area": _("Velg et tjenesteområde."),
    }
    errors = {key: message for key, message in missing.items() if key not in values}
    if errors:
        raise ValidationError(errors)
    now = when or timezone.now()
    cluster = municipality.clusters.filter(kind=OrgKind.CLUSTER).order_by("pk").first()
    with transaction.atomic():
        need = Need.objects.create(
            public_id=_next_public_id(timezone.localtime(now).year),
            municipality=municipality,
            cluster=cluster,
            region_id=municipality.region_id,
            created_by=user,
            **values,
        )
        if when is not None:
            Need.objects.filter(pk=need.pk).update(created_at=when, updated_at=when)
            need.created_at = need.updated_at = when
        Follow.objects.get_or_create(need=need, user=user)
        created_pk = need.pk
        transaction.on_commit(lambda: _index_changed([created_pk]), robust=True)
        if submit:
            need = need_transition(need=need, user=user, to=Status.SUBMITTED, when=when, notify=notify)
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
        updated_pk = need.pk
        transaction.on_commit(lambda: _index_changed([updated_pk]), robust=True)
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
    notify: bool = True,
) -> Need:
    """Apply one transition from the table. Raises TransitionError, PermissionDenied or TransitionConflict."""
    transition = workflow.get_transition(need.status, to)
    if transition is None:
        raise TransitionError(
            _("Behovet kan ikke gå fra «%(from)s» til «%(to)s».")
            % {"from": Status(need.status).label, "to": Status(to).label if to in Status.values else to}
        )
    level: str
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

    reason = clean_text(reason)
    answer = clean_text(answer)
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
        elif not system and not visible_needs(user).filter(pk=target.pk).exists():
            errors["target"] = _("Fant ikke behovet du vil slå sammen med.")
        elif level in (Level.CLUSTER, Level.REGION) and target.region_id != need.region_id:
            errors["target"] = _("Behov i ulike helseregioner slås sammen av den nasjonale koordinatoren.")
    if workflow.ASSIGNMENT in transition.requires:
        if partner is None or partner.kind != OrgKind.RESEARCH_PARTNER:
            errors["partner"] = _("Velg en forskningspartner.")
        if due is None:
            errors["due"] = _("Sett en frist.")
        elif due < (timezone.localtime(when).date() if when else timezone.localdate()):
            errors["due"] = _("Fristen kan ikke være passert.")
    if workflow.PROJECT in transition.requires and not project_ref:
        errors["project"] = _("Knytt behovet til et prosjekt.")
    for key, limit in (("reason", REASON_MAX), ("answer", ANSWER_MAX)):
        value = reason if key == "reason" else answer
        if len(value) > limit:
            errors[key] = _("Teksten er for lang (%(n)s tegn, maks %(max)s).") % {"n": len(value), "max": limit}
    try:
        guard_free_text({"reason": ("Begrunnelse", reason), "answer": ("Svar", answer)})
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages[0])
    if errors:
        raise TransitionError(errors)

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
        extra_user_ids: list[int] = []
        if to == Status.MERGED and target is not None:
            extra_user_ids = list(Follow.objects.filter(need=need).values_list("user_id", flat=True))
            _carry_over(need, target)
            from ksf.core.audit import audit_record  # merges are administrative actions: audited

            audit_record(
                actor=user if not system else None, action="need.merge", obj=need,
                old={"status": need.status}, new={"status": to, "merged_into": target.public_id},
            )
        if reason and (to == Status.CLARIFICATION or need.status == Status.CLARIFICATION):
            # The clarification question and the submitter's reply also belong to the thread.
            comment = Comment.objects.create(
                need=need, author=user if not system else None, author_organisation=actor_org, text=reason
            )
            if when is not None:
                Comment.objects.filter(pk=comment.pk).update(created_at=when)
        changed_ids = [need.pk] + ([target.pk] if to == Status.MERGED and target is not None else [])
        transaction.on_commit(lambda: _index_changed(changed_ids), robust=True)
        if notify:
            need_pk = need.pk
            transaction.on_commit(lambda: _notify(need_pk, to, extra_user_ids), robust=True)
    need.refresh_from_db()
    return need


def _acting_organisation(user: Any, need: Need, level: str) -> Organisation | None:
    if level == Level.SUBMITTER:
        return need.municipality
    if level == Level.CLUSTER and need.cluster_id:
        return need.cluster
    if level == Level.PARTNER and need.assigned_partner_id:
        return need.assigned_partner
    wanted: str | None = {
        Level.CLUSTER.value: Role.REGIONAL_COORDINATOR.value,  # a municipality outside every cluster
        Level.REGION.value: Role.REGIONAL_COORDINATOR.value,
        Level.NATIONAL.value: Role.NATIONAL_COORDINATOR.value,
        Level.PARTNER.value: Role.RESEARCH_PARTNER.value,
    }.get(level)
    if wanted is None:
        return None
    membership = user.memberships.select_related("organisation").filter(role=wanted).order_by("pk").first()
    if membership is None and level == Level.NATIONAL:
        membership = user.memberships.select_related("organisation").filter(role=Role.ADMINISTRATOR).order_by("pk").first()
    return membership.organisation if membership else None


def _carry_over(source: Need, target: Need) -> None:
    """Endorsements and followers of a merged need move to the surviving one.

    The submitting municipality of the merged need becomes an endorser of the survivor.
    Rows the survivor already has (same municipality / same follower) stay on the merged need,
    so nothing is deleted.
    """
    existing = set(Endorsement.objects.filter(need=target).values_list("municipality_id", flat=True))
    existing.add(target.municipality_id)
    Endorsement.objects.filter(need=source).exclude(municipality_id__in=existing).update(need=target)
    if source.municipality_id not in existing:
        Endorsement.objects.get_or_create(
            need=target, municipality_id=source.municipality_id, defaults={"user": source.created_by}
        )
    followers = set(Follow.objects.filter(need=target).values_list("user_id", flat=True))
    Follow.objects.filter(need=source).exclude(user_id__in=followers).update(need=target)


def _index_changed(ids: list[int]) -> None:
    """Tell the search index (and its embedding task) that these needs changed."""
    from ksf.search.services import need_changed

    need_changed(ids)


def _notify(need_id: int, to: str, extra_user_ids: list[int] | None = None) -> None:
    from .tasks import notify_status_change

    notify_status_change.enqueue(need_id=need_id, status=to, extra_user_ids=extra_user_ids or None)


# --- endorsements, follows, comments --------------------------------------------------------

def need_endorse(*, need: Need, user: Any, municipality: Organisation | None = None, comment: str = "") -> Endorsement:
    """"Relevant for us too": one endorsement per municipality per need."""
    require_endorse_right(user, need)
    actor = actor_for(user)
    if need.status in NOT_ENDORSABLE:
        if need.status == Status.MERGED and need.merged_into_id:
            raise ValidationError({"municipality": _(
                "Behovet er slått sammen med %(id)s. Si heller at det behovet er relevant."
            ) % {"id": Need.objects.values_list("public_id", flat=True).get(pk=need.merged_into_id)}})
        raise ValidationError({"municipality": _("Behovet er avsluttet (%(status)s) og kan ikke støttes.") % {
            "status": need.get_status_display()}})
    if municipality is None:
        candidates = sorted(actor.municipality_ids - {need.municipality_id})
        if not candidates:
            raise ValidationError({"municipality": _(
                "Du må høre til en annen kommune enn innmelderen for å si «relevant for oss også»."
            )})
        municipality = Organisation.objects.get(pk=candidates[0])
    if municipality.pk not in actor.municipality_ids:
        raise PermissionDenied(_("Du kan bare støtte på vegne av din egen kommune."))
    if municipality.pk == need.municipality_id:
        raise ValidationError({"municipality": _("Innmelderkommunen står allerede bak behovet.")})
    comment = clean_text(comment)
    if len(comment) > 1000:
        raise ValidationError({"comment": _("Kommentaren er for lang (%(n)s tegn, maks 1000).") % {"n": len(comment)}})
    guard_free_text({"comment": ("Kommentar", comment)})
    if Endorsement.objects.filter(need=need, municipality=municipality).exists():
        raise ValidationError({"municipality": _("%(m)s har allerede sagt at behovet er relevant.") % {"m": municipality.name}})
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
    text = clean_text(text)
    if not text:
        raise ValidationError({"text": _("Skriv en kommentar.")})
    if len(text) > 4000:
        raise ValidationError({"text": _("Kommentaren er for lang (%(n)s tegn, maks 4000).") % {"n": len(text)}})
    guard_free_text({"text": ("Kommentar", text)})
    level = Level.CLUSTER if Level.CLUSTER in levels else next(iter(sorted(levels)))
    return Comment.objects.create(need=need, author=user, author_organisation=_acting_organisation(user, need, level), text=text)
