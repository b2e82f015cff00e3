"""Evidence pages: the list with filters, a record, the import page (administrators only), admin."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ksf.evidence import services
from ksf.evidence.models import Evidence, ImportRun, ImportStatus, NeedEvidenceLink
from ksf.evidence.services import evidence_import_file

from .conftest import DEMO_JSON, MEDLINE, RIS, json_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_evidence(db):
    evidence_import_file(source=DEMO_JSON)


def test_evidence_list_shows_records_and_filters_them(client, demo_evidence):
    url = reverse("evidence:list")
    response = client.get(url)
    assert response.status_code == 200 and response.context["count"] == 42
    assert "Tiltak for å forebygge fall hos hjemmeboende eldre" in response.content.decode()
    assert client.get(url, {"q": "fall"}).context["count"] >= 2
    assert client.get(url, {"kilde": "cochrane"}).context["count"] == 23
    assert client.get(url, {"kilde": "cochrane", "fra": "2012", "til": "2013"}).context["count"] == 2
    assert client.get(url, {"type": "guideline"}).context["count"] == 0
    assert client.get(url, {"sprak": "zz"}).context["count"] == 0


def test_evidence_list_ignores_invalid_filters_and_paginates(client, demo_evidence):
    url = reverse("evidence:list")
    response = client.get(url, {"fra": "abc", "kilde": "nonsense", "page": "2"})
    assert response.status_code == 200
    assert response.context["count"] == 42
    assert response.context["page_obj"].number == 2
    assert "kilde=nonsense" in response.context["querystring_without_page"]


def test_evidence_detail_shows_titles_links_and_only_published_needs(client, demo_evidence, make_need, world):
    evidence = Evidence.objects.get(doi="10.1002/14651858.cd012424.pub2")
    published = make_need(title="Fallforebygging i hjemmetjenesten")
    hidden = make_need(title="Et behov som ikke er publisert", status="submitted", published=False)
    for need in (published, hidden):
        NeedEvidenceLink.objects.create(need=need, evidence=evidence, relation="answers", what_we_know="Trening virker.")
    response = client.get(reverse("evidence:detail", args=[evidence.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Trening for å forebygge fall hos hjemmeboende eldre" in body
    assert "Exercise for preventing falls in older people living in the community" in body
    assert 'href="https://doi.org/10.1002/14651858.cd012424.pub2"' in body
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/30703272/"' in body
    assert published.public_id in body and "Trening virker." in body
    assert hidden.public_id not in body
    assert client.get(reverse("evidence:detail", args=[999999])).status_code == 404


def test_import_page_needs_log_in(client):
    response = client.get(reverse("evidence:import"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("persona", ["utenforstaende_tromso", "sykepleier_askoy", "koordinator_bergen", "nasjonal_ks"])
def test_import_page_is_for_administrators_only(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("evidence:import")).status_code == 403
    upload = SimpleUploadedFile("medline.txt", MEDLINE.read_bytes())
    assert client.post(reverse("evidence:import"), {"file": upload}).status_code == 403
    assert Evidence.objects.count() == 0


def test_administrator_imports_a_file_and_sees_the_report(client, world):
    client.force_login(world.admin)
    upload = SimpleUploadedFile("asreview_baseline.ris", RIS.read_bytes())
    response = client.post(reverse("evidence:import"), {"file": upload})
    assert response.status_code == 200
    body = response.content.decode()
    assert "99 nye, 0 oppdatert, 1 uendret" in body
    assert "post 100" in body  # the in-file duplicate warning
    assert Evidence.objects.count() == 99
    run = ImportRun.objects.get()
    assert run.created_by == world.admin and run.size == len(RIS.read_bytes()) and run.file_format == "ris"


def test_a_broken_upload_shows_every_error_with_file_and_record(client, world):
    client.force_login(world.admin)
    upload = SimpleUploadedFile("liste.json", json_file({"title": "Ok", "doi": "10.1000/1"}, {"doi": "10.1000/2"}, {"doi": "10.1000/3"}))
    response = client.post(reverse("evidence:import"), {"file": upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Fila «liste.json», post 2" in body and "Fila «liste.json», post 3" in body
    assert Evidence.objects.count() == 0


def test_an_oversized_upload_is_refused_with_a_message(client, world, settings):
    settings.MAX_IMPORT_FILE_BYTES = 2000
    client.force_login(world.admin)
    upload = SimpleUploadedFile("stor.ris", RIS.read_bytes())
    response = client.post(reverse("evidence:import"), {"file": upload})
    assert response.status_code == 400
    assert "over grensen" in response.content.decode()
    assert Evidence.objects.count() == 0 and ImportRun.objects.count() == 0


def test_a_large_upload_is_stored_and_imported_by_the_background_task(client, world, settings, tmp_path, monkeypatch,
                                                                       django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(services, "INLINE_IMPORT_MAX_BYTES", 1000)
    client.force_login(world.admin)
    upload = SimpleUploadedFile("asreview_baseline.ris", RIS.read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evidence:import"), {"file": upload})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?import={run.pk}")
    assert (run.status, run.created, run.stored_file) == (ImportStatus.OK, 99, "")
    assert list((tmp_path / "imports").iterdir()) == []  # the stored upload is removed when done
    page = client.get(response["Location"]).content.decode()
    assert "99 nye, 0 oppdatert, 1 uendret" in page


def test_a_queued_run_whose_file_is_gone_ends_as_failed(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    run = ImportRun.objects.create(filename="borte.ris", status=ImportStatus.QUEUED, stored_file="imports/borte.ris")
    done = services.evidence_import_run(run_id=run.pk)
    assert done is not None and done.status == ImportStatus.FAILED and "borte.ris" in done.errors[0]
    assert services.evidence_import_run(run_id=run.pk) is None  # a retry does nothing


def test_admin_lists_evidence_links_and_runs_with_a_way_to_the_import_page(client, world, demo_evidence):
    client.force_login(world.admin)
    for name in ["evidence", "needevidencelink", "importrun"]:
        response = client.get(reverse(f"admin:evidence_{name}_changelist"))
        assert response.status_code == 200, name
    body = client.get(reverse("admin:evidence_evidence_changelist"), {"q": "falls"}).content.decode()
    assert reverse("evidence:import") in body and "forebygge fall" in body
    assert client.get(reverse("admin:evidence_evidence_import")).status_code == 302
    run = ImportRun.objects.first()
    assert client.get(reverse("admin:evidence_importrun_change", args=[run.pk])).status_code == 200


def test_admin_edit_keeps_the_title_key_in_step(client, world, demo_evidence):
    evidence = Evidence.objects.get(doi="10.1002/14651858.cd012424.pub2")
    client.force_login(world.admin)
    url = reverse("admin:evidence_evidence_change", args=[evidence.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"title": "Exercise for preventing falls (updated)", "authors": "[]", "keywords": "[]",
                 "need_links-TOTAL_FORMS": "0", "need_links-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    evidence.refresh_from_db()
    assert evidence.title_key == "exercise for preventing falls updated"
