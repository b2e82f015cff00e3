"""Registering and changing projects through the services: rules, bad input, nothing stored."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ksf.projects import services
from ksf.projects.models import Funding, Project, UserParticipation
from ksf.projects.services import FundingRow, ParticipationRow

from .factories import make_project


def _nothing_stored():
    assert Project.objects.count() == 0
    assert Funding.objects.count() == 0
    assert UserParticipation.objects.count() == 0


@pytest.mark.django_db
def test_municipal_contact_registers_a_project_with_funding_and_participation(world):
    project = make_project(
        world,
        funding=[FundingRow("regionale_forskningsfond", "2 400 000"), FundingRow("egenandel", 600_000, "lønn")],
        rows=[ParticipationRow("identify", "adviser", "user_organisations"), ParticipationRow("design", "co_researcher", "patients")],
        publications=["https://doi.org/10.1186/s12913-020-05000-1"],
        links=["https://example.no/prosjekt"],
        cristin_id="123",
    )
    assert project.created_by == world.fou_askoy
    assert [(f.source, f.amount) for f in project.funding.all()] == [
        ("regionale_forskningsfond", 2_400_000), ("egenandel", 600_000)]
    assert project.participation.count() == 2
    assert project.participation_reported == "participation"
    assert project.publications == ["10.1186/s12913-020-05000-1"]
    assert project.service_area_codes == ["hjemmetjenester"]
    assert set(project.municipalities.all()) == {world.askoy, world.oygarden}
    assert project.keyword_list == ["NEWS2", "eldre"]


@pytest.mark.django_db
def test_owner_and_coordinators_above_can_edit_but_others_cannot(world):
    project = make_project(world)
    for user in (world.fou_askoy, world.koordinator_bergen, world.regionkoordinator_vest, world.nasjonal_ks, world.admin):
        project = services.project_update(project=project, user=user, data={"status": "completed"})
    assert project.version == 6
    for user in (world.utenforstaende_tromso, world.sykepleier_askoy, world.fou_trondheim, world.leverandor,
                 world.koordinator_trondheim, world.forsker_fhi):
        with pytest.raises(PermissionDenied):
            services.project_update(project=project, user=user, data={"title": "Kapret"})
    project.refresh_from_db()
    assert project.title != "Kapret"


@pytest.mark.django_db
def test_outsider_reporter_and_supplier_cannot_register_projects(world):
    for user in (world.utenforstaende_tromso, world.sykepleier_askoy, world.leverandor):
        with pytest.raises(PermissionDenied):
            make_project(world, user=user)
    _nothing_stored()


@pytest.mark.django_db
def test_a_creator_can_only_register_for_an_owner_or_leader_in_scope(world):
    with pytest.raises(PermissionDenied):
        make_project(world, user=world.fou_askoy, owner=world.tromso, leader=world.tromso)
    _nothing_stored()
    project = make_project(world, user=world.forsker_fhi, owner=world.tromso, leader=world.fhi)
    assert project.leader == world.fhi


@pytest.mark.django_db
def test_stale_edit_is_refused_and_nothing_is_lost(world):
    project = make_project(world)
    stale_version = project.version
    services.project_update(project=project, user=world.fou_askoy, data={"title": "Første endring"})
    with pytest.raises(ValidationError) as exc:
        services.project_update(project=project, user=world.koordinator_bergen, data={"title": "Andre"},
                                expected_version=stale_version)
    assert "endret av noen andre" in str(exc.value)
    project.refresh_from_db()
    assert project.title == "Første endring"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end_date": dt.date(2024, 1, 1)}, "end_date", "før startdatoen"),
        ({"title": ""}, "title", "Skriv en tittel"),
        ({"start_date": None}, "start_date", "Sett startdato"),
        ({"owner": None}, "owner", "prosjekteier"),
        ({"status": "halvferdig"}, "status", "Ukjent status"),
        ({"service_areas": ["tannhelse"]}, "service_areas", "Ukjent tjenesteområde"),
        ({"publications": ["ikke-en-doi"]}, "publications", "Ugyldig DOI"),
        ({"links": ["javascript:alert(1)"]}, "links", "Ugyldig lenke"),
        ({"cristin_id": "ABC"}, "cristin_id", "sifre"),
        ({"municipalities": []}, None, None),
    ],
)
@pytest.mark.django_db
def test_bad_project_fields_give_norwegian_messages_and_store_nothing(world, overrides, field, message):
    if field is None:
        make_project(world, **overrides)
        return
    with pytest.raises(ValidationError) as exc:
        make_project(world, **overrides)
    assert message in " ".join(exc.value.message_dict[field])
    _nothing_stored()


@pytest.mark.django_db
def test_partner_that_is_not_a_municipality_cannot_be_a_participating_municipality(world):
    with pytest.raises(ValidationError) as exc:
        make_project(world, municipalities=[world.fhi])
    assert "Ikke en kommune" in exc.value.message_dict["municipalities"][0]
    _nothing_stored()


@pytest.mark.parametrize(
    ("amount", "message"),
    [(-1, "negativt"), ("-500", "negativt"), (5_000_000_000, "urimelig høyt"), ("mange penger", "helt antall kroner"),
     ("12,5", "helt antall kroner")],
)
@pytest.mark.django_db
def test_negative_absurd_or_unreadable_amounts_are_refused(world, amount, message):
    with pytest.raises(ValidationError) as exc:
        make_project(world, funding=[FundingRow("forskningsradet", 100), FundingRow("eu", amount)])
    messages = exc.value.message_dict["funding"]
    assert any(message in m and "nr. 2" in m for m in messages)
    _nothing_stored()


@pytest.mark.django_db
def test_unknown_funding_source_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        make_project(world, funding=[FundingRow("lotto", 100)])
    assert "ukjent kilde" in exc.value.message_dict["funding"][0]
    _nothing_stored()


@pytest.mark.django_db
def test_duplicate_cristin_id_is_refused(world):
    make_project(world, cristin_id="2345678")
    with pytest.raises(ValidationError) as exc:
        make_project(world, cristin_id="2345678", title="Et annet prosjekt")
    assert "2345678" in exc.value.message_dict["cristin_id"][0]
    assert Project.objects.count() == 1
    # Blank Cristin ids never clash.
    make_project(world, title="Uten Cristin 1")
    make_project(world, title="Uten Cristin 2")


@pytest.mark.parametrize(
    ("state", "rows", "message"),
    [
        ("participation", [ParticipationRow("planning", "adviser", "patients")], "ukjent fase «planning»"),
        ("participation", [ParticipationRow("design", "boss", "patients")], "ukjent rolle «boss»"),
        ("participation", [ParticipationRow("design", "adviser", "Ola Nordmann")], "ukjent gruppe"),
        ("participation", [], "minst én rad"),
        ("none", [ParticipationRow("design", "adviser", "patients")], "bare registreres"),
        ("not_reported", [ParticipationRow("design", "adviser", "patients")], "bare registreres"),
        ("maybe", [], "Ukjent svar"),
    ],
)
@pytest.mark.django_db
def test_participation_rows_exist_if_and_only_if_users_took_part(world, state, rows, message):
    with pytest.raises(ValidationError) as exc:
        make_project(world, state=state, rows=rows)
    assert any(message in m for m in exc.value.message_dict["participation"])
    _nothing_stored()


@pytest.mark.django_db
def test_no_user_participation_is_an_explicit_answer_distinct_from_not_reported(world):
    none = make_project(world, state="none", rows=[], title="Uten brukere")
    unknown = make_project(world, state="not_reported", rows=[], title="Ikke rapportert")
    assert none.participation_reported == "none"
    assert unknown.participation_reported == "not_reported"
    project = services.project_set_participation(
        project=unknown, user=world.fou_askoy, state="participation",
        rows=[ParticipationRow("conduct", "co_researcher", "patients")],
    )
    assert project.participation_reported == "participation"
    project = services.project_set_participation(project=project, user=world.fou_askoy, state="none", rows=[])
    assert project.participation.count() == 0


@pytest.mark.django_db
def test_identity_number_in_free_text_is_refused(world):
    from ksf.core.identity import find_identity_numbers

    fnr = next(c for c in ("01017012345", "15076500565", "29029900157", "31129956715") if find_identity_numbers(c))
    with pytest.raises(ValidationError) as exc:
        make_project(world, summary=f"Pasient {fnr} deltok.")
    assert "fødselsnummer" in exc.value.message_dict["summary"][0]
    _nothing_stored()
    project = make_project(world)
    with pytest.raises(ValidationError):
        services.project_publish_results(project=project, user=world.fou_askoy, results=f"Se {fnr}.")
    project.refresh_from_db()
    assert project.results == ""


@pytest.mark.django_db
def test_a_failed_update_changes_nothing(world):
    project = make_project(world, funding=[FundingRow("forskningsradet", 100)])
    with pytest.raises(ValidationError):
        services.project_update(project=project, user=world.fou_askoy, data={"title": "Ny tittel"},
                                funding=[FundingRow("eu", -5)])
    project.refresh_from_db()
    assert project.title != "Ny tittel"
    assert [(f.source, f.amount) for f in project.funding.all()] == [("forskningsradet", 100)]
