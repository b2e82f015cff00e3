"""Prioritisation rounds (regional or national) and municipal decision records.

A round has its own criteria (with weights and anchors), invited participants, candidate
needs, conflict-of-interest declarations (habilitet), scores and decisions (vedtak). A
decision moves the need through `ksf.needs.services.need_transition` with the round as reason.

A decision record is a municipality's assessment of a measure for an answered need, against
nytte, ressurs og alvorlighet and Helsedirektoratet's further points; printable as a memo.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ksf.core.choices import ChoiceLabels
from ksf.needs.models import Need
from ksf.organisations.models import HealthRegion, Organisation

SCALE_MIN = 1
SCALE_MAX = 5


class RoundLevel(models.TextChoices):
    REGIONAL = "regional", _("Regional")
    NATIONAL = "national", _("Nasjonal")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Under forberedelse")
    OPEN = "open", _("Åpen for habilitetsvurdering og poeng")
    SCORING = "scoring", _("Møte: poenggiving og vedtak")
    CLOSED = "closed", _("Avsluttet")
    PUBLISHED = "published", _("Referat publisert")


class CriterionSource(models.TextChoices):
    SCORED = "scored", _("Poeng fra deltakerne")
    OMFANG = "omfang", _("Beregnet: kommuner og innbyggere")
    KNOWLEDGE = "knowledge", _("Beregnet: kunnskapsstatus")


class Round(ChoiceLabels, models.Model):
    level = models.CharField(_("nivå"), max_length=10, choices=RoundLevel.choices, default=RoundLevel.REGIONAL)
    region = models.ForeignKey(
        HealthRegion, on_delete=models.PROTECT, null=True, blank=True, related_name="priority_rounds",
        verbose_name=_("helseregion"),
    )
    title = models.CharField(_("tittel"), max_length=200)
    meeting_date = models.DateField(_("møtedato"))
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT, db_index=True)
    notes = models.TextField(_("merknader til referatet"), max_length=4000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-meeting_date", "-pk"]
        verbose_name = _("prioriteringsrunde")
        verbose_name_plural = _("prioriteringsrunder")

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == RoundStatus.PUBLISHED

    @property
    def is_locked(self) -> bool:
        return self.status in (RoundStatus.CLOSED, RoundStatus.PUBLISHED)


class Criterion(ChoiceLabels, models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(_("nøkkel"), max_length=40)
    name = models.CharField(_("navn"), max_length=100)
    description = models.CharField(_("beskrivelse"), max_length=500, blank=True)
    source = models.CharField(_("kilde"), max_length=10, choices=CriterionSource.choices, default=CriterionSource.SCORED)
    weight = models.DecimalField(_("vekt"), max_digits=4, decimal_places=1, default=1)
    # {"1": "...", "3": "...", "5": "..."}: published meaning of points on the scale.
    anchors = models.JSONField(_("forankringspunkter"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "key"], name="unique_round_criterion")]
        verbose_name = _("kriterium")
        verbose_name_plural = _("kriterier")

    def __str__(self) -> str:
        return self.name

    @property
    def is_scored(self) -> bool:
        return self.source == CriterionSource.SCORED

    def anchor_list(self) -> list[tuple[int, str]]:
        return sorted((int(k), str(v)) for k, v in (self.anchors or {}).items())


class Participant(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="priority_rounds")
    capacity = models.CharField(_("representerer"), max_length=200, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="unique_round_participant")]
        verbose_name = _("deltaker")
        verbose_name_plural = _("deltakere")

    def __str__(self) -> str:
        return str(self.user)


class Candidate(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="candidates")
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="priority_candidacies")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    # The computed criteria are frozen when the meeting starts, so decisions taken in the meeting
    # (which move the needs) and later endorsements do not change the round's result afterwards.
    frozen_at = models.DateTimeField(null=True, blank=True)
    municipalities = models.PositiveIntegerField(null=True, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    omfang_score = models.PositiveSmallIntegerField(null=True, blank=True)
    knowledge_score = models.PositiveSmallIntegerField(null=True, blank=True)
    knowledge_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["round", "need"], name="unique_round_candidate")]
        verbose_name = _("kandidatbehov")
        verbose_name_plural = _("kandidatbehov")

    def __str__(self) -> str:
        return f"{self.round_id}: {self.need_id}"


class ConflictDeclaration(models.Model):
    """Habilitet: declared per participant and need before scoring it; kept in the minutes."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="declarations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="+")
    conflicted = models.BooleanField(_("inhabil"))
    note = models.CharField(_("merknad"), max_length=1000, blank=True)
    declared_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["round", "user", "need"], name="unique_round_declaration")]
        verbose_name = _("habilitetserklæring")
        verbose_name_plural = _("habilitetserklæringer")


