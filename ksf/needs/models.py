"""Needs and everything that hangs on them: history, endorsements, followers, comments.

Status is never assigned directly: see `workflow.py` (the table) and
`services.need_transition` (the one function that applies it).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ksf.core.choices import ChoiceLabels
from ksf.organisations.models import HealthRegion, Organisation

from .workflow import Level, Status


class ServiceArea(models.TextChoices):
    HOME_CARE = "hjemmetjenester", _("Hjemmetjenester")
    NURSING_HOME = "sykehjem", _("Sykehjem")
    EMERGENCY = "legevakt", _("Legevakt")
    MENTAL_HEALTH = "rus_psykisk", _("Rus og psykisk helse")
    CHILD_HEALTH = "helsestasjon", _("Helsestasjon og skolehelsetjeneste")
    REHABILITATION = "rehabilitering", _("Habilitering og rehabilitering")
    GP = "fastlege", _("Fastlege")
    PUBLIC_HEALTH = "folkehelse", _("Folkehelse")
    WELFARE_TECH = "velferdsteknologi", _("Velferdsteknologi")
    PALLIATIVE = "palliasjon", _("Lindrende behandling")
    DISABILITY = "funksjonshemming", _("Tjenester til personer med utviklingshemming")
    OTHER = "annet", _("Annet")


class NeedKind(models.TextChoices):
    KNOWLEDGE = "knowledge", pgettext_lazy("type behov", "Kunnskapsbehov")
    INNOVATION = "innovation", _("Innovasjonsbehov")


class Urgency(models.TextChoices):
    LOW = "low", _("Lav")
    MEDIUM = "medium", _("Middels")
    HIGH = "high", _("Høy")


class NeedSequence(models.Model):
    """Counter per prefix and year; locked row so public ids are unique and never reused."""

    prefix = models.CharField(max_length=4)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="unique_need_sequence")]


class Need(ChoiceLabels, models.Model):
    public_id = models.CharField(_("behovsnummer"), max_length=20, unique=True)
    kind = models.CharField(_("type behov"), max_length=12, choices=NeedKind.choices, default=NeedKind.KNOWLEDGE)
    title = models.CharField(_("tittel"), max_length=200)
    question = models.TextField(_("spørsmålet med egne ord"), max_length=4000)
    population = models.CharField(_("populasjon (P)"), max_length=500, blank=True)
    intervention = models.CharField(_("tiltak (I)"), max_length=500, blank=True)
    comparison = models.CharField(_("sammenligning (C)"), max_length=500, blank=True)
    outcome = models.CharField(_("utfall (O)"), max_length=500, blank=True)
    service_area = models.CharField(_("tjenesteområde"), max_length=30, choices=ServiceArea.choices)
    target_group = models.CharField(_("målgruppe"), max_length=300, blank=True)
    why_it_matters = models.TextField(_("hvorfor det er viktig lokalt"), max_length=4000, blank=True)
    urgency = models.CharField(_("hastegrad"), max_length=10, choices=Urgency.choices, default=Urgency.MEDIUM)

    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.DRAFT, db_index=True)
    municipality = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="needs", verbose_name=_("kommune")
    )
    cluster = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="cluster_needs", verbose_name=_("klynge")
    )
    region = models.ForeignKey(HealthRegion, on_delete=models.PROTECT, related_name="needs", verbose_name=_("helseregion"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="needs"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Set when the cluster accepts the need; from then on it is public, whatever follows.
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    is_national = models.BooleanField(_("løftet nasjonalt"), default=False)

    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_needs"
    )
    answer = models.TextField(_("svar i klarspråk"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    assigned_partner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="assigned_needs",
        verbose_name=_("forskningspartner"),
    )
    assignment_due = models.DateField(_("frist for kunnskapssjekk"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("behov")
        verbose_name_plural = _("behov")
        indexes = [
            models.Index(fields=["status", "region"]),
            models.Index(fields=["service_area", "published_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.title}"

    @property
    def is_public(self) -> bool:
        return self.published_at is not None


class NeedStatusChange(ChoiceLabels, models.Model):
    """Append-only history: one row per transition. Timeline and lead times come from here."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=30, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=Status.choices)
    level = models.CharField(max_length=20, choices=Level.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    # Kept when a person is erased, so every change stays attributable to an organisation.
    actor_organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["to_status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.need_id}: {self.from_status} → {self.to_status}"


class Endorsement(models.Model):
    """"Relevant for us too": one per municipality per need."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="endorsements")
    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="endorsements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    comment = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["need", "municipality"], name="unique_endorsement")]


class Follow(models.Model):
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["need", "user"], name="unique_follow")]


class Comment(models.Model):
    """Clarification thread between the cluster and the submitter (not public)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    author_organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True)
    text = models.TextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
