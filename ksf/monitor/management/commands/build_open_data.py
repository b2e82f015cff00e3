"""`manage.py build_open_data [--enqueue]`: build today's open-data bundle (nightly job)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ksf.monitor import services
from ksf.monitor.tasks import build_open_data_bundle


class Command(BaseCommand):
    help = "Bygger dagens åpne datapakke (CSV + JSON + dataordbok) i MEDIA_ROOT/open-data/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Legg jobben i køen til arbeideren (db_worker) i stedet.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = build_open_data_bundle.enqueue()
            self.stdout.write(f"Lagt i kø: {result.id}")
            return
        path = services.open_data_bundle_build()
        self.stdout.write(self.style.SUCCESS(f"Datapakken er bygd: {path} ({path.stat().st_size} byte)"))
