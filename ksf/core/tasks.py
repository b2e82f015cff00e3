"""Core tasks: a probe used by the fault drills (bench/load/faults.py) to prove that a task
interrupted by a dead worker is run again and has its effect exactly once."""

from __future__ import annotations

import time

from django.db import transaction
from django_tasks import task

from .models import AuditEvent


@task()
def fault_probe(key: str, seconds: float = 5.0) -> str:
    """Work for `seconds`, then record one effect per key (idempotent: a retry adds nothing)."""
    time.sleep(min(seconds, 60.0))
    with transaction.atomic():
        _, created = AuditEvent.objects.get_or_create(
            action="task.fault_probe", object_type="core.fault_probe", object_id=key[:64],
            defaults={"actor_label": "system"},
        )
    return "created" if created else "already done"
