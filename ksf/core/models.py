"""Cross-cutting records kept by core: the audit log of administrative actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One administrative action: who did what to which object, with the values before and after.

    Append-only: written by `ksf.core.audit.audit_record`, read-only in the admin. The actor's
    name is copied so the row stays readable if the person is later erased.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("utført av"),
    )
    actor_label = models.CharField(_("utført av (navn)"), max_length=200, blank=True)
    action = models.CharField(_("handling"), max_length=60, db_index=True)
    object_type = models.CharField(_("objekttype"), max_length=100, db_index=True)
    object_id = models.CharField(_("objekt-id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("objekt"), max_length=300, blank=True)
    old = models.JSONField(_("før"), null=True, blank=True)
    new = models.JSONField(_("etter"), null=True, blank=True)
    created_at = models.DateTimeField(_("tidspunkt"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("revisjonshendelse")
        verbose_name_plural = _("revisjonslogg")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label or '-'} {self.action} {self.object_type}:{self.object_id}"
