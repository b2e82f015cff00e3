"""Joint procurement of innovative solutions (innovative offentlige anskaffelser, LUP's method).

An initiative pools published innovation needs; a lead organisation and participating
municipalities and hospital trusts run it through the phases in `phases.py`. Suppliers
register interest and ask questions during the market dialogue; answers are published to
all equally. Participants share what they learned in experience reports.

The phase is never assigned directly: `services.initiative_move_phase` applies the table and
writes a PhaseChange row.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ksf.core.choices import ChoiceLabels
from ksf.organisations.models import Organisation

from .phases import Phase


class Initiative(ChoiceLabels, models.Model):
    title = models.CharField(_("tittel"), max_length=200)
    description = models.TextField(_("beskrivelse av behovet"), max_length=8000)
    lead = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="led_initiatives", verbose_name=_("ansvarlig virksomhet")
    )
    participants = models.ManyToManyField(
        Organisation, through="Participation", related_name="procurement_initiatives",
        verbose_name=_("deltakere"), blank=True,
    )
    needs = models.ManyToManyField(
        "needs.Need", related_name="procurement_initiatives", verbose_name=_("innovasjonsbehov"), blank=True
    )
    volume_text = models.CharField(_("anslått volum"), max_length=500, blank=True)
    volume_number = models.PositiveIntegerField(_("antall (brukere, enheter e.l.)"), null=True, blank=True)
    volume_unit = models.CharField(_("enhet"), max_length=50, blank=True)
    phase = models.CharField(
        _("fase"), max_length=20, choices=Phase.choices, default=Phase.NEED_CLARIFICATION, db_index=True
    )
    dialogue_open = models.BooleanField(_("markedsdialogen er åpen"), default=False)
    dialogue_deadline = models.DateField(_("frist for spørsmål fra leverandører"), null=True, blank=True)
    published_at = models.DateTimeField(_("publisert"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: every edit checks and bumps it, so two people never overwrite each other.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("anskaffelsesinitiativ")
        verbose_name_plural = _("anskaffelsesinitiativ")

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.published_at is not None

    @property
    def dialogue_accepts_questions(self) -> bool:
        if not self.dialogue_open:
            return False
        return self.dialogue_deadline is None or self.dialogue_deadline >= timezone.localdate()


class Participation(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="participations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="procurement_participations")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "organisation"], name="unique_procurement_participation")
        ]


class JoinStatus(models.TextChoices):
    PENDING = "pending", _("Venter på svar")
    ACCEPTED = "accepted", _("Godtatt")
    DECLINED = "declined", _("Avslått")


class JoinRequest(ChoiceLabels, models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="join_requests")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="procurement_join_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    message = models.TextField(_("melding"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=JoinStatus.choices, default=JoinStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("begrunnelse"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "organisation"],
                condition=models.Q(status="pending"),
                name="unique_pending_join_request",
            )
        ]


class PhaseChange(ChoiceLabels, models.Model):
    """Append-only history: one row per phase change (the first row records the start)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="phase_changes")
    from_phase = models.CharField(max_length=20, choices=Phase.choices, blank=True)
    to_phase = models.CharField(max_length=20, choices=Phase.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]


class PhasePlan(ChoiceLabels, models.Model):
    """Planned dates for one phase of an initiative."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="phase_plans")
    phase = models.CharField(max_length=20, choices=Phase.choices)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("slutt"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["initiative", "phase"], name="unique_phase_plan")]


class Document(ChoiceLabels, models.Model):
    """A link to a document for one phase (needs description, tender, contract, report)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="documents")
    phase = models.CharField(_("fase"), max_length=20, choices=Phase.choices)
    title = models.CharField(_("tittel"), max_length=200)
    url = models.URLField(_("lenke"), max_length=500)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class SupplierInterest(models.Model):
    """A supplier's registration for the market dialogue: once per supplier per initiative."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="interests")
    supplier = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="procurement_interests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    contact_role = models.CharField(_("kontaktpersonens rolle"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["initiative", "supplier"], name="unique_supplier_interest")]


class SupplierQuestion(models.Model):
    """A supplier's question. Once answered, question and answer are published to everyone
    (without the asker's name, so all suppliers are treated equally)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="questions")
    supplier = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="procurement_questions")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    text = models.TextField(_("spørsmål"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("svar"), max_length=8000, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    answered_by_organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(_("svar publisert"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class CostRange(models.TextChoices):
    UNDER_100K = "lt100k", _("Under 100 000 kr")
    TO_500K = "100k-500k", _("100 000–500 000 kr")
    TO_2M = "500k-2m", _("500 000–2 millioner kr")
    TO_10M = "2m-10m", _("2–10 millioner kr")
    OVER_10M = "gt10m", _("Over 10 millioner kr")
    UNKNOWN = "unknown", _("Ikke oppgitt")


class ExperienceReport(ChoiceLabels, models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="experience_reports")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="procurement_experience_reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    title = models.CharField(_("tittel"), max_length=200)
    what_procured = models.TextField(_("hva ble anskaffet"), max_length=4000)
    cost_range = models.CharField(_("kostnad"), max_length=12, choices=CostRange.choices, default=CostRange.UNKNOWN)
    effects = models.TextField(_("effekter som er målt"), max_length=8000)
    lessons = models.TextField(_("hva vi ville gjort annerledes"), max_length=8000)
    published_at = models.DateTimeField(_("publisert"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("erfaringsrapport")
        verbose_name_plural = _("erfaringsrapporter")

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.published_at is not None


def phase_started_at(initiative: Initiative, phase: str) -> dt.datetime | None:
    """When the initiative last entered `phase` (from the history), if ever."""
    change = initiative.phase_changes.filter(to_phase=phase).order_by("-created_at", "-pk").first()
    return change.created_at if change else None
