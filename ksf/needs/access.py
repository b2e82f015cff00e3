"""Who may see and do what with a need — decided here and nowhere else.

- Everyone sees published needs (accepted by the cluster).
- The submitter's municipality (reporters, contacts) sees its own needs, drafts included;
  a draft is visible only to its author and the municipality's contacts.
- A cluster coordinator sees the needs of municipalities in the cluster (from submission).
- A regional coordinator sees the region's needs from submission; the national coordinator all.
- A research partner sees needs assigned to its organisation.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ksf.accounts.access import Actor, actor_for
from ksf.accounts.models import Role

from .models import Need
from .workflow import Level, Status

# Needs that can no longer gather support (merged needs point to the surviving one).
NOT_ENDORSABLE = frozenset({Status.MERGED, Status.REJECTED, Status.WITHDRAWN})


def visible_needs(user: Any) -> QuerySet[Need]:
    actor = actor_for(user)
    qs = Need.objects.all()
    if actor.is_admin or actor.is_national:
        return qs.exclude(Q(status=Status.DRAFT) & ~Q(created_by_id=actor.user_id))
    condition = Q(published_at__isnull=False)
    if actor.is_authenticated:
        condition |= Q(created_by_id=actor.user_id)
        contact_munis = actor.orgs_with_role(Role.MUNICIPAL_CONTACT)
        condition |= Q(municipality_id__in=actor.municipality_ids) & ~Q(status=Status.DRAFT)
        condition |= Q(municipality_id__in=contact_munis)
        condition |= Q(cluster_id__in=actor.cluster_ids) & ~Q(status=Status.DRAFT)
        condition |= Q(region_id__in=actor.region_ids) & ~Q(status=Status.DRAFT)
        condition |= Q(assigned_partner_id__in=actor.partner_org_ids) & ~Q(status=Status.DRAFT)
    return qs.filter(condition)


def levels_for(actor: Actor, need: Need) -> set[str]:
    """The levels at which this actor may act on this need."""
    levels: set[str] = set()
    if not actor.is_authenticated:
        return levels
    if need.created_by_id == actor.user_id or need.municipality_id in actor.orgs_with_role(Role.MUNICIPAL_CONTACT):
        levels.add(Level.SUBMITTER)
    if need.status == Status.DRAFT:
        # A draft belongs to the municipality alone until it is submitted.
        return levels
    if need.cluster_id and need.cluster_id in actor.cluster_ids:
        levels.add(Level.CLUSTER)
    if need.cluster_id is None and need.region_id in actor.region_ids:
        # A municipality outside every cluster is screened by its regional body.
        levels.add(Level.CLUSTER)
    if need.region_id in actor.region_ids:
        levels.add(Level.REGION)
    if actor.is_national or actor.is_admin:
        levels.add(Level.NATIONAL)
    if need.assigned_partner_id and need.assigned_partner_id in actor.partner_org_ids:
        levels.add(Level.PARTNER)
    return levels


def get_need_for_user(user: Any, public_id: str, *, write: bool = False, related: bool = True) -> Need:
    """The need if the user may see it (404 otherwise); with write=True, also require a level.
    related=False: the need's own row only (a page served from cache needs no more)."""
    qs = visible_needs(user)
    if related:
        qs = qs.select_related("municipality", "cluster", "region", "merged_into", "assigned_partner")
    # get(), not first(): public_id is unique, and first() adds an ORDER BY whose compilation over
    # the five joined tables' columns cost more CPU than the query itself (8 of 11 ms).
    try:
        need = qs.get(public_id=public_id)
    except Need.DoesNotExist:
        raise Http404(_("Fant ikke behovet.")) from None
    if write and not levels_for(actor_for(user), need):
        raise PermissionDenied(_("Du har ikke tilgang til å endre dette behovet."))
    return need


def require_transition_right(user: Any, need: Need, to: str) -> None:
    """Refuse (403) before any form or payload is validated: someone without a level on the need,
    or asking for a move from the table that is not theirs, hears so whatever else they sent.
    A `to` that names no move from the current status is bad input (400, with the workflow's
    message) for someone with a level — e.g. a page left open while the need moved on."""
    from .workflow import get_transition

    levels = levels_for(actor_for(user), need)
    if not levels:
        raise PermissionDenied(_("Du har ikke tilgang til å endre dette behovet."))
    transition = get_transition(need.status, to)
    if transition is not None and not transition.levels & levels:
        raise PermissionDenied(
            _("Du har ikke en rolle som kan gjøre dette med behovet (%(label)s).") % {"label": transition.label}
        )


def require_endorse_right(user: Any, need: Need) -> None:
    """Who may not say "relevant for us too" at all (403); the rest is validation (400)."""
    if not actor_for(user).is_authenticated:
        raise PermissionDenied(_("Logg inn for å si at behovet er relevant for din kommune."))
    if not need.is_public:
        raise PermissionDenied(_("Bare publiserte behov kan støttes."))


def can_register(user: Any) -> bool:
    """Staff of a municipality (reporters, contacts) and administrators register needs."""
    actor = actor_for(user)
    return actor.is_admin or bool(actor.municipality_ids)


def can_edit_content(user: Any, need: Need) -> bool:
    """Text can be edited by the submitter while a draft or when clarification is asked."""
    actor = actor_for(user)
    return Level.SUBMITTER in levels_for(actor, need) and need.status in (Status.DRAFT, Status.CLARIFICATION)


def can_endorse(user: Any, need: Need) -> bool:
    """Staff of another municipality may say "relevant for us too" on a published, living need."""
    actor = actor_for(user)
    return (
        actor.is_authenticated
        and need.is_public
        and need.status not in NOT_ENDORSABLE
        and bool(actor.municipality_ids - {need.municipality_id})
    )


def can_see_internal(user: Any, need: Need) -> bool:
    """The clarification thread and the action forms are for people with a level on the need."""
    return bool(levels_for(actor_for(user), need))


def can_view_queue(user: Any, queue: str) -> bool:
    actor = actor_for(user)
    if queue == "cluster":
        return bool(actor.cluster_ids) or actor.is_national or actor.is_admin
    if queue == "region":
        return bool(actor.region_ids) or actor.is_national or actor.is_admin
    if queue == "national":
        return actor.is_national or actor.is_admin
    if queue == "partner":
        return bool(actor.partner_org_ids)
    return False
