"""Backup and restore: a round trip gives back exactly the same database rows and files."""

import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ksf.core.backup import DATABASE_FILE, backup_create, media_checksums, row_counts

# Django's JSON serialisation keeps time stamps to the millisecond: a time stamp with 1-999 µs is
# written "…:15.000Z" before the round trip and comes back as a whole second, "…:15Z". Same instant.
_WHOLE_MS = re.compile(r"(\d{2}:\d{2}:\d{2})\.000(?=Z|[+-]\d{2}:\d{2})")


def _dump(path):
    call_command("dumpdata", "--natural-foreign", "--exclude=contenttypes", "--exclude=auth.permission",
                 "--exclude=sessions", "--exclude=admin.logentry", "-o", str(path), verbosity=0)
    return json.loads(_WHOLE_MS.sub(r"\1", path.read_text()))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "prosjekter").mkdir(parents=True)
    (settings.MEDIA_ROOT / "prosjekter" / "rapport.pdf").write_bytes(b"%PDF-1.4 rapport \x00\x01")
    (settings.MEDIA_ROOT / "vedlegg.txt").write_text("Vedlegg med æøå", encoding="utf-8")
    return settings.MEDIA_ROOT


def test_backup_and_restore_round_trip(transactional_db, world, media, tmp_path):
    from ksf.accounts.models import User
    from ksf.core.audit import audit_record
    from ksf.needs import services

    need = services.need_create(
        user=world.sykepleier_askoy, municipality=world.askoy, submit=True, notify=False,
        data={"title": "Sikkerhetskopi", "question": "Overlever behovet en gjenoppretting?", "service_area": "sykehjem"},
    )
    audit_record(actor=world.admin, action="test.backup", obj=need, new={"x": "æøå"})
    before = _dump(tmp_path / "before.json")
    files_before = media_checksums(media)

    call_command("backup", "--output", str(tmp_path / "backup"), verbosity=0)
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["rows"]["needs.need"] == 1 and manifest["media"] == files_before
    assert (tmp_path / "backup" / DATABASE_FILE).exists()

    # Things go wrong after the backup.
    need.history.all().delete()
    need.delete()
    User.objects.filter(pk=world.fou_askoy.pk).update(full_name="Endret")
    (media / "vedlegg.txt").unlink()
    (media / "ny.txt").write_text("kom etter sikkerhetskopien")

    call_command("restore", str(tmp_path / "backup"), "--yes", verbosity=0)
    after = _dump(tmp_path / "after.json")
    assert after == before
    assert media_checksums(media) == files_before
    assert row_counts() == manifest["rows"]


def test_backup_refuses_a_directory_that_is_not_empty(db, tmp_path):
    (tmp_path / "x").write_text("x")
    with pytest.raises(CommandError, match="ikke tom"):
        call_command("backup", "--output", str(tmp_path), verbosity=0)


def test_restore_refuses_something_that_is_not_a_backup(db, tmp_path):
    with pytest.raises(CommandError, match="sikkerhetskopi"):
        call_command("restore", str(tmp_path), "--yes", verbosity=0)


def test_backup_on_a_live_transaction_is_consistent(db, tmp_path, media):
    # Inside a transaction (as in tests) the backup still works and counts what it dumps.
    manifest = backup_create(tmp_path / "b")
    dumped = json.loads((tmp_path / "b" / DATABASE_FILE).read_text())
    assert len(dumped) == sum(manifest["rows"].values())
