"""Export (CSV/XLSX/JSON) of the filtered list, and the all-or-nothing CSV import."""

import csv
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from ksf.projects import exports
from ksf.projects.imports import import_projects
from ksf.projects.models import Funding, Project, UserParticipation
from ksf.projects.services import FundingRow
from ksf.projects.services import ParticipationRow as P

from .factories import make_project, research_need

HEADER = ",".join(exports.COLUMNS)


def row(**values):
    base = {
        "tittel": "Hverdagsrehabilitering i Askøy", "sammendrag": "Kort om prosjektet.", "type": "research",
        "status": "ongoing", "start": "2025-01-01", "slutt": "2026-12-31", "eier": "4627", "leder": "uib",
        "partnere": "usht-vestland", "kommuner": "4627; 4626", "emneord": "rehabilitering", "tjenesteomrader": "rehabilitering",
        "behov": "", "cristin_id": "", "finansiering": "forskningsradet:1500000", "medvirkning_status": "participation",
        "medvirkning": "design/adviser/patients", "resultater": "", "publikasjoner": "", "lenker": "", "publisert": "ja",
    }
    base.update(values)
    buffer = io.StringIO()
    csv.writer(buffer).writerow([base[c] for c in exports.COLUMNS])
    return buffer.getvalue().strip()


def csv_file(*rows):
    return (HEADER + "\n" + "\n".join(rows) + "\n").encode("utf-8")


def _nothing_stored():
    assert Project.objects.count() == 0 and Funding.objects.count() == 0 and UserParticipation.objects.count() == 0


