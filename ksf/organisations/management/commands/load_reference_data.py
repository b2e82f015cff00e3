"""`manage.py load_reference_data`: create or update regions, counties and municipalities."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ksf.organisations.reference import (
    COUNTIES_FILE,
    MUNICIPALITIES_FILE,
    ReferenceDataError,
    load_reference_data,
)


class Command(BaseCommand):
    help = "Laster inn eller oppdaterer helseregioner, fylker og kommuner (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipalities", type=Path, default=MUNICIPALITIES_FILE)
        parser.add_argument("--counties", type=Path, default=COUNTIES_FILE)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_reference_data(
                municipalities_file=options["municipalities"], counties_file=options["counties"]
            )
        except ReferenceDataError as exc:
            raise CommandError(f"{exc} Ingenting ble endret.") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.regions} helseregioner, {report.counties} fylker; kommuner: "
                f"{report.municipalities_created} nye, {report.municipalities_updated} oppdatert, "
                f"{report.municipalities_unchanged} uendret."
            )
        )
