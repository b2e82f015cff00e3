"""The path of a need, as one explicit table.

Each entry says who may move a need from one status to another (by the level they act at)
and what they must give. `needs.services.need_transition` is the only code that changes a
need's status; it reads this table, applies the change with a conditional UPDATE and writes
a history row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SUBMITTED = "submitted", _("Sendt inn")
    CLARIFICATION = "clarification", _("Avklaring etterspurt")
    CLUSTER_REVIEW = "cluster_review", _("Til vurdering i klyngen")
    MERGED = "merged", _("Slått sammen med et annet behov")
    REJECTED = "rejected", _("Avvist")
    ANSWERED_LOCALLY = "answered_locally", _("Besvart lokalt")
    FORWARDED = "forwarded", _("Til regional prioritering")
    NATIONAL = "national", _("Løftet til nasjonalt nivå")
    EVIDENCE_CHECK = "evidence_check", _("Kunnskapssjekk pågår")
    ANSWERED = "answered", _("Besvart med eksisterende kunnskap")
    SUMMARY_COMMISSIONED = "summary_commissioned", _("Kunnskapsoppsummering bestilt")
    SUMMARY_PUBLISHED = "summary_published", _("Kunnskapsoppsummering publisert")
    RESEARCH_PROPOSAL = "research_proposal", _("Kunnskapshull – forslag til forskning")
    IN_PROJECT = "in_project", _("Forskningsprosjekt i gang")
    RESULTS_PUBLISHED = "results_published", _("Resultater publisert")
    WITHDRAWN = "withdrawn", _("Trukket tilbake")


class Level(models.TextChoices):
    """The capacity in which someone acts on a need (shown on the public timeline)."""

    SUBMITTER = "submitter", _("Kommunen")
    CLUSTER = "cluster", _("Klyngen")
    REGION = "region", _("Regionen")
    NATIONAL = "national", _("Nasjonalt")
    PARTNER = "partner", _("Forskningspartner")
    SYSTEM = "system", _("Systemet")


# What a transition may require the actor to give.
REASON = "reason"  # free text explaining the decision (shown publicly on the timeline)
TARGET = "target"  # the need this one is merged into
ANSWER = "answer"  # plain-language answer text
ASSIGNMENT = "assignment"  # research partner organisation and due date
PROJECT = "project"  # the project created for a research proposal


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    levels: frozenset[str]
    requires: frozenset[str]
    label: str | Promise


def _t(source: Status, target: Status, levels: set[Level], label: str | Promise, requires: set[str] | None = None) -> Transition:
    return Transition(source.value, target.value, frozenset(lv.value for lv in levels), frozenset(requires or set()), label)


S, L = Status, Level
_ANSWERING = {L.REGION, L.NATIONAL, L.PARTNER}

TRANSITIONS: tuple[Transition, ...] = (
    _t(S.DRAFT, S.SUBMITTED, {L.SUBMITTER}, _("Send inn")),
    _t(S.CLARIFICATION, S.SUBMITTED, {L.SUBMITTER}, _("Send inn igjen med svar"), {REASON}),
    # Cluster screening.
    _t(S.SUBMITTED, S.CLUSTER_REVIEW, {L.CLUSTER}, _("Ta til vurdering (publiser)")),
    _t(S.SUBMITTED, S.CLARIFICATION, {L.CLUSTER}, _("Be om avklaring"), {REASON}),
    _t(S.CLUSTER_REVIEW, S.CLARIFICATION, {L.CLUSTER}, _("Be om avklaring"), {REASON}),
    _t(S.SUBMITTED, S.MERGED, {L.CLUSTER, L.NATIONAL}, _("Slå sammen med et annet behov"), {TARGET}),
    _t(S.CLUSTER_REVIEW, S.MERGED, {L.CLUSTER, L.NATIONAL}, _("Slå sammen med et annet behov"), {TARGET}),
    _t(S.SUBMITTED, S.REJECTED, {L.CLUSTER}, _("Avvis"), {REASON}),
    _t(S.CLUSTER_REVIEW, S.REJECTED, {L.CLUSTER}, _("Avvis"), {REASON}),
    _t(S.CLUSTER_REVIEW, S.ANSWERED_LOCALLY, {L.CLUSTER}, _("Besvar lokalt"), {ANSWER}),
    _t(S.CLUSTER_REVIEW, S.FORWARDED, {L.CLUSTER}, _("Send videre til regionen")),
    # Regional (and national) prioritisation.
    _t(S.FORWARDED, S.NATIONAL, {L.REGION}, _("Løft til nasjonalt nivå"), {REASON}),
    _t(S.FORWARDED, S.EVIDENCE_CHECK, {L.REGION}, _("Bestill kunnskapssjekk"), {ASSIGNMENT}),
    _t(S.NATIONAL, S.EVIDENCE_CHECK, {L.NATIONAL}, _("Bestill kunnskapssjekk"), {ASSIGNMENT}),
    _t(S.FORWARDED, S.SUMMARY_COMMISSIONED, {L.REGION}, _("Bestill kunnskapsoppsummering"), {ASSIGNMENT}),
    _t(S.NATIONAL, S.SUMMARY_COMMISSIONED, {L.NATIONAL}, _("Bestill kunnskapsoppsummering"), {ASSIGNMENT}),
    _t(S.FORWARDED, S.RESEARCH_PROPOSAL, {L.REGION}, _("Foreslå forskning"), {REASON}),
    _t(S.NATIONAL, S.RESEARCH_PROPOSAL, {L.NATIONAL}, _("Foreslå forskning"), {REASON}),
    _t(S.FORWARDED, S.MERGED, {L.REGION, L.NATIONAL}, _("Slå sammen med et annet behov"), {TARGET}),
    _t(S.NATIONAL, S.MERGED, {L.NATIONAL}, _("Slå sammen med et annet behov"), {TARGET}),
    # Outcome of the evidence check.
    _t(S.EVIDENCE_CHECK, S.ANSWERED, _ANSWERING, _("Besvar med eksisterende kunnskap"), {ANSWER}),
    _t(S.EVIDENCE_CHECK, S.SUMMARY_COMMISSIONED, {L.REGION, L.NATIONAL}, _("Bestill kunnskapsoppsummering"), {ASSIGNMENT}),
    _t(S.SUMMARY_COMMISSIONED, S.SUMMARY_PUBLISHED, _ANSWERING, _("Publiser kunnskapsoppsummering"), {ANSWER}),
    _t(S.EVIDENCE_CHECK, S.RESEARCH_PROPOSAL, _ANSWERING, _("Kunnskapshull – foreslå forskning"), {REASON}),
    _t(S.RESEARCH_PROPOSAL, S.IN_PROJECT, {L.REGION, L.NATIONAL, L.PARTNER, L.SYSTEM}, _("Knytt til prosjekt"), {PROJECT}),
    _t(S.IN_PROJECT, S.RESULTS_PUBLISHED, {L.REGION, L.NATIONAL, L.PARTNER, L.SYSTEM}, _("Resultater publisert"), {ANSWER}),
) + tuple(
    # Withdrawn is possible until the need is answered.
    _t(source, S.WITHDRAWN, {L.SUBMITTER}, _("Trekk tilbake"), {REASON} if source != S.DRAFT else set())
    for source in (
        S.DRAFT, S.SUBMITTED, S.CLARIFICATION, S.CLUSTER_REVIEW, S.FORWARDED, S.NATIONAL,
        S.EVIDENCE_CHECK, S.SUMMARY_COMMISSIONED,
    )
)

TABLE: dict[tuple[str, str], Transition] = {(t.source, t.target): t for t in TRANSITIONS}
assert len(TABLE) == len(TRANSITIONS), "duplicate transition in the table"

# Statuses in which a need is visible to everyone (the cluster has accepted it).
PUBLIC_STATUSES = frozenset(
    s.value
    for s in (
        S.CLUSTER_REVIEW, S.ANSWERED_LOCALLY, S.FORWARDED, S.NATIONAL, S.EVIDENCE_CHECK, S.ANSWERED,
        S.SUMMARY_COMMISSIONED, S.SUMMARY_PUBLISHED, S.RESEARCH_PROPOSAL, S.IN_PROJECT,
        S.RESULTS_PUBLISHED,
    )
)
# Final statuses: nothing follows (merged, rejected and withdrawn needs stay public if they were).
FINAL_STATUSES = frozenset(
    s.value for s in (S.MERGED, S.REJECTED, S.ANSWERED_LOCALLY, S.ANSWERED, S.SUMMARY_PUBLISHED, S.RESULTS_PUBLISHED, S.WITHDRAWN)
)
# Outcome groups used by statistics.
ANSWERED_STATUSES = frozenset(
    s.value for s in (S.ANSWERED_LOCALLY, S.ANSWERED, S.SUMMARY_PUBLISHED, S.RESULTS_PUBLISHED)
)


def transitions_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == status]


def get_transition(source: str, target: str) -> Transition | None:
    return TABLE.get((source, target))
