"""Who may see and do what with rounds and decision records — decided here and nowhere else.

- A regional coordinator opens and runs rounds for their region; the national coordinator
  national rounds (and may read every region's rounds). Administrators may do both.
- Only invited participants declare conflicts and score.
- Everyone reads published rounds (minutes) and published decision records.
- Only the municipality's own municipal contacts create and edit its decision records;
  its members (reporters and contacts) may read them before publication.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ksf.accounts.access import Actor, actor_for
from ksf.accounts.models import Role
from ksf.needs.models import Need
from ksf.needs.workflow import Status
from ksf.organisations.models import Organisation

from .models import DecisionRecord, Participant, Round, RoundLevel, RoundStatus

ANSWERED_FOR_DECISION = frozenset(
    {Status.ANSWERED, Status.SUMMARY_PUBLISHED, Status.RESULTS_PUBLISHED, Status.ANSWERED_LOCALLY}
)


def can_open_round(actor: Actor, level: str, region_id: int | None) -> bool:
    if actor.is_admin:
        return True
    if level == RoundLevel.NATIONAL:
        return actor.is_national
    return region_id is not None and region_id in actor.region_ids


def can_open_any_round(actor: Actor) -> bool:
    return actor.is_admin or actor.is_national or bool(actor.region_ids)


def can_manage_round(user: Any, round_: Round) -> bool:
    return can_open_round(actor_for(user), round_.level, round_.region_id)


def is_participant(user: Any, round_: Round) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Participant.objects.filter(round=round_, user_id=user.pk).exists()


def visible_rounds(user: Any) -> QuerySet[Round]:
    actor = actor_for(user)
    qs = Round.objects.select_related("region")
    if actor.is_admin or actor.is_national:
        return qs
    condition = Q(status=RoundStatus.PUBLISHED)
    if actor.is_authenticated:
        condition |= Q(participants__user_id=actor.user_id)
        condition |= Q(level=RoundLevel.REGIONAL, region_id__in=actor.region_ids)
    return qs.filter(condition).distinct()


def can_view_round(user: Any, round_: Round) -> bool:
    return round_.is_published or can_manage_round(user, round_) or is_participant(user, round_) or actor_for(user).is_national


def can_see_results(user: Any, round_: Round) -> bool:
    """Ranking and individual scores: participants see them from the meeting on (no anchoring before it)."""
    if round_.is_published or can_manage_round(user, round_) or actor_for(user).is_national:
        return True
    return round_.status in (RoundStatus.SCORING, RoundStatus.CLOSED) and is_participant(user, round_)


# --- decision records ---------------------------------------------------------------------

def contact_municipalities(user: Any) -> QuerySet[Organisation]:
    actor = actor_for(user)
    return Organisation.objects.filter(pk__in=actor.orgs_with_role(Role.MUNICIPAL_CONTACT)).order_by("name")


def can_create_record(user: Any, municipality: Organisation, need: Need) -> bool:
    actor = actor_for(user)
    return (actor.is_admin or municipality.pk in actor.orgs_with_role(Role.MUNICIPAL_CONTACT)) and (
        need.status in ANSWERED_FOR_DECISION
    )


def can_edit_record(user: Any, record: DecisionRecord) -> bool:
    actor = actor_for(user)
    return actor.is_admin or record.municipality_id in actor.orgs_with_role(Role.MUNICIPAL_CONTACT)


def visible_records(user: Any) -> QuerySet[DecisionRecord]:
    actor = actor_for(user)
    qs = DecisionRecord.objects.select_related("need", "municipality")
    if actor.is_admin:
        return qs
    condition = Q(published=True)
    if actor.is_authenticated:
        condition |= Q(municipality_id__in=actor.municipality_ids)
    return qs.filter(condition)


def can_view_record(user: Any, record: DecisionRecord) -> bool:
    actor = actor_for(user)
    return record.published or actor.is_admin or record.municipality_id in actor.municipality_ids
