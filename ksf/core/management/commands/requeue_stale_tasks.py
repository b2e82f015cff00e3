"""`manage.py requeue_stale_tasks [--older-than SECONDS]`: put tasks whose worker died back in the queue.

django-tasks' database worker marks a task RUNNING when it claims it. If the worker process is
killed (OOM, power loss, `kill -9`), the row stays RUNNING forever. Run this before starting
workers (systemd ExecStartPre, deploy/run-local-prod.sh does it) and from a timer: tasks
RUNNING for longer than the longest task may take are set back to READY and run again. Tasks
must therefore be idempotent (ours are: they call services that check before they write).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


class Command(BaseCommand):
    help = "Setter oppgaver som har stått som RUNNING for lenge (død arbeider) tilbake i køen."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=float, default=600.0, help="sekunder (standard 600)")

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = timezone.now() - timedelta(seconds=options["older_than"])
        count = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff).update(
            status=TaskResultStatus.READY, started_at=None
        )
        self.stdout.write(f"Satt {count} oppgave(r) tilbake i køen.")
