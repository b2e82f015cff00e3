"""Experience reports: written by participants after contract, searchable by everyone."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ksf.procurement import selectors, services
from ksf.procurement.models import ExperienceReport

pytestmark = pytest.mark.django_db

REPORT = {
    "title": "Erfaringer med digitalt tilsyn",
    "what_procured": "Sensorer for digitalt tilsyn om natten i 60 rom.",
    "cost_range": "500k-2m",
    "effects": "Færre fysiske nattilsyn; bedre søvn.",
    "lessons": "Involver nattevaktene tidligere.",
}


@pytest.fixture
def in_pilot(world, in_dialogue):
    initiative = in_dialogue
    for phase in ("konkurranse", "kontrakt", "utproving"):
        initiative = services.initiative_move_phase(initiative=initiative, user=world.koordinator_bergen, to=phase)
    return initiative


def test_participant_publishes_a_report_and_search_finds_digitalt_tilsyn(world, client, in_pilot):
    client.force_login(world.fou_askoy)
    response = client.post(reverse("procurement:report_create", args=[in_pilot.pk]), {**REPORT, "organisation": world.askoy.pk, "publish": "on"})
    assert response.status_code == 302
    client.logout()
    response = client.get(reverse("procurement:report_search"), {"q": "digitalt tilsyn"})
    assert response.status_code == 200
    assert "Erfaringer med digitalt tilsyn" in response.content.decode()
    assert selectors.search_experience_reports("Digitalt Tilsyn").count() == 1
    assert selectors.search_experience_reports("nattevaktene").count() == 1
    assert selectors.search_experience_reports("blodsukker").count() == 0
    report = ExperienceReport.objects.get()
    assert client.get(reverse("procurement:report_detail", args=[report.pk])).status_code == 200


def test_an_unpublished_report_is_not_found_by_the_public(world, client, in_pilot):
    report = services.experience_report_create(initiative=in_pilot, user=world.fou_askoy, organisation=world.askoy, data=REPORT, publish=False)
    assert selectors.search_experience_reports("digitalt tilsyn").count() == 0
    assert client.get(reverse("procurement:report_detail", args=[report.pk])).status_code == 404
    assert selectors.search_experience_reports("digitalt tilsyn", user=world.fou_askoy).count() == 1
    services.experience_report_publish(report=report, user=world.fou_askoy)
    assert selectors.search_experience_reports("digitalt tilsyn").count() == 1


def test_a_report_before_contract_is_refused(world, in_dialogue):
    with pytest.raises(ValidationError) as exc:
        services.experience_report_create(initiative=in_dialogue, user=world.fou_askoy, organisation=world.askoy, data=REPORT)
    assert "kontrakt, utprøving eller skalering" in str(exc.value)
    assert ExperienceReport.objects.count() == 0


@pytest.mark.parametrize("persona", ["utenforstaende_tromso", "leverandor"])
def test_outsider_and_supplier_cannot_write_a_report(world, client, in_pilot, persona):
    client.force_login(getattr(world, persona))
    assert client.post(reverse("procurement:report_create", args=[in_pilot.pk]), {**REPORT, "organisation": world.askoy.pk}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.experience_report_create(initiative=in_pilot, user=getattr(world, persona), organisation=world.askoy, data=REPORT)
    assert ExperienceReport.objects.count() == 0


def test_a_participant_cannot_report_for_another_participant(world, in_pilot):
    with pytest.raises(PermissionDenied):
        services.experience_report_create(initiative=in_pilot, user=world.fou_askoy, organisation=world.helse_bergen, data=REPORT)
    assert ExperienceReport.objects.count() == 0


def test_a_report_missing_what_they_learned_is_refused(world, in_pilot):
    with pytest.raises(ValidationError) as exc:
        services.experience_report_create(initiative=in_pilot, user=world.fou_askoy, organisation=world.askoy, data={**REPORT, "lessons": " "})
    assert "lessons" in exc.value.message_dict
    assert ExperienceReport.objects.count() == 0
