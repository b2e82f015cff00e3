"""Background work for search: embedding records whose text changed (only calls services)."""

from __future__ import annotations

from django_tasks import task


@task()
def embed_records(*, kind: str, ids: list[int]) -> dict[str, int]:
    """Embed (or drop the vectors of) these evidence records or needs. Idempotent: a record whose
    text hash is unchanged is skipped, so a retry or a second worker does no double work."""
    from .services import embeddings_refresh

    report = embeddings_refresh(kind=kind, ids=ids)
    return {"embedded": report.embedded, "unchanged": report.unchanged, "removed": report.removed}
