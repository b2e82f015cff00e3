"""`manage.py backup --output DIR`: database + uploaded files into a new directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ksf.core.backup import backup_create


class Command(BaseCommand):
    help = "Tar sikkerhetskopi av databasen og opplastede filer til en ny mappe."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="Ny (eller tom) mappe for sikkerhetskopien.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_create(Path(options["output"]))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["rows"].values())
        self.stdout.write(self.style.SUCCESS(
            f"Sikkerhetskopi i {options['output']}: {rows} rader, {len(manifest['media'])} filer."
        ))
