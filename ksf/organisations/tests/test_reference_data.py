"""Loading the real municipality data: complete, idempotent, and all-or-nothing on bad input."""

import json
from pathlib import Path

import pytest

from ksf.organisations.models import County, HealthRegion, Organisation, OrgKind
from ksf.organisations.reference import COUNTIES_FILE, MUNICIPALITIES_FILE, ReferenceDataError, load_reference_data


def _write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def empty_reference_tables(db):
    """The session loads reference data once; these tests start from empty tables (rolled back after)."""
    from ksf.accounts.models import User

    User.objects.all().delete()
    Organisation.objects.exclude(kind=OrgKind.MUNICIPALITY).delete()
    Organisation.objects.all().delete()
    County.objects.all().delete()
    HealthRegion.objects.all().delete()


def _municipalities() -> list[dict]:
    return json.loads(MUNICIPALITIES_FILE.read_text(encoding="utf-8"))


@pytest.mark.django_db
def test_loading_gives_all_357_municipalities_15_counties_and_4_health_regions():
    report = load_reference_data()
    assert report.municipalities_created == 357
    assert Organisation.objects.filter(kind=OrgKind.MUNICIPALITY).count() == 357
    assert County.objects.count() == 15
    assert HealthRegion.objects.count() == 4
    bergen = Organisation.objects.get(municipality_number="4601")
    assert bergen.name == "Bergen" and bergen.region.code == "vest" and bergen.population > 280_000
    assert Organisation.objects.get(municipality_number="5501").region.code == "nord"
    assert Organisation.objects.get(municipality_number="5001").region.code == "midt"
    assert Organisation.objects.get(municipality_number="0301").region.code == "sorost"
    total = sum(m.population for m in Organisation.objects.filter(kind=OrgKind.MUNICIPALITY))
    assert total == 5_550_203


@pytest.mark.django_db
def test_sami_municipality_keeps_norwegian_and_sami_names():
    load_reference_data()
    kautokeino = Organisation.objects.get(municipality_number="5612")
    assert kautokeino.name == "Kautokeino"
    assert kautokeino.name_sami == "Guovdageaidnu"


@pytest.mark.django_db
def test_running_twice_changes_nothing_and_duplicates_nothing():
    load_reference_data()
    ids = set(Organisation.objects.values_list("pk", flat=True))
    report = load_reference_data()
    assert report.municipalities_created == 0 and report.municipalities_updated == 0
    assert report.municipalities_unchanged == 357
    assert set(Organisation.objects.values_list("pk", flat=True)) == ids


@pytest.mark.django_db
def test_a_renamed_municipality_is_updated_in_place(tmp_path):
    load_reference_data()
    data = _municipalities()
    for row in data:
        if row["id"] == "4627":
            row["name"] = row["name_no"] = "Askøy herad"
            row["population"] = 30000
    path = _write(tmp_path, "m.json", data)
    report = load_reference_data(municipalities_file=path)
    assert report.municipalities_updated == 1 and report.municipalities_created == 0
    askoy = Organisation.objects.get(municipality_number="4627")
    assert askoy.name == "Askøy herad" and askoy.population == 30000
    assert Organisation.objects.filter(kind=OrgKind.MUNICIPALITY).count() == 357


@pytest.mark.django_db
@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda d: d.append({**d[0]}), "kommunenummer 0301 finnes to ganger"),
        (lambda d: d[5].update(id="9901"), "ukjent fylke 99"),
        (lambda d: d[7].update(population="mange"), "ugyldig innbyggertall"),
        (lambda d: d[3].update(language="Latin"), "ukjent målform"),
    ],
)
def test_inconsistent_file_names_file_and_row_and_changes_nothing(tmp_path, mutate, expected):
    load_reference_data()
    before = list(Organisation.objects.order_by("pk").values_list("pk", "name", "population"))
    data = _municipalities()
    data[0]["name"] = data[0]["name_no"] = "Endret navn som ikke skal lagres"
    mutate(data)
    path = _write(tmp_path, "kommuner.json", data)
    with pytest.raises(ReferenceDataError) as err:
        load_reference_data(municipalities_file=path)
    assert "kommuner.json" in str(err.value) and "rad" in str(err.value)
    assert expected in str(err.value)
    assert list(Organisation.objects.order_by("pk").values_list("pk", "name", "population")) == before


@pytest.mark.django_db
def test_missing_or_malformed_file_is_refused_with_a_clear_message(tmp_path):
    with pytest.raises(ReferenceDataError, match="finnes ikke"):
        load_reference_data(municipalities_file=tmp_path / "borte.json")
    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": "0301",', encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="ikke gyldig JSON"):
        load_reference_data(municipalities_file=broken)
    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_management_command_reports_error_and_exit_status(tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Ingenting ble endret"):
        call_command("load_reference_data", municipalities=tmp_path / "mangler.json", counties=COUNTIES_FILE)
