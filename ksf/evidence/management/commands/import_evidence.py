"""`manage.py import_evidence FILE [FILE ...]`: bulk import with a progress bar, all-or-nothing per file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ksf.evidence.services import evidence_import_file


class Command(BaseCommand):
    help = "Importerer kunnskapskilder fra PubMed XML, MEDLINE (.nbib/.txt), RIS, CSV eller JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        for path in options["files"]:
            bar = tqdm(total=0, desc=path.name, unit="post", disable=options["no_progress"], file=self.stderr)

            def progress(done: int, total: int, bar: Any = bar) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            report = evidence_import_file(source=path, filename=path.name, progress=progress)
            bar.close()
            if report.ok:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{path.name}: {report.created} nye, {report.updated} oppdatert, {report.unchanged} uendret."
                    )
                )
            else:
                failed += 1
                self.stderr.write(self.style.ERROR(f"{path.name}: ingenting importert."))
                for error in report.errors:
                    self.stderr.write(f"  {error}")
            for warning in report.warnings[:20]:
                self.stdout.write(self.style.WARNING(f"  {warning}"))
        if failed:
            raise CommandError(f"{failed} fil(er) kunne ikke importeres.")
