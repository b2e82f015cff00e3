"""`manage.py restore DIR`: replace the database and MEDIA_ROOT with a backup (destructive)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ksf.core.backup import backup_restore


class Command(BaseCommand):
    help = "Gjenoppretter database og opplastede filer fra en sikkerhetskopi (erstatter alt)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="Mappen laget av `manage.py backup`.")
        parser.add_argument("--yes", action="store_true", help="Ikke spør om bekreftelse.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"] and options.get("interactive", True):
            answer = input("Dette erstatter ALLE data i databasen og MEDIA_ROOT. Skriv «ja» for å fortsette: ")
            if answer.strip().lower() != "ja":
                raise CommandError("Avbrutt. Ingenting er endret.")
        try:
            manifest = backup_restore(Path(options["source"]))
        except (ValueError, RuntimeError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Gjenopprettet {sum(manifest['rows'].values())} rader og {len(manifest['media'])} filer fra {options['source']}."
        ))