@pytest.mark.django_db
def test_export_import_round_trip_gives_the_same_projects(world, client):
    need = research_need(world)
    first = make_project(world, cristin_id="555", funding=[FundingRow("forskningsradet", 1_500_000, "hovedprosjekt"),
                                                            FundingRow("egenandel", 200_000)],
                         rows=[P("identify", "adviser", "user_organisations"), P("analyse", "co_researcher", "patients")],
                         publications=["10.1186/s12913-020-05000-1"], links=["https://example.no/a"])
    from ksf.projects import services
    services.project_link_need(project=first, user=world.fou_askoy, need=need)
    make_project(world, title="=Formel i tittel", state="none", rows=[], funding=[], owner=world.bergen,
                 leader=world.helse_bergen, user=world.koordinator_bergen, end_date=None)
    before = [exports.project_row(p) for p in Project.objects.order_by("title")]

    response = client.get(reverse("projects:export", args=["csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf") and "'=Formel" in content.decode("utf-8-sig")
    Project.objects.all().delete()

    result = import_projects(user=world.regionkoordinator_vest, content=content)
    assert result.ok, [str(e) for e in result.errors]
    assert len(result.created) == 2
    after = [exports.project_row(p) for p in Project.objects.order_by("title")]
    assert after == before


@pytest.mark.django_db
def test_exports_follow_the_filters_in_every_format(world, client):
    make_project(world, title="Pågående", status="ongoing")
    make_project(world, title="Avsluttet", status="completed")
    url = reverse("projects:export", args=["json"])
    data = json.loads(client.get(url, {"status": "completed"}).content)
    assert [p["title"] for p in data] == ["Avsluttet"]
    assert data[0]["funding"] == [{"source": "regionale_forskningsfond", "amount": 1_000_000, "note": ""}]
    assert data[0]["participation"] == [{"phase": "design", "capacity": "adviser", "who": "patients"}]
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("projects:export", args=["csv"]), {"status": "ongoing"}).content.decode("utf-8-sig"))))
    assert [r["tittel"] for r in rows] == ["Pågående"]
    from openpyxl import load_workbook

    response = client.get(reverse("projects:export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == list(exports.COLUMNS)
    assert sheet.max_row == 3
    assert client.get(reverse("projects:export", args=["pdf"])).status_code == 404


@pytest.mark.django_db
def test_export_leaves_out_unpublished_projects_for_the_public(world, client):
    make_project(world, title="Hemmelig utkast", is_published=False)
    assert b"Hemmelig" not in client.get(reverse("projects:export", args=["csv"])).content
    client.force_login(world.fou_askoy)
    assert b"Hemmelig" in client.get(reverse("projects:export", args=["csv"])).content


@pytest.mark.django_db
def test_import_accepts_semicolons_labels_and_norwegian_dates(world):
    content = (
        "tittel;sammendrag;type;status;start;slutt;eier;leder;finansiering;medvirkning_status;medvirkning\n"
        "Prosjekt;Om prosjektet;Innovasjonsprosjekt;Pågår;01.02.2025;31.12.2026;Askøy;Universitetet i Bergen;"
        "Pilot Helse:1 200 000;Med brukermedvirkning;Analysere og tolke/Medforsker/Pårørende\n"
    ).encode()
    result = import_projects(user=world.koordinator_bergen, content=content)
    assert result.ok, [str(e) for e in result.errors]
    project = result.created[0]
    assert (project.kind, project.status, str(project.start_date)) == ("innovation", "ongoing", "2025-02-01")
    assert project.owner == world.askoy and project.leader == world.uib
    assert [(f.source, f.amount) for f in project.funding.all()] == [("pilot_helse", 1_200_000)]
    assert [(r.phase, r.capacity, r.who) for r in project.participation.all()] == [("analyse", "co_researcher", "next_of_kin")]


@pytest.mark.parametrize(
    ("values", "column", "message"),
    [
        ({"eier": "Ukjent kommune AS"}, "eier", "Ukjent organisasjon «Ukjent kommune AS»"),
        ({"partnere": "uib; finnes-ikke"}, "partnere", "Ukjent organisasjon «finnes-ikke»"),
        ({"kommuner": "9999"}, "kommuner", "Ukjent organisasjon «9999»"),
        ({"slutt": "2020-01-01"}, "slutt", "før startdatoen"),
        ({"start": "i fjor"}, "start", "ÅÅÅÅ-MM-DD"),
        ({"finansiering": "forskningsradet:-100"}, "finansiering", "negativt"),
        ({"finansiering": "eu:99999999999"}, "finansiering", "urimelig høyt"),
        ({"finansiering": "forskningsradet"}, "finansiering", "kilde:beløp"),
        ({"finansiering": "lotto:100"}, "finansiering", "ukjent kilde"),
        ({"medvirkning": "planlegging/adviser/patients"}, "medvirkning", "ukjent fase «planlegging»"),
        ({"medvirkning": "design/sjef/patients"}, "medvirkning", "ukjent rolle «sjef»"),
        ({"medvirkning": "design-adviser"}, "medvirkning", "fase/rolle/hvem"),
        ({"medvirkning_status": "none"}, "medvirkning_status", "bare registreres"),
        ({"cristin_id": "12a"}, "cristin_id", "sifre"),
        ({"type": "kunst"}, "type", "Ukjent prosjekttype"),
        ({"tjenesteomrader": "tannhelse"}, "tjenesteomrader", "Ukjent tjenesteområde"),
        ({"behov": "KB-1999-0001"}, "behov", "Ukjent eller upublisert behov"),
        ({"publisert": "kanskje"}, "publisert", "ja"),
        ({"tittel": ""}, "tittel", "Skriv en tittel"),
    ],
)
@pytest.mark.django_db
def test_a_bad_row_stops_the_whole_import_with_row_and_column_named(world, values, column, message):
    content = csv_file(row(tittel="God rad"), row(**values))
    result = import_projects(user=world.regionkoordinator_vest, content=content)
    assert not result.ok
    problems = [e for e in result.errors if e.row == 3]
    assert any(e.column == column and message in e.message for e in problems), [str(e) for e in result.errors]
    assert all(e.row == 3 for e in result.errors)
    assert f"Rad 3, kolonne «{column}»" in str(problems[0]) or any(f"kolonne «{column}»" in str(e) for e in problems)
    _nothing_stored()


@pytest.mark.django_db
def test_duplicate_cristin_ids_in_the_file_or_the_registry_are_refused(world):
    content = csv_file(row(tittel="A", cristin_id="777"), row(tittel="B", cristin_id="777"))
    result = import_projects(user=world.regionkoordinator_vest, content=content)
    assert [str(e) for e in result.errors] == ["Rad 3, kolonne «cristin_id»: Cristin-prosjektnummer 777 står også på rad 2."]
    _nothing_stored()
    make_project(world, cristin_id="888")
    result = import_projects(user=world.regionkoordinator_vest, content=csv_file(row(cristin_id="888")))
    assert result.errors[0].column == "cristin_id" and "888" in result.errors[0].message
    assert Project.objects.count() == 1


@pytest.mark.django_db
def test_import_refuses_unknown_or_missing_columns_and_empty_files(world):
    result = import_projects(user=world.regionkoordinator_vest, content="tittel,farge\nA,blå\n".encode())
    columns = {e.column for e in result.errors}
    assert {"farge", "sammendrag", "start", "eier", "leder"} <= columns
    assert not import_projects(user=world.regionkoordinator_vest, content=b"").ok
    assert not import_projects(user=world.regionkoordinator_vest, content=HEADER.encode()).ok
    _nothing_stored()


@pytest.mark.django_db
def test_import_refuses_rows_for_organisations_outside_the_importers_scope(world):
    result = import_projects(user=world.koordinator_bergen, content=csv_file(row(eier="5501", leder="5501")))
    assert result.errors[0].column == "eier" and "Tromsø" in result.errors[0].message
    _nothing_stored()


@pytest.mark.django_db
def test_only_coordinators_may_import(world):
    for user in (world.utenforstaende_tromso, world.fou_askoy, world.forsker_fhi, world.leverandor):
        with pytest.raises(PermissionDenied):
            import_projects(user=user, content=csv_file(row()))
    _nothing_stored()


@pytest.mark.django_db
def test_import_links_needs_and_publishes_results(world):
    need = research_need(world)
    result = import_projects(user=world.regionkoordinator_vest,
                             content=csv_file(row(behov=need.public_id, resultater="Dette fant vi ut.")))
    assert result.ok, [str(e) for e in result.errors]
    need.refresh_from_db()
    assert need.status == "results_published" and "Dette fant vi ut." in need.answer


@pytest.mark.django_db
def test_import_page_for_coordinators_shows_errors_and_stores_nothing(world, client):
    url = reverse("projects:import")
    client.force_login(world.utenforstaende_tromso)
    assert client.get(url).status_code == 403
    assert client.post(url, {"file": io.BytesIO(csv_file(row()))}).status_code == 403
    _nothing_stored()
    client.force_login(world.koordinator_bergen)
    page = client.get(url)
    assert page.status_code == 200 and "medvirkning_status" in page.content.decode()
    upload = io.BytesIO(csv_file(row(), row(slutt="2001-01-01")))
    upload.name = "prosjekter.csv"
    response = client.post(url, {"file": upload})
    assert response.status_code == 400
    assert "Rad 3, kolonne «slutt»" in response.content.decode()
    _nothing_stored()
    upload = io.BytesIO(csv_file(row()))
    upload.name = "prosjekter.csv"
    response = client.post(url, {"file": upload})
    assert response.status_code == 302 and Project.objects.count() == 1


@pytest.mark.django_db
def test_import_command_is_all_or_nothing(world, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file(row(), row(finansiering="eu:-1")))
    with pytest.raises(CommandError, match="Ingenting er lagret"):
        call_command("import_projects", str(bad), "--user", "regionkoordinator.vest")
    _nothing_stored()
    good = tmp_path / "good.csv"
    good.write_bytes(csv_file(row(tittel="A"), row(tittel="B")))
    out = io.StringIO()
    call_command("import_projects", str(good), "--user", "regionkoordinator.vest", stdout=out)
    assert "Importerte 2 prosjekter" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("import_projects", str(good), "--user", "utenforstaende.tromso")
    assert Project.objects.count() == 2
