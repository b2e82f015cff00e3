"""Writes to the evidence base: bulk import (all-or-nothing per file) and links to needs.

Re-importing a file updates records instead of duplicating them: a parsed record matches an
existing one on DOI, then PMID, then Cochrane review id (a new review version has a new DOI and
PMID), then normalised title. After the transaction commits, the search index is told which
records were created or changed (`ksf.search.services.evidence_changed`).
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ksf.core.privacy import guard_free_text
from ksf.needs.models import Need

from .access import can_link_evidence
from .models import Evidence, EvidenceType, ImportRun, ImportStatus, LinkRelation, NeedEvidenceLink, Source
from .parsers import ParsedRecord, detect_format, parse_file

logger = logging.getLogger(__name__)

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_COCHRANE_VERSION = re.compile(r"\.pub(\d+)$", re.IGNORECASE)
# A title this short ("Editorial", "Fall") is too common to identify a publication on its own.
MIN_TITLE_KEY_CHARS = 20
# Uploads larger than this are stored and imported by a background task (see tasks.py).
INLINE_IMPORT_MAX_BYTES: int = getattr(settings, "EVIDENCE_INLINE_IMPORT_BYTES", 2 * 1024 * 1024)
IMPORT_DIR = "imports"
_LOOKUP_CHUNK = 500


def title_key(title: str) -> str:
    text = unicodedata.normalize("NFKD", title.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text).strip()[:1000]


def cochrane_version(doi: str) -> int:
    """1 for 10.1002/14651858.CD000001, N for ….CD000001.pubN."""
    match = _COCHRANE_VERSION.search(doi or "")
    return int(match.group(1)) if match else 1


def _infer_type(record: ParsedRecord) -> str:
    if record.evidence_type in EvidenceType.values:
        return record.evidence_type
    types = " ".join(record.publication_types).lower()
    title = record.title.lower()
    if "guideline" in types or "guideline" in title or "retningslinje" in title:
        return EvidenceType.GUIDELINE
    if "technology assessment" in types or "health technology assessment" in title or "metodevurdering" in title:
        return EvidenceType.HTA
    if any(w in types or w in title for w in ("systematic review", "meta-analysis", "systematisk oversikt", "review")):
        return EvidenceType.SYSTEMATIC_REVIEW
    return EvidenceType.OTHER


def _infer_source(record: ParsedRecord) -> str:
    if record.source in Source.values:
        return record.source
    if record.doi.startswith("10.1002/14651858") or record.cochrane_id:
        return Source.COCHRANE
    if "cochrane" in record.journal.lower():
        return Source.COCHRANE
    return Source.OTHER


def _values(record: ParsedRecord) -> tuple[dict[str, Any], set[str]]:
    """The model values for a record, and the names of those that were guessed, not given."""
    values = {
        "title": record.title[:1000],
        "title_no": record.title_no[:1000],
        "abstract": record.abstract,
        "authors": record.authors,
        "year": record.year,
        "journal": record.journal[:500],
        "source": _infer_source(record),
        "evidence_type": _infer_type(record),
        "language": (record.language or "")[:5],
        "doi": record.doi[:255],
        "pmid": record.pmid[:20],
        "cochrane_id": record.cochrane_id[:12],
        "url": record.url[:2000],
        "certainty": record.certainty[:200],
        "keywords": record.keywords,
        "title_key": title_key(record.title),
    }
    guessed = set()
    if record.source not in Source.values:
        guessed.add("source")
    if record.evidence_type not in EvidenceType.values:
        guessed.add("evidence_type")
    return values, guessed


def _match_keys(values: dict[str, Any]) -> list[str]:
    keys = []
    if values["doi"]:
        keys.append("doi:" + values["doi"])
    if values["pmid"]:
        keys.append("pmid:" + values["pmid"])
    if values["cochrane_id"]:
        keys.append("cd:" + values["cochrane_id"])
    if len(values["title_key"]) >= MIN_TITLE_KEY_CHARS:
        keys.append("title:" + values["title_key"])
    return keys


@dataclass
class ImportReport:
    filename: str
    file_format: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Created or changed records (what the search index must see again).
    evidence_ids: list[int] = field(default_factory=list)
    run_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


class _ExistingIndex:
    """The stored records a file's records may match, fetched in a few queries (not per record)."""

    FIELDS = (("doi", "doi"), ("pmid", "pmid"), ("cd", "cochrane_id"), ("title", "title_key"))

    def __init__(self, all_values: list[dict[str, Any]]) -> None:
        self.by_key: dict[str, Evidence] = {}
        for prefix, name in self.FIELDS:
            wanted = sorted({k[len(prefix) + 1 :] for v in all_values for k in _match_keys(v) if k.startswith(prefix + ":")})
            for start in range(0, len(wanted), _LOOKUP_CHUNK):
                chunk = wanted[start : start + _LOOKUP_CHUNK]
                # Oldest first, so the first stored record with a key is the one that wins.
                for evidence in Evidence.objects.filter(**{f"{name}__in": chunk}).order_by("pk"):
                    self.by_key.setdefault(f"{prefix}:{getattr(evidence, name)}", evidence)

    def find(self, values: dict[str, Any]) -> tuple[Evidence | None, str]:
        for key in _match_keys(values):
            found = self.by_key.get(key)
            if found is not None:
                return found, key.split(":", 1)[0]
        return None, ""


