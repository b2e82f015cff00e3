"""Users act through memberships: an organisation plus a role in it."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from ksf.core.choices import ChoiceLabels
from ksf.organisations.models import Organisation


class Role(models.TextChoices):
    REPORTER = "reporter", _("Melder")
    MUNICIPAL_CONTACT = "municipal_contact", _("FoU-kontakt i kommunen")
    CLUSTER_COORDINATOR = "cluster_coordinator", _("Klyngekoordinator")
    REGIONAL_COORDINATOR = "regional_coordinator", _("Regional koordinator")
    RESEARCH_PARTNER = "research_partner", _("Forskningspartner")
    NATIONAL_COORDINATOR = "national_coordinator", _("Nasjonal koordinator")
    SUPPLIER = "supplier", _("Leverandør")
    ADMINISTRATOR = "administrator", _("Administrator")


class User(ChoiceLabels, AbstractUser):
    """A person. Contact details are never shown publicly."""

    full_name = models.CharField(_("fullt navn"), max_length=200, blank=True)
    # Empty means "follow my municipality's målform" (see accounts.middleware).
    language = models.CharField(
        _("språk"),
        max_length=5,
        blank=True,
        choices=[("nb", "Bokmål"), ("nn", "Nynorsk"), ("en", "English")],
    )

    class Meta:
        verbose_name = _("bruker")
        verbose_name_plural = _("brukere")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Membership(ChoiceLabels, models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rolle"), max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.organisation})"
