"""Who may see and do what in joint procurement — decided here and nowhere else.

- Everyone (also suppliers and the public) sees published initiatives, their documents,
  answered questions and published experience reports.
- A person acts for an organisation in procurement as a municipal contact of a municipality,
  as cluster coordinator (for the cluster and its motorkommune), or as a member of a hospital
  trust. Reporters do not act in procurement.
- Participants — those who act for the lead or a participating organisation — see the
  initiative while it is a draft, edit it, add documents, answer questions and write
  experience reports. Only those acting for the lead move phases and decide join requests.
- Municipal contacts and cluster coordinators (and hospital members) create initiatives.
- Suppliers (members with the supplier role) register interest and ask questions on published
  initiatives, and see their own registrations and unanswered questions.
- Administrators may do everything.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ksf.accounts.access import Actor, actor_for
from ksf.accounts.models import Role
from ksf.organisations.models import Organisation, OrgKind

from .models import ExperienceReport, Initiative, SupplierInterest, SupplierQuestion

# Kinds of organisation that can take part in (and lead) an initiative.
PARTICIPANT_KINDS = (OrgKind.MUNICIPALITY, OrgKind.HOSPITAL)
LEAD_KINDS = (OrgKind.MUNICIPALITY, OrgKind.HOSPITAL, OrgKind.CLUSTER)


def acting_org_ids(actor: Actor) -> set[int]:
    """The organisations this actor can act for in procurement."""
    if not actor.is_authenticated:
        return set()
    orgs = set(actor.orgs_with_role(Role.MUNICIPAL_CONTACT))
    orgs |= set(actor.cluster_ids)
    if actor.cluster_ids:
        orgs |= set(
            Organisation.objects.filter(pk__in=actor.cluster_ids, motorkommune__isnull=False).values_list(
                "motorkommune_id", flat=True
            )
        )
    other = {org for role, org in actor.roles if role != Role.SUPPLIER}
    if other:
        orgs |= set(Organisation.objects.filter(pk__in=other, kind=OrgKind.HOSPITAL).values_list("pk", flat=True))
    return orgs


def acting_orgs(user: Any, kinds: tuple[str, ...] = LEAD_KINDS) -> QuerySet[Organisation]:
    actor = actor_for(user)
    qs = Organisation.objects.filter(kind__in=kinds)
    if actor.is_admin:
        return qs.order_by("name")
    return qs.filter(pk__in=acting_org_ids(actor)).order_by("name")


def initiative_org_ids(initiative: Initiative) -> set[int]:
    ids = set(initiative.participations.values_list("organisation_id", flat=True))
    ids.add(initiative.lead_id)
    return ids


def visible_initiatives(user: Any) -> QuerySet[Initiative]:
    actor = actor_for(user)
    qs = Initiative.objects.all()
    if actor.is_admin:
        return qs
    condition = Q(published_at__isnull=False)
    orgs = acting_org_ids(actor)
    if orgs:
        condition |= Q(lead_id__in=orgs) | Q(participations__organisation_id__in=orgs)
    if actor.user_id:
        condition |= Q(created_by_id=actor.user_id)
    return qs.filter(condition).distinct()


def get_initiative_for_user(user: Any, pk: int) -> Initiative:
    initiative = visible_initiatives(user).select_related("lead").filter(pk=pk).first()
    if initiative is None:
        raise Http404(_("Fant ikke anskaffelsen."))
    return initiative


# --- participants and the lead ------------------------------------------------------------

def is_participant(user: Any, initiative: Initiative) -> bool:
    actor = actor_for(user)
    if actor.is_admin:
        return True
    return bool(acting_org_ids(actor) & initiative_org_ids(initiative))


def is_lead(user: Any, initiative: Initiative) -> bool:
    actor = actor_for(user)
    return actor.is_admin or initiative.lead_id in acting_org_ids(actor)


def can_create(user: Any) -> bool:
    actor = actor_for(user)
    if actor.is_admin:
        return True
    return acting_orgs(user).exists()


def require_create(user: Any) -> None:
    if not can_create(user):
        raise PermissionDenied(
            _("Bare FoU-kontakter i kommuner, klyngekoordinatorer og helseforetak kan starte en felles anskaffelse.")
        )


def require_participant(user: Any, initiative: Initiative) -> None:
    if not is_participant(user, initiative):
        raise PermissionDenied(_("Bare deltakerne i anskaffelsen kan endre den."))


def require_lead(user: Any, initiative: Initiative) -> None:
    if not is_lead(user, initiative):
        raise PermissionDenied(
            _("Bare den ansvarlige virksomheten (%(lead)s) kan gjøre dette.") % {"lead": initiative.lead.name}
        )


def join_candidates(user: Any, initiative: Initiative) -> QuerySet[Organisation]:
    """Organisations the user can ask to join with (not already taking part)."""
    return acting_orgs(user, PARTICIPANT_KINDS).exclude(pk__in=initiative_org_ids(initiative))


# --- suppliers ----------------------------------------------------------------------------

def supplier_orgs(user: Any) -> QuerySet[Organisation]:
    actor = actor_for(user)
    return Organisation.objects.filter(pk__in=actor.supplier_org_ids, kind=OrgKind.SUPPLIER).order_by("name")


def is_supplier(user: Any) -> bool:
    return bool(actor_for(user).supplier_org_ids)


def require_supplier(user: Any, supplier: Organisation | None = None) -> Organisation:
    """The supplier organisation the user acts for (the given one must be theirs)."""
    orgs = supplier_orgs(user)
    if supplier is None:
        found = orgs.first()
    else:
        found = orgs.filter(pk=supplier.pk).first()
    if found is None:
        raise PermissionDenied(_("Du må ha en leverandørkonto for å gjøre dette. Registrer virksomheten din først."))
    return found


def visible_questions(user: Any, initiative: Initiative) -> QuerySet[SupplierQuestion]:
    """Answered questions for everyone; unanswered ones for participants and the asking supplier."""
    qs = initiative.questions.all()
    if is_participant(user, initiative):
        return qs
    actor = actor_for(user)
    condition = Q(answered_at__isnull=False)
    if actor.supplier_org_ids:
        condition |= Q(supplier_id__in=actor.supplier_org_ids)
    return qs.filter(condition)


def visible_interests(user: Any, initiative: Initiative) -> QuerySet[SupplierInterest]:
    """Who registered (with contact role) is for participants; a supplier sees its own."""
    qs = initiative.interests.select_related("supplier")
    if is_participant(user, initiative):
        return qs
    return qs.filter(supplier_id__in=actor_for(user).supplier_org_ids)


def can_answer(user: Any, initiative: Initiative) -> bool:
    return is_participant(user, initiative)


# --- experience reports -------------------------------------------------------------------

def visible_reports(user: Any) -> QuerySet[ExperienceReport]:
    actor = actor_for(user)
    qs = ExperienceReport.objects.all()
    if actor.is_admin:
        return qs
    condition = Q(published_at__isnull=False)
    orgs = acting_org_ids(actor)
    if orgs:
        condition |= Q(organisation_id__in=orgs)
    if actor.user_id:
        condition |= Q(author_id=actor.user_id)
    return qs.filter(condition)


def report_orgs(user: Any, initiative: Initiative) -> QuerySet[Organisation]:
    """Organisations the user can write an experience report for on this initiative."""
    actor = actor_for(user)
    qs = Organisation.objects.filter(pk__in=initiative_org_ids(initiative)).order_by("name")
    if actor.is_admin:
        return qs
    return qs.filter(pk__in=acting_org_ids(actor))