def _conflict(existing: Evidence, values: dict[str, Any], how: str) -> str | None:
    """Why a match must not overwrite the stored record, or None if it may."""
    if how == "cd":
        if values["doi"] and existing.doi and cochrane_version(values["doi"]) < cochrane_version(existing.doi):
            return _("en eldre versjon av Cochrane-oversikten %(id)s (%(doi)s) er allerede lagret som nyere (%(old)s)") % {
                "id": values["cochrane_id"], "doi": values["doi"], "old": existing.doi}
        return None
    if how == "title":
        if values["doi"] and existing.doi and values["doi"] != existing.doi:
            return _("samme tittel som kilde %(pk)s, men annen DOI (%(doi)s); regnet som samme arbeid") % {
                "pk": existing.pk, "doi": values["doi"]}
        if values["pmid"] and existing.pmid and values["pmid"] != existing.pmid:
            return _("samme tittel som kilde %(pk)s, men annen PMID (%(pmid)s); regnet som samme arbeid") % {
                "pk": existing.pk, "pmid": values["pmid"]}
    return None


def _changes(existing: Evidence, values: dict[str, Any], guessed: set[str]) -> dict[str, Any]:
    """Fields to update: given values that differ. Empty values never blank a stored field, and a
    guessed source or type only replaces "other" (so a RIS file cannot undo a CSV's "FHI")."""
    changes = {}
    for name, value in values.items():
        if value in ("", None, []):
            continue
        if name in guessed and getattr(existing, name) != Source.OTHER:
            continue
        if getattr(existing, name) != value:
            changes[name] = value
    return changes


def _display_name(source: Any, filename: str | None) -> str:
    name = filename or (os.fspath(source) if isinstance(source, (str, os.PathLike)) else _("opplastet fil"))
    return os.path.basename(name) or name


def _sniff_format(source: Any, name: str) -> str:
    head = b""
    try:
        if isinstance(source, bytes):
            head = source[:4096]
        elif isinstance(source, (str, os.PathLike)):
            with open(source, "rb") as fh:
                head = fh.read(4096)
        elif hasattr(source, "seek") and hasattr(source, "tell"):
            position = source.tell()
            head = source.read(4096)
            source.seek(position)
    except OSError:
        return ""
    chosen = detect_format(name, head)
    return str(chosen) if chosen else ""


