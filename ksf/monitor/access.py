"""Who may do what in the monitor: everything is public to read; building the bundle on demand
is for administrators and coordinators (national, regional, cluster)."""

from __future__ import annotations

from typing import Any

from ksf.accounts.access import actor_for
from ksf.accounts.models import Role


def can_build_open_data(user: Any) -> bool:
    actor = actor_for(user)
    return actor.is_authenticated and (
        actor.is_admin or actor.is_national or bool(actor.region_ids) or bool(actor.cluster_ids)
        or actor.has_role(Role.NATIONAL_COORDINATOR)
    )
