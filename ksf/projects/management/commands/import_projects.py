"""`manage.py import_projects FILE --user USERNAME`: import projects from CSV, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ksf.accounts.models import User
from ksf.projects.imports import import_projects


class Command(BaseCommand):
    help = "Importerer prosjekter fra en CSV-fil (én rad per prosjekt). Alt eller ingenting."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV-fil (UTF-8, komma eller semikolon)")
        parser.add_argument(
            "--user", default="admin",
            help="Brukernavnet importen gjøres som (må være koordinator eller administrator); standard: admin",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Fant ikke filen {path}.")
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"Fant ikke brukeren «{options['user']}».")
        try:
            result = import_projects(user=user, content=path.read_bytes())
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        if not result.ok:
            for issue in result.errors:
                self.stderr.write(str(issue))
            raise CommandError(f"Importen stoppet: {len(result.errors)} feil. Ingenting er lagret.")
        self.stdout.write(self.style.SUCCESS(f"Importerte {len(result.created)} prosjekter."))