def _user_or_none(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _finish_run(run: ImportRun | None, report: ImportReport, *, user: Any, size: int) -> ImportRun:
    values = {
        "filename": report.filename[:300],
        "file_format": report.file_format,
        "status": ImportStatus.OK if report.ok else ImportStatus.FAILED,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "errors": report.errors[:200],
        "warnings": report.warnings[:200],
        "finished_at": timezone.now(),
    }
    if run is None:
        run = ImportRun.objects.create(size=size, created_by=_user_or_none(user), **values)
    else:
        for name, value in values.items():
            setattr(run, name, value)
        run.save()
    report.run_id = run.pk
    return run


def _size_of(source: Any) -> int:
    if isinstance(source, bytes):
        return len(source)
    if isinstance(source, (str, os.PathLike)):
        try:
            return os.path.getsize(source)
        except OSError:
            return 0
    size = getattr(source, "size", 0)
    return size if isinstance(size, int) else 0


def evidence_import_file(
    *,
    source: str | os.PathLike[str] | bytes | BinaryIO,
    filename: str | None = None,
    user: Any = None,
    progress: Callable[[int, int], None] | None = None,
    run: ImportRun | None = None,
) -> ImportReport:
    """Import one file. Any parse error → nothing stored, every error reported (file + record).

    Records the outcome in an ImportRun (`run` if given — a queued background import — else a
    new one). Records repeated within the file are skipped with a warning.
    """
    name = _display_name(source, filename)
    size = _size_of(source)
    report = ImportReport(filename=name, file_format=_sniff_format(source, name))
    result = parse_file(source, name, max_bytes=settings.MAX_IMPORT_FILE_BYTES)
    report.warnings = [str(w) for w in result.warnings]
    if result.errors or not result.records:
        report.errors = [str(e) for e in result.errors] or [
            _("Fila «%(file)s» inneholder ingen poster som kan importeres.") % {"file": name}
        ]
        _finish_run(run, report, user=user, size=size)
        return report

    total = len(result.records)
    prepared = [(record, *_values(record)) for record in result.records]
    changed_ids: list[int] = []
    with transaction.atomic():
        existing_index = _ExistingIndex([values for _record, values, _guessed in prepared])
        seen_in_file: dict[str, int] = {}
        touched: dict[int, int] = {}  # stored record id -> the file's record that matched it
        for index, (record, values, guessed) in enumerate(prepared, start=1):
            keys = _match_keys(values)
            duplicate_of = next((seen_in_file[k] for k in keys if k in seen_in_file), None)
            existing, how = existing_index.find(values)
            if duplicate_of is None and existing is not None:
                duplicate_of = touched.get(existing.pk)
            if duplicate_of is not None:
                report.warnings.append(
                    _("Fila «%(file)s», post %(n)s: samme kilde som post %(m)s; posten er hoppet over.")
                    % {"file": name, "n": record.record_no, "m": duplicate_of}
                )
                report.unchanged += 1
            else:
                for key in keys:
                    seen_in_file[key] = record.record_no
                conflict = _conflict(existing, values, how) if existing is not None else None
                if existing is None:
                    evidence = Evidence.objects.create(**values)
                    report.created += 1
                    changed_ids.append(evidence.pk)
                elif conflict:
                    touched[existing.pk] = record.record_no
                    report.warnings.append(
                        _("Fila «%(file)s», post %(n)s: %(why)s; posten er hoppet over.")
                        % {"file": name, "n": record.record_no, "why": conflict}
                    )
                    report.unchanged += 1
                else:
                    touched[existing.pk] = record.record_no
                    changes = _changes(existing, values, guessed)
                    if changes:
                        for attr, value in changes.items():
                            setattr(existing, attr, value)
                        existing.save()
                        report.updated += 1
                        changed_ids.append(existing.pk)
                    else:
                        report.unchanged += 1
            if progress:
                progress(index, total)
        report.evidence_ids = list(dict.fromkeys(changed_ids))
        _finish_run(run, report, user=user, size=size)
        ids = report.evidence_ids
        if ids:
            transaction.on_commit(lambda: _index_changed(ids))
    return report


def _index_changed(ids: list[int]) -> None:
    try:
        from ksf.search.services import evidence_changed
    except ImportError:
        return
    evidence_changed(ids)


# Background import of large uploads -------------------------------------------------------------


def evidence_import_store(*, upload: Any, user: Any) -> ImportRun:
    """Save an upload under MEDIA_ROOT/imports/ and queue its import (tasks.import_stored_file).

    The file is refused before it is written if it is over the import limit. With the immediate
    task backend (the embedded default) the import has run when this returns.
    """
    from .tasks import import_stored_file

    name = _display_name(upload, getattr(upload, "name", None))
    size = int(getattr(upload, "size", 0) or 0)
    if size > settings.MAX_IMPORT_FILE_BYTES:
        raise ValidationError(file_too_large_message(name, size))
    directory = Path(settings.MEDIA_ROOT) / IMPORT_DIR
    directory.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^\w.-]+", "_", name)[-100:] or "fil"
    relative = f"{IMPORT_DIR}/{uuid.uuid4().hex}-{safe}"
    with open(Path(settings.MEDIA_ROOT) / relative, "wb") as fh:
        for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
            fh.write(chunk)
    run = ImportRun.objects.create(
        filename=name[:300], size=size, status=ImportStatus.QUEUED, stored_file=relative,
        created_by=_user_or_none(user),
    )
    transaction.on_commit(lambda: import_stored_file.enqueue(run_id=run.pk))
    return run


