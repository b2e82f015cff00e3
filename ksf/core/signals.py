"""Every deletion done in the Django admin goes to the audit log (users and memberships are
recorded with more detail by their own admin classes)."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import DELETION, LogEntry


def audit_admin_deletion(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created or instance.action_flag != DELETION or instance.content_type is None:
        return
    label = f"{instance.content_type.app_label}.{instance.content_type.model}"
    if label in {"accounts.user", "accounts.membership"}:
        return
    from .audit import audit_record

    audit_record(
        actor=instance.user,
        action="admin.delete",
        object_type=label,
        object_id=instance.object_id or "",
        object_repr=instance.object_repr,
    )
