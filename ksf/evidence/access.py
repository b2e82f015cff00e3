"""Who may do what with the evidence base — decided here and nowhere else.

- Everyone reads evidence records and the links on published needs.
- Administrators import files.
- Coordinators (cluster, region, national) and research partners with a level on a need link
  evidence to it, change the link and remove it. Reporters, municipal contacts and outsiders
  may not, even on their own needs.
"""

from __future__ import annotations

from typing import Any

from ksf.accounts.access import actor_for
from ksf.needs.models import Need
from ksf.needs.workflow import Level

LINKING_LEVELS = frozenset({Level.CLUSTER, Level.REGION, Level.NATIONAL, Level.PARTNER})


def can_import(user: Any) -> bool:
    return actor_for(user).is_admin


def can_link_evidence(user: Any, need: Need) -> bool:
    from ksf.needs.access import levels_for

    return bool(levels_for(actor_for(user), need) & LINKING_LEVELS)