def evidence_import_run(*, run_id: int) -> ImportRun | None:
    """Import the stored file of a queued run (the background task calls this), then delete it."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().filter(pk=run_id, status=ImportStatus.QUEUED).first()
        if run is None:
            return None  # already done (a retry) or unknown
        run.status = ImportStatus.RUNNING
        run.save(update_fields=["status"])
    path = Path(settings.MEDIA_ROOT) / run.stored_file
    try:
        if not run.stored_file or not path.is_file():
            report = ImportReport(filename=run.filename, errors=[
                _("Fila «%(file)s» finnes ikke lenger på serveren; last den opp på nytt.") % {"file": run.filename}])
            _finish_run(run, report, user=run.created_by, size=run.size)
        else:
            evidence_import_file(source=path, filename=run.filename, user=run.created_by, run=run)
    except Exception:  # noqa: BLE001 - the run must end as failed, whatever went wrong
        logger.exception("evidence import %s failed", run_id)
        report = ImportReport(filename=run.filename, errors=[
            _("Fila «%(file)s» kunne ikke importeres på grunn av en feil på serveren. Ingenting er lagret.")
            % {"file": run.filename}])
        _finish_run(run, report, user=run.created_by, size=run.size)
    finally:
        if run.stored_file:
            path.unlink(missing_ok=True)
            ImportRun.objects.filter(pk=run.pk).update(stored_file="")
    run.refresh_from_db()
    return run


def file_too_large_message(name: str, size: int) -> str:
    def mb(n: int) -> str:
        return f"{n / 1024 / 1024:.1f}".replace(".", ",")

    return _("Fila «%(file)s» er %(size)s MB, som er over grensen på %(max)s MB. Del den opp i mindre filer.") % {
        "file": name, "size": mb(size), "max": mb(settings.MAX_IMPORT_FILE_BYTES)}


# Links between needs and evidence ---------------------------------------------------------------


def evidence_link(
    *, need: Need, evidence: Evidence, relation: str, what_we_know: str = "", user: Any
) -> NeedEvidenceLink:
    """Link evidence to a need (or change the link). Coordinators and partners with a level on the need."""
    if not can_link_evidence(user, need):
        raise PermissionDenied(_("Bare koordinatorer og forskningspartnere på behovet kan koble kunnskap til det."))
    if relation not in LinkRelation.values:
        raise ValidationError({"relation": _("Velg om kilden besvarer, delvis besvarer eller er relatert til behovet.")})
    what_we_know = (what_we_know or "").strip()
    if len(what_we_know) > 5000:
        raise ValidationError({"what_we_know": _("Teksten er for lang (maks 5000 tegn).")})
    guard_free_text({"what_we_know": (_("Hva vi vet"), what_we_know)})
    with transaction.atomic():
        link, created = NeedEvidenceLink.objects.select_for_update().get_or_create(
            need=need, evidence=evidence,
            defaults={"relation": relation, "what_we_know": what_we_know, "created_by": user, "updated_by": user},
        )
        if not created and (link.relation, link.what_we_know) != (relation, what_we_know):
            link.relation, link.what_we_know, link.updated_by = relation, what_we_know, user
            link.save(update_fields=["relation", "what_we_know", "updated_by", "updated_at"])
    return link


def evidence_unlink(*, need: Need, evidence: Evidence, user: Any) -> bool:
    """Remove a link; the audit log keeps who removed what. False if there was no link."""
    from ksf.core.audit import audit_record, snapshot

    if not can_link_evidence(user, need):
        raise PermissionDenied(_("Du kan ikke endre kunnskapskoblingene på dette behovet."))
    with transaction.atomic():
        link = NeedEvidenceLink.objects.select_for_update().filter(need=need, evidence=evidence).first()
        if link is None:
            return False
        audit_record(
            actor=user, action="evidence.unlink", obj=link,
            object_repr=f"{need.public_id}: {evidence.display_title}"[:300], old=snapshot(link),
        )
        link.delete()
    return True


# Edits in the admin -----------------------------------------------------------------------------


def evidence_save(*, evidence: Evidence) -> Evidence:
    """Save a record edited by hand (admin): keep the match keys in step, re-index after commit."""
    from .parsers.records import cochrane_id_from_doi

    evidence.title_key = title_key(evidence.title)
    if evidence.doi and not evidence.cochrane_id:
        evidence.cochrane_id = cochrane_id_from_doi(evidence.doi)
    with transaction.atomic():
        evidence.save()
        pk = evidence.pk
        transaction.on_commit(lambda: _index_changed([pk]))
    return evidence


def evidence_delete(*, evidence: Evidence, user: Any) -> None:
    """Delete a record (admin) and its links; the audit log keeps what was deleted."""
    from ksf.core.audit import audit_record, snapshot

    pk = evidence.pk
    with transaction.atomic():
        audit_record(actor=user, action="evidence.delete", obj=evidence, old=snapshot(evidence, ["title", "doi", "pmid"]))
        evidence.delete()
        transaction.on_commit(lambda: _index_changed([pk]))
