"""Who may see and change projects — decided here and nowhere else.

- Everyone (also without logging in) reads published projects.
- A project can be edited by members of its owner or leader organisation (every role except
  reporter), by the cluster coordinator whose cluster contains the owner or leader
  municipality (or is itself the owner/leader), by the regional coordinator of the owner's
  or leader's health region, and by the national coordinator and administrators. They also
  see the project while it is unpublished.
- Municipal contacts, research partners and coordinators may register projects, for an owner
  or leader organisation they could then edit. Coordinators (and admins) may import.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ksf.accounts.access import Actor, actor_for
from ksf.accounts.models import Role
from ksf.organisations.models import Organisation

from .models import Project

# Members of the owner/leader organisation with these roles may edit its projects.
EDITING_ROLES = frozenset(r.value for r in Role if r != Role.REPORTER)


def _member_org_ids(actor: Actor) -> set[int]:
    return {org for role, org in actor.roles if role in EDITING_ROLES}


def _cluster_member_ids(actor: Actor) -> set[int]:
    if not actor.cluster_ids:
        return set()
    members = Organisation.objects.filter(clusters__pk__in=actor.cluster_ids).values_list("pk", flat=True)
    return set(members) | set(actor.cluster_ids)


def org_in_scope(actor: Actor, org: Organisation) -> bool:
    """May this actor act for projects that this organisation owns or leads?"""
    if not actor.is_authenticated:
        return False
    if actor.is_admin or actor.is_national:
        return True
    if org.pk in _member_org_ids(actor):
        return True
    if org.region_id and org.region_id in actor.region_ids:
        return True
    return org.pk in _cluster_member_ids(actor)


def editable_condition(actor: Actor) -> Q:
    """Q on Project selecting the projects this actor may edit."""
    if not actor.is_authenticated:
        return Q(pk__in=[])
    if actor.is_admin or actor.is_national:
        return Q()
    org_ids = _member_org_ids(actor) | _cluster_member_ids(actor)
    condition = Q(owner_id__in=org_ids) | Q(leader_id__in=org_ids)
    if actor.region_ids:
        condition |= Q(owner__region_id__in=actor.region_ids) | Q(leader__region_id__in=actor.region_ids)
    return condition


def visible_projects(user: Any) -> QuerySet[Project]:
    actor = actor_for(user)
    if not actor.is_authenticated:
        return Project.objects.filter(is_published=True)
    return Project.objects.filter(Q(is_published=True) | editable_condition(actor)).distinct()


def editable_projects(user: Any) -> QuerySet[Project]:
    return Project.objects.filter(editable_condition(actor_for(user))).distinct()


def can_edit(user: Any, project: Project) -> bool:
    actor = actor_for(user)
    if not actor.is_authenticated:
        return False
    return org_in_scope(actor, project.owner) or org_in_scope(actor, project.leader)


def can_create(user: Any) -> bool:
    actor = actor_for(user)
    if not actor.is_authenticated:
        return False
    return bool(
        actor.is_admin
        or actor.is_national
        or actor.orgs_with_role(Role.MUNICIPAL_CONTACT)
        or actor.partner_org_ids
        or actor.cluster_ids
        or actor.region_ids
    )


def can_import(user: Any) -> bool:
    actor = actor_for(user)
    return actor.is_authenticated and bool(actor.is_admin or actor.is_national or actor.cluster_ids or actor.region_ids)


def require_create(user: Any) -> None:
    if not can_create(user):
        raise PermissionDenied(
            _("Bare FoU-kontakter i kommunene, forskningspartnere og koordinatorer kan registrere prosjekter.")
        )


def require_edit(user: Any, project: Project) -> None:
    if not can_edit(user, project):
        raise PermissionDenied(_("Du kan ikke endre dette prosjektet. Det kan bare eier, leder og koordinatorene over dem."))


def require_scope(user: Any, *, owner: Organisation, leader: Organisation) -> None:
    """A new or changed project must stay one the user may edit (owner or leader in scope)."""
    actor = actor_for(user)
    if not (org_in_scope(actor, owner) or org_in_scope(actor, leader)):
        raise PermissionDenied(
            _("Du kan bare registrere prosjekter der din organisasjon (eller en kommune du koordinerer) "
              "eier eller leder prosjektet.")
        )


def get_project_for_user(user: Any, pk: int, *, write: bool = False) -> Project:
    project = (
        visible_projects(user)
        .select_related("owner", "leader", "owner__region", "leader__region", "created_by")
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404(_("Fant ikke prosjektet."))
    if write:
        require_edit(user, project)
    return project
