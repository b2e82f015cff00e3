"""Demo data for search: vectors for the demo needs and, time-boxed, the demo evidence.

Embedding all ~130 demo abstracts takes 30-60 s on an idle 2-core machine (minutes under load),
too long for every `make run`. So the demo embeds, in this order, every need (the similar-needs
box depends on vectors), the evidence linked to needs, then the rest of the evidence until
``SEARCH_DEMO_EMBED_SECONDS`` (default 40) have passed. Texts already embedded are skipped, so
each start continues where the last one stopped; `manage.py search_reindex --embed` does all
at once. Records without a vector are still found by BM25.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings

from .models import IndexKind
from .services import embeddings_enabled, embeddings_refresh


def load(world: Any) -> str:
    if not embeddings_enabled():
        return "vektorer er slått av (SEARCH_EMBEDDINGS=0); bare ordsøk"
    from ksf.evidence.models import Evidence, NeedEvidenceLink

    started = time.monotonic()
    deadline = started + float(getattr(settings, "SEARCH_DEMO_EMBED_SECONDS", 40))
    needs = embeddings_refresh(kind=IndexKind.NEED)
    linked = list(NeedEvidenceLink.objects.values_list("evidence_id", flat=True).distinct())
    first = embeddings_refresh(kind=IndexKind.EVIDENCE, ids=linked)
    rest = embeddings_refresh(kind=IndexKind.EVIDENCE, deadline=deadline, batch_size=16)
    from .models import Embedding

    with_vector = Embedding.objects.filter(kind=IndexKind.EVIDENCE).count()
    return (
        f"{needs.embedded} behov og {first.embedded + rest.embedded} kunnskapskilder fikk vektor "
        f"({with_vector} av {Evidence.objects.count()} kunnskapskilder har vektor) på {time.monotonic() - started:.0f} s"
    )
