"""Background work for the evidence base: importing a large uploaded file."""

from __future__ import annotations

from django_tasks import task


@task()
def import_stored_file(*, run_id: int) -> dict[str, int | str] | None:
    """Import the file a queued ImportRun points to (see services.evidence_import_store)."""
    from .services import evidence_import_run

    run = evidence_import_run(run_id=run_id)
    if run is None:
        return None
    return {"status": run.status, "created": run.created, "updated": run.updated, "unchanged": run.unchanged}
