"""What a user is, in one place: their memberships read as levels and scopes.

Each app decides access to its own objects (e.g. `needs.access.get_need_for_user`), but
always from these facts, never ad hoc in views or templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from ksf.organisations.models import Organisation, OrgKind

from .models import Membership, Role


@dataclass(frozen=True)
class Actor:
    """The roles of one user, resolved once per request."""

    user_id: int | None
    is_admin: bool = False
    roles: frozenset[tuple[str, int]] = field(default_factory=frozenset)  # (role, organisation id)
    municipality_ids: frozenset[int] = field(default_factory=frozenset)  # as reporter/contact
    cluster_ids: frozenset[int] = field(default_factory=frozenset)  # as cluster coordinator
    region_ids: frozenset[int] = field(default_factory=frozenset)  # as regional coordinator
    partner_org_ids: frozenset[int] = field(default_factory=frozenset)
    supplier_org_ids: frozenset[int] = field(default_factory=frozenset)
    is_national: bool = False
    # Målform of the home municipality (see `home_municipality`): the default language of a user
    # who chose none (accounts.middleware), read from the memberships loaded here anyway.
    home_malform: str = ""

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def has_role(self, role: str) -> bool:
        return self.is_admin or any(r == role for r, _ in self.roles)

    def orgs_with_role(self, role: str) -> set[int]:
        return {org for r, org in self.roles if r == role}


ANONYMOUS = Actor(user_id=None)


#: Roles through which a user acts for a municipality; the first such membership is their home.
HOME_ROLES = (Role.REPORTER, Role.MUNICIPAL_CONTACT)


def _acts_for_municipality(m: Membership) -> bool:
    return m.role in HOME_ROLES and m.organisation.kind == OrgKind.MUNICIPALITY


def home_memberships() -> QuerySet[Membership]:
    """Memberships that make a municipality someone's home, oldest first (the first one wins)."""
    return Membership.objects.filter(role__in=HOME_ROLES, organisation__kind=OrgKind.MUNICIPALITY).order_by("pk")


def actor_for(user: Any) -> Actor:
    """Build the Actor for a Django user (cached on the user object for the request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_ksf_actor", None)
    if cached is not None:
        return cached
    memberships = list(
        Membership.objects.filter(user_id=user.pk).select_related("organisation").order_by("pk")
    )
    roles = frozenset((m.role, m.organisation_id) for m in memberships)
    municipality_ids = {m.organisation_id for m in memberships if _acts_for_municipality(m)}
    cluster_ids = {m.organisation_id for m in memberships if m.role == Role.CLUSTER_COORDINATOR}
    region_ids = {
        m.organisation.region_id
        for m in memberships
        if m.role == Role.REGIONAL_COORDINATOR and m.organisation.region_id
    }
    home = next((m.organisation for m in memberships if _acts_for_municipality(m)), None)
    actor = Actor(
        user_id=user.pk,
        is_admin=bool(user.is_superuser) or any(m.role == Role.ADMINISTRATOR for m in memberships),
        roles=roles,
        municipality_ids=frozenset(municipality_ids),
        cluster_ids=frozenset(cluster_ids),
        region_ids=frozenset(r for r in region_ids if r is not None),
        partner_org_ids=frozenset(
            m.organisation_id for m in memberships if m.role == Role.RESEARCH_PARTNER
        ),
        supplier_org_ids=frozenset(m.organisation_id for m in memberships if m.role == Role.SUPPLIER),
        is_national=any(m.role == Role.NATIONAL_COORDINATOR for m in memberships),
        home_malform=home.malform if home is not None else "",
    )
    user._ksf_actor = actor
    return actor


def home_municipality(user: Any) -> Organisation | None:
    """The municipality a reporter or contact acts for (first membership), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    membership = home_memberships().filter(user_id=user.pk).select_related("organisation").first()
    return membership.organisation if membership else None
