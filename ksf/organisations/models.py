"""Reference organisations that users act through.

Municipalities, counties and health regions come from real reference data (see
`data/reference/`); clusters, regional bodies (RSO), the national node, research
partners, hospital trusts and suppliers are created by administrators or the demo loader.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ksf.core.choices import ChoiceLabels


class HealthRegion(models.Model):
    """One of the four regional health authorities (RHF)."""

    code = models.SlugField(_("kode"), max_length=20, unique=True)
    name = models.CharField(_("navn"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("helseregion")
        verbose_name_plural = _("helseregioner")

    def __str__(self) -> str:
        return self.name


class County(models.Model):
    number = models.CharField(_("fylkesnummer"), max_length=2, unique=True)
    name = models.CharField(_("navn"), max_length=100)
    region = models.ForeignKey(HealthRegion, on_delete=models.PROTECT, related_name="counties")

    class Meta:
        ordering = ["number"]
        verbose_name = _("fylke")
        verbose_name_plural = _("fylker")

    def __str__(self) -> str:
        return self.name


class OrgKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Kommune")
    CLUSTER = "cluster", _("Kommuneklynge")
    REGIONAL_BODY = "regional_body", _("Regionalt samarbeidsorgan")
    NATIONAL_NODE = "national_node", _("Nasjonal node")
    RESEARCH_PARTNER = "research_partner", _("Forskningspartner")
    HOSPITAL = "hospital", _("Helseforetak")
    SUPPLIER = "supplier", _("Leverandør")
    OTHER = "other", _("Annen organisasjon")


class Malform(models.TextChoices):
    BOKMAL = "bokmal", _("Bokmål")
    NYNORSK = "nynorsk", _("Nynorsk")
    NEUTRAL = "neutral", _("Nøytral")


class Organisation(ChoiceLabels, models.Model):
    kind = models.CharField(_("type"), max_length=20, choices=OrgKind.choices, db_index=True)
    name = models.CharField(_("navn"), max_length=200)
    slug = models.SlugField(_("kortnavn"), max_length=120, unique=True)
    # Municipalities: official 4-digit number; others may have a 9-digit organisation number.
    municipality_number = models.CharField(
        _("kommunenummer"), max_length=4, unique=True, null=True, blank=True
    )
    org_number = models.CharField(_("organisasjonsnummer"), max_length=9, blank=True)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, related_name="organisations"
    )
    region = models.ForeignKey(
        HealthRegion, on_delete=models.PROTECT, null=True, blank=True, related_name="organisations"
    )
    population = models.PositiveIntegerField(_("innbyggertall"), null=True, blank=True)
    malform = models.CharField(_("målform"), max_length=10, choices=Malform.choices, blank=True)
    adm_center = models.CharField(_("administrasjonssenter"), max_length=100, blank=True)
    name_sami = models.CharField(_("samisk navn"), max_length=100, blank=True)
    website = models.CharField(_("nettsted"), max_length=200, blank=True)
    # Clusters: the leading municipality and the member municipalities.
    motorkommune = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_clusters",
        limit_choices_to={"kind": OrgKind.MUNICIPALITY},
        verbose_name=_("motorkommune"),
    )
    members = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="clusters",
        limit_choices_to={"kind": OrgKind.MUNICIPALITY},
        verbose_name=_("medlemskommuner"),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisasjon")
        verbose_name_plural = _("organisasjoner")
        indexes = [models.Index(fields=["kind", "region"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_municipality(self) -> bool:
        return self.kind == OrgKind.MUNICIPALITY