class Score(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="scores")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField(_("poeng"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "user", "need", "criterion"], name="unique_round_score"),
            models.CheckConstraint(
                condition=models.Q(value__gte=SCALE_MIN) & models.Q(value__lte=SCALE_MAX), name="score_within_scale"
            ),
        ]
        verbose_name = _("poeng")
        verbose_name_plural = _("poeng")


class DecisionKind(models.TextChoices):
    EVIDENCE_CHECK = "evidence_check", _("Bestill kunnskapssjekk")
    SUMMARY = "summary", _("Bestill kunnskapsoppsummering")
    RESEARCH = "research", _("Foreslå forskning")
    NATIONAL = "national", _("Løft til nasjonalt nivå")
    DEFER = "defer", _("Utsett")


class RoundDecision(ChoiceLabels, models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="decisions")
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="priority_decisions")
    kind = models.CharField(_("vedtak"), max_length=20, choices=DecisionKind.choices)
    partner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("forskningspartner")
    )
    due = models.DateField(_("frist"), null=True, blank=True)
    note = models.TextField(_("begrunnelse"), max_length=2000, blank=True)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["round", "need"], name="unique_round_decision")]
        verbose_name = _("vedtak")
        verbose_name_plural = _("vedtak")


# --- municipal decision support -------------------------------------------------------------

class MunicipalDecision(models.TextChoices):
    ADOPT = "adopt", _("Tas i bruk")
    TRIAL = "trial", _("Prøves ut")
    NOT_ADOPT = "not_adopt", _("Tas ikke i bruk")
    POSTPONE = "postpone", _("Utsettes")


ADOPTED = (MunicipalDecision.ADOPT, MunicipalDecision.TRIAL)


class DecisionRecord(ChoiceLabels, models.Model):
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="decision_records", verbose_name=_("behov"))
    municipality = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="decision_records", verbose_name=_("kommune")
    )
    measure_title = models.CharField(_("tiltak"), max_length=200)
    measure_description = models.TextField(_("beskrivelse av tiltaket"), max_length=4000, blank=True)
    # TODO(evidence): the linked evidence of the need is shown from ksf.evidence (NeedEvidenceLink);
    # this list keeps what else the municipality used (one reference or URL per line).
    knowledge_other = models.TextField(_("annet kunnskapsgrunnlag"), max_length=4000, blank=True)

    nytte_rating = models.PositiveSmallIntegerField(_("nytte"), null=True, blank=True)
    nytte_text = models.TextField(_("vurdering av nytte"), max_length=4000, blank=True)
    ressurs_rating = models.PositiveSmallIntegerField(_("ressursbruk"), null=True, blank=True)
    ressurs_text = models.TextField(_("vurdering av ressursbruk"), max_length=4000, blank=True)
    alvorlighet_rating = models.PositiveSmallIntegerField(_("alvorlighet"), null=True, blank=True)
    alvorlighet_text = models.TextField(_("vurdering av alvorlighet"), max_length=4000, blank=True)

    children_text = models.TextField(_("konsekvenser for barn"), max_length=4000, blank=True)
    local_text = models.TextField(_("lokale forhold"), max_length=4000, blank=True)
    equity_text = models.TextField(_("ulik tilgang og likeverd"), max_length=4000, blank=True)
    uncertainty_text = models.TextField(_("usikkerhet i kunnskapsgrunnlaget"), max_length=4000, blank=True)
    involvement_text = models.TextField(_("brukermedvirkning og berørte grupper"), max_length=4000, blank=True)
    plan_text = models.TextField(_("forankring i kommuneplanen"), max_length=4000, blank=True)

    decision = models.CharField(_("beslutning"), max_length=12, choices=MunicipalDecision.choices, blank=True)
    decision_text = models.TextField(_("begrunnelse for beslutningen"), max_length=4000, blank=True)
    follow_up_date = models.DateField(_("dato for oppfølging"), null=True, blank=True)
    experience_text = models.TextField(_("erfaringer"), max_length=4000, blank=True)

    published = models.BooleanField(_("publisert"), default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("beslutningsgrunnlag")
        verbose_name_plural = _("beslutningsgrunnlag")
        indexes = [models.Index(fields=["need", "published"])]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(nytte_rating__isnull=True) | models.Q(nytte_rating__gte=1, nytte_rating__lte=5))
                & (models.Q(ressurs_rating__isnull=True) | models.Q(ressurs_rating__gte=1, ressurs_rating__lte=5))
                & (models.Q(alvorlighet_rating__isnull=True) | models.Q(alvorlighet_rating__gte=1, alvorlighet_rating__lte=5)),
                name="decision_record_ratings_within_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality}: {self.measure_title}"
