"""Evidence records (systematic reviews, knowledge summaries, HTAs, guidelines) and their links to needs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ksf.core.choices import ChoiceLabels
from ksf.needs.models import Need


class Source(models.TextChoices):
    COCHRANE = "cochrane", "Cochrane"
    FHI = "fhi", "FHI"
    SBU = "sbu", "SBU"
    EPISTEMONIKOS = "epistemonikos", "Epistemonikos"
    PROSPERO = "prospero", "PROSPERO"
    HELSEBIBLIOTEKET = "helsebiblioteket", "Helsebiblioteket"
    OTHER = "other", _("Annen kilde")


class EvidenceType(models.TextChoices):
    SYSTEMATIC_REVIEW = "systematic_review", _("Systematisk oversikt")
    KNOWLEDGE_SUMMARY = "knowledge_summary", _("Kunnskapsoppsummering")
    HTA = "hta", _("Metodevurdering (HTA)")
    GUIDELINE = "guideline", _("Retningslinje")
    OTHER = "other", _("Annet")


class Evidence(ChoiceLabels, models.Model):
    title = models.CharField(_("tittel"), max_length=1000)
    title_no = models.CharField(_("norsk tittel"), max_length=1000, blank=True)
    abstract = models.TextField(_("sammendrag"), blank=True)
    authors = models.JSONField(_("forfattere"), default=list, blank=True)
    year = models.PositiveIntegerField(_("år"), null=True, blank=True, db_index=True)
    journal = models.CharField(_("tidsskrift"), max_length=500, blank=True)
    source = models.CharField(_("kilde"), max_length=20, choices=Source.choices, default=Source.OTHER, db_index=True)
    evidence_type = models.CharField(
        _("type"), max_length=20, choices=EvidenceType.choices, default=EvidenceType.SYSTEMATIC_REVIEW, db_index=True
    )
    language = models.CharField(_("språk"), max_length=5, blank=True, db_index=True)
    doi = models.CharField(_("DOI"), max_length=255, blank=True, db_index=True)
    pmid = models.CharField(_("PMID"), max_length=20, blank=True, db_index=True)
    # Cochrane review id (CD + six digits): stable across review versions, whose DOI ends .pubN.
    cochrane_id = models.CharField(_("Cochrane-ID"), max_length=12, blank=True, db_index=True)
    url = models.URLField(_("lenke"), max_length=2000, blank=True)
    certainty = models.CharField(_("tillit til resultatet"), max_length=200, blank=True)
    keywords = models.JSONField(_("emneord"), default=list, blank=True)
    # Lower-cased title without punctuation: the last key when matching re-imports.
    title_key = models.CharField(max_length=1000, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("kunnskapskilde")
        verbose_name_plural = _("kunnskapskilder")

    def __str__(self) -> str:
        return self.title_no or self.title

    @property
    def display_title(self) -> str:
        return self.title_no or self.title


class LinkRelation(models.TextChoices):
    ANSWERS = "answers", _("Besvarer")
    PARTLY = "partly", _("Besvarer delvis")
    RELATED = "related", _("Relatert")


class NeedEvidenceLink(ChoiceLabels, models.Model):
    """Evidence linked to a need, with the plain-language "what we know" text."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="evidence_links")
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="need_links")
    relation = models.CharField(_("forhold"), max_length=10, choices=LinkRelation.choices)
    what_we_know = models.TextField(_("hva vi vet"), blank=True, max_length=5000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Who last changed the relation or the text (the creator stays recorded above).
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["need", "evidence"], name="unique_need_evidence")]
        ordering = ["relation", "-created_at"]
        verbose_name = _("kobling mellom behov og kunnskap")
        verbose_name_plural = _("koblinger mellom behov og kunnskap")

    def __str__(self) -> str:
        return f"{self.need_id} – {self.evidence_id} ({self.relation})"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("I kø")
    RUNNING = "running", _("Pågår")
    OK = "ok", _("Importert")
    FAILED = "failed", _("Feilet")


class ImportRun(ChoiceLabels, models.Model):
    """One import of one file: what happened (created/updated counts or the errors).

    Large uploads are stored under MEDIA_ROOT/imports/ and imported by a background task; the
    run is created first (queued) so the import page can show its progress and result.
    """

    filename = models.CharField(_("fil"), max_length=300)
    file_format = models.CharField(_("format"), max_length=20, blank=True)
    size = models.PositiveBigIntegerField(_("størrelse (byte)"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    created = models.PositiveIntegerField(_("nye"), default=0)
    updated = models.PositiveIntegerField(_("oppdatert"), default=0)
    unchanged = models.PositiveIntegerField(_("uendret"), default=0)
    errors = models.JSONField(_("feil"), default=list, blank=True)
    warnings = models.JSONField(_("merknader"), default=list, blank=True)
    # Relative to MEDIA_ROOT while a background import waits; cleared when it is done.
    stored_file = models.CharField(max_length=500, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(_("startet"), auto_now_add=True)
    finished_at = models.DateTimeField(_("ferdig"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("importer")

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_done(self) -> bool:
        return self.status in (ImportStatus.OK, ImportStatus.FAILED)
