"""Back up and restore the database and uploaded files (MEDIA_ROOT).

Choice: the database goes through Django's own serialisation (dumpdata/loaddata, JSON with
natural foreign keys), read inside one transaction — REPEATABLE READ on PostgreSQL, a single
read transaction on SQLite — so the snapshot is consistent while the site runs. The same
backup restores into SQLite or PostgreSQL (and moves data between them). Content types,
permissions and sessions are not dumped: `migrate` recreates the first two, and sessions are
not worth keeping. For very large installations, pg_dump is the faster alternative (see README).

A backup directory holds: `database.json`, `media/` (a copy of MEDIA_ROOT) and `manifest.json`
(row count per model, file checksums, time and Django's migration state).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

EXCLUDE = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]
DATABASE_FILE = "database.json"
MANIFEST_FILE = "manifest.json"


def _dumped_models() -> list[Any]:
    excluded_apps = {e for e in EXCLUDE if "." not in e}
    excluded_models = {e for e in EXCLUDE if "." in e}
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label not in excluded_apps
        and m._meta.label_lower not in excluded_models
        and m._meta.managed
        and not m._meta.proxy
    ]


def row_counts() -> dict[str, int]:
    return {m._meta.label_lower: m._default_manager.count() for m in _dumped_models()}


def media_checksums(root: Path) -> dict[str, str]:
    sums: dict[str, str] = {}
    if not root.exists():
        return sums
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        sums[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return sums


def backup_create(output: Path) -> dict[str, Any]:
    output.mkdir(parents=True, exist_ok=True)
    if any(output.iterdir()):
        raise ValueError(f"Mappen {output} er ikke tom. Velg en ny mappe for sikkerhetskopien.")
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        counts = row_counts()
        call_command(
            "dumpdata",
            *[m._meta.label for m in _dumped_models()],
            natural_foreign=True,
            output=str(output / DATABASE_FILE),
            verbosity=0,
        )
        migrations = sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists():
        shutil.copytree(media_root, output / "media")
    else:
        (output / "media").mkdir()
    manifest = {
        "created_at": timezone.now().isoformat(),
        "database_vendor": connection.vendor,
        "rows": counts,
        "media": media_checksums(media_root),
        "migrations": migrations,
    }
    (output / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return manifest


def backup_restore(source: Path) -> dict[str, Any]:
    manifest_path = source / MANIFEST_FILE
    if not manifest_path.exists() or not (source / DATABASE_FILE).exists():
        raise ValueError(f"{source} ser ikke ut som en sikkerhetskopi (mangler {MANIFEST_FILE} eller {DATABASE_FILE}).")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    call_command("migrate", interactive=False, verbosity=0)
    with transaction.atomic():
        call_command("flush", interactive=False, verbosity=0)
        call_command("loaddata", str(source / DATABASE_FILE), verbosity=0)
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists():
        shutil.rmtree(media_root)
    shutil.copytree(source / "media", media_root)
    counts = row_counts()
    mismatched = {k: (v, counts.get(k)) for k, v in manifest["rows"].items() if counts.get(k) != v}
    if mismatched:
        raise RuntimeError(f"Gjenopprettingen stemmer ikke med manifestet: {mismatched}")
    if media_checksums(media_root) != manifest["media"]:
        raise RuntimeError("Filene i MEDIA_ROOT stemmer ikke med manifestet.")
    return manifest
