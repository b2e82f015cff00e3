"""The R&D and innovation project registry, with user participation (brukermedvirkning).

Participation follows the HelseOmsorg21-monitor's split (seed 003, case 54/20): *in which
phase* users took part and *in what capacity*. A project states explicitly whether users
took part ("participation"), that they did not ("none"), or nothing yet ("not reported");
rows exist if and only if the state is "participation" (checked in `services`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ksf.core.choices import ChoiceLabels
from ksf.needs.models import Need, ServiceArea
from ksf.organisations.models import Organisation

# The largest single funding amount we accept (NOK). Larger numbers are typing errors.
MAX_AMOUNT_NOK = 1_000_000_000


class ProjectKind(models.TextChoices):
    RESEARCH = "research", _("Forskningsprosjekt")
    INNOVATION = "innovation", _("Innovasjonsprosjekt")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planlagt")
    ONGOING = "ongoing", _("Pågår")
    COMPLETED = "completed", _("Avsluttet")
    STOPPED = "stopped", _("Stanset")


class ParticipationState(models.TextChoices):
    NOT_REPORTED = "not_reported", _("Ikke rapportert")
    NONE = "none", _("Ingen brukermedvirkning")
    PARTICIPATION = "participation", _("Med brukermedvirkning")


class Phase(models.TextChoices):
    IDENTIFY = "identify", _("Identifisere og prioritere")
    DESIGN = "design", _("Utforme og planlegge")
    CONDUCT = "conduct", _("Gjennomføre og samle inn data")
    ANALYSE = "analyse", _("Analysere og tolke")
    DISSEMINATE = "disseminate", _("Formidle og implementere")


class Capacity(models.TextChoices):
    CO_RESEARCHER = "co_researcher", _("Medforsker")
    ADVISER = "adviser", _("Rådgiver / referansegruppe")
    REPRESENTATIVE = "representative", _("Representant / observatør")
    OTHER = "other", _("Annet")


class Participant(models.TextChoices):
    PATIENTS = "patients", _("Pasienter og brukere")
    NEXT_OF_KIN = "next_of_kin", _("Pårørende")
    USER_ORGANISATIONS = "user_organisations", _("Brukerorganisasjoner")
    OTHER = "other", _("Andre")


class FundingSource(models.TextChoices):
    RESEARCH_COUNCIL = "forskningsradet", _("Forskningsrådet")
    REGIONAL_FUNDS = "regionale_forskningsfond", _("Regionale forskningsfond")
    PILOT_HELSE = "pilot_helse", _("Pilot Helse")
    RHF = "rhf", _("Regionalt helseforetak (RHF)")
    EU = "eu", _("EU")
    OWN = "egenandel", _("Egenandel")
    OTHER = "annet", _("Annet")


class Project(ChoiceLabels, models.Model):
    title = models.CharField(_("tittel"), max_length=300)
    summary = models.TextField(_("populærvitenskapelig sammendrag"), max_length=5000)
    kind = models.CharField(_("type prosjekt"), max_length=12, choices=ProjectKind.choices, default=ProjectKind.RESEARCH)
    status = models.CharField(
        _("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED, db_index=True
    )
    start_date = models.DateField(_("startdato"))
    end_date = models.DateField(_("sluttdato"), null=True, blank=True)
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="owned_projects", verbose_name=_("prosjekteier")
    )
    leader = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="led_projects", verbose_name=_("prosjektleder (organisasjon)")
    )
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="partner_projects", verbose_name=_("samarbeidspartnere")
    )
    municipalities = models.ManyToManyField(
        Organisation, blank=True, related_name="projects", verbose_name=_("deltakende kommuner")
    )
    keywords = models.CharField(_("emneord"), max_length=500, blank=True)
    needs = models.ManyToManyField(Need, blank=True, related_name="projects", verbose_name=_("behov prosjektet svarer på"))
    results = models.TextField(_("resultater i klarspråk"), max_length=20000, blank=True)
    results_published_at = models.DateTimeField(_("resultater publisert"), null=True, blank=True)
    publications = models.JSONField(_("publikasjoner (DOI)"), default=list, blank=True)
    links = models.JSONField(_("lenker"), default=list, blank=True)
    cristin_id = models.CharField(_("Cristin-prosjektnummer"), max_length=12, blank=True)
    participation_reported = models.CharField(
        _("brukermedvirkning"),
        max_length=14,
        choices=ParticipationState.choices,
        default=ParticipationState.NOT_REPORTED,
        db_index=True,
    )
    is_published = models.BooleanField(_("publisert"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="projects"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic lock: an edit based on an old version is refused, never silently overwritten.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("prosjekt")
        verbose_name_plural = _("prosjekter")
        constraints = [
            models.UniqueConstraint(
                fields=["cristin_id"], condition=~Q(cristin_id=""), name="unique_project_cristin_id"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="project_end_not_before_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(";") if k.strip()]

    @property
    def service_area_codes(self) -> list[str]:
        return [row.area for row in self.service_area_rows.all()]

    @property
    def service_area_labels(self) -> list[str]:
        return [str(ServiceArea(code).label) for code in self.service_area_codes if code in ServiceArea.values]


class ProjectServiceArea(ChoiceLabels, models.Model):
    """One service area of a project (a row, so filters work the same on SQLite and PostgreSQL)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="service_area_rows")
    area = models.CharField(_("tjenesteområde"), max_length=30, choices=ServiceArea.choices)

    class Meta:
        ordering = ["area"]
        constraints = [models.UniqueConstraint(fields=["project", "area"], name="unique_project_service_area")]

    def __str__(self) -> str:
        return self.get_area_display()


class Funding(ChoiceLabels, models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funding")
    source = models.CharField(_("finansieringskilde"), max_length=30, choices=FundingSource.choices)
    amount = models.PositiveBigIntegerField(
        _("beløp (kr)"), validators=[MinValueValidator(0), MaxValueValidator(MAX_AMOUNT_NOK)]
    )
    note = models.CharField(_("merknad"), max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("finansiering")
        verbose_name_plural = _("finansiering")
        constraints = [
            models.CheckConstraint(condition=Q(amount__lte=MAX_AMOUNT_NOK), name="funding_amount_sane"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.amount} kr"


class UserParticipation(ChoiceLabels, models.Model):
    """Users took part in this phase, in this capacity (no names: only who, as a group)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="participation")
    phase = models.CharField(_("fase"), max_length=12, choices=Phase.choices)
    capacity = models.CharField(_("rolle"), max_length=16, choices=Capacity.choices)
    who = models.CharField(_("hvem"), max_length=20, choices=Participant.choices)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("brukermedvirkning")
        verbose_name_plural = _("brukermedvirkning")
        constraints = [
            models.UniqueConstraint(fields=["project", "phase", "capacity", "who"], name="unique_participation_row"),
        ]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} – {self.get_capacity_display()} – {self.get_who_display()}"
