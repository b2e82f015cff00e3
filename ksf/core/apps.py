"""Core: base layout, front page, health checks, shared helpers (privacy guard, text safety)."""
from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ksf.core"
    label = "core"

    def ready(self) -> None:
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        from . import pagecache  # noqa: F401 - connects the per-request memo to request signals
        from .signals import audit_admin_deletion

        post_save.connect(audit_admin_deletion, sender=LogEntry, dispatch_uid="ksf_audit_admin_deletion")
