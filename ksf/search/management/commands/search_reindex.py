"""`manage.py search_reindex [--embed] [--kind evidence|need]`: embed and rebuild the search index.

With --embed, every record whose text changed since its vector was made is embedded (batches,
with a progress bar); for a large corpus run it on the worker machine. Without it, only this
process's index is rebuilt and timed (web processes build their own on start and then follow
the database by themselves).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from ksf.search import index as search_index
from ksf.search.models import Embedding, IndexKind
from ksf.search.services import EMBED_BATCH, embeddings_refresh


class Command(BaseCommand):
    help = "Lager vektorer for endrede poster (--embed) og bygger søkeindeksen på nytt."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--embed", action="store_true", help="Lag vektorer for poster som mangler eller er endret.")
        parser.add_argument("--kind", choices=[k.value for k in IndexKind], help="Bare kunnskapskilder eller bare behov.")
        parser.add_argument("--batch-size", type=int, default=EMBED_BATCH)

    def handle(self, *args: Any, **options: Any) -> None:
        kinds = [options["kind"]] if options["kind"] else [k.value for k in IndexKind]
        if options["embed"]:
            from ksf.evidence.models import Evidence
            from ksf.needs.models import Need

            for kind in kinds:
                model: Any = Evidence if kind == IndexKind.EVIDENCE else Need
                total = model.objects.count()
                started = time.perf_counter()
                done = 0
                with tqdm(total=total, desc=f"vektorer {kind}", unit="post", disable=total == 0) as bar:
                    step = 1000
                    last = 0
                    while True:
                        ids = list(model.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:step])
                        if not ids:
                            break
                        report = embeddings_refresh(kind=kind, ids=ids, batch_size=options["batch_size"])
                        done += report.embedded
                        last = ids[-1]
                        bar.update(len(ids))
                Embedding.objects.filter(kind=kind).exclude(object_id__in=model.objects.values("pk")).delete()
                seconds = time.perf_counter() - started
                rate = done / seconds if seconds and done else 0.0
                self.stdout.write(f"{kind}: {done} nye vektorer på {seconds:.1f} s ({rate:.1f} poster/s)")
        for kind in kinds:
            idx = search_index.get_index(kind)
            idx.build()
            status = idx.status()
            self.stdout.write(
                self.style.SUCCESS(
                    f"{kind}: {status['records']} poster, {status['vectors']} med vektor, bygget på {status['build_seconds']:.2f} s"
                )
            )
