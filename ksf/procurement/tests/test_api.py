"""The procurement API: public reads, supplier writes with the same rules as the pages."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from ksf.procurement import services
from ksf.procurement.models import SupplierInterest, SupplierQuestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_public_lists_and_reads_published_initiatives(world, api, in_dialogue):
    services.initiative_create(user=world.koordinator_bergen, lead=world.bergen, data={"title": "Utkast", "description": "x"})
    response = api.get(reverse("api:procurement-list"))
    assert response.status_code == 200
    titles = [r["title"] for r in response.json()["results"]]
    assert titles == ["Digitalt tilsyn om natten"]
    detail = api.get(reverse("api:procurement-detail", args=[in_dialogue.pk])).json()
    assert detail["phase"] == "markedsdialog" and detail["lead"] == "Bergen"
    assert len(detail["needs"]) == 2 and len(detail["history"]) == 2
    assert api.get(reverse("api:procurement-list"), {"phase": "kontrakt"}).json()["count"] == 0


def test_supplier_registers_interest_and_asks_through_the_api(world, api, in_dialogue):
    api.force_authenticate(world.leverandor)
    response = api.post(reverse("api:procurement-interest", args=[in_dialogue.pk]), {"contact_role": "Salg"}, format="json")
    assert response.status_code == 201
    response = api.post(reverse("api:procurement-interest", args=[in_dialogue.pk]), {}, format="json")
    assert response.status_code == 400 and "allerede meldt interesse" in str(response.json())
    response = api.post(reverse("api:procurement-questions", args=[in_dialogue.pk]), {"text": "Hvilket volum?"}, format="json")
    assert response.status_code == 201
    assert SupplierInterest.objects.count() == 1 and SupplierQuestion.objects.count() == 1


@pytest.mark.parametrize("persona", ["utenforstaende_tromso", "fou_askoy"])
def test_non_suppliers_cannot_post_interest_or_questions(world, api, in_dialogue, persona):
    api.force_authenticate(getattr(world, persona))
    assert api.post(reverse("api:procurement-interest", args=[in_dialogue.pk]), {}, format="json").status_code == 403
    assert api.post(reverse("api:procurement-questions", args=[in_dialogue.pk]), {"text": "x"}, format="json").status_code == 403
    assert SupplierInterest.objects.count() == 0 and SupplierQuestion.objects.count() == 0


def test_anonymous_cannot_post(world, api, in_dialogue):
    assert api.post(reverse("api:procurement-questions", args=[in_dialogue.pk]), {"text": "x"}, format="json").status_code in (401, 403)
    assert SupplierQuestion.objects.count() == 0


def test_a_question_after_the_dialogue_closed_gives_400_in_norwegian(world, api, initiative):
    api.force_authenticate(world.leverandor)
    response = api.post(reverse("api:procurement-questions", args=[initiative.pk]), {"text": "Nå?"}, format="json")
    assert response.status_code == 400
    assert "Markedsdialogen er lukket" in str(response.json())
    assert SupplierQuestion.objects.count() == 0


def test_experience_reports_are_searchable_in_the_api(world, api, in_dialogue):
    initiative = in_dialogue
    for phase in ("konkurranse", "kontrakt"):
        initiative = services.initiative_move_phase(initiative=initiative, user=world.koordinator_bergen, to=phase)
    report = services.experience_report_create(initiative=initiative, user=world.fou_askoy, organisation=world.askoy, data={
        "title": "Digitalt tilsyn i Askøy", "what_procured": "Sensorer", "effects": "Færre tilsyn", "lessons": "Start smått"})
    response = api.get(reverse("api:experience-report-list"), {"q": "digitalt tilsyn"})
    assert response.status_code == 200 and response.json()["count"] == 1
    assert api.get(reverse("api:experience-report-list"), {"q": "ingenting slikt"}).json()["count"] == 0
    assert api.get(reverse("api:experience-report-detail", args=[report.pk])).json()["organisation"] == "Askøy"


def test_the_schema_documents_the_procurement_endpoints(world, api):
    response = api.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/procurements", "/api/v1/procurements/{id}", "/api/v1/procurements/{id}/interest",
                 "/api/v1/procurements/{id}/questions", "/api/v1/experience-reports", "/api/v1/experience-reports/{id}"):
        assert path in paths


@pytest.mark.parametrize("persona", ["utenforstaende_tromso", "fou_askoy", "koordinator_bergen"])
def test_non_suppliers_get_403_whatever_the_payload(world, api, in_dialogue, persona):
    api.force_authenticate(getattr(world, persona))
    interest = reverse("api:procurement-interest", args=[in_dialogue.pk])
    questions = reverse("api:procurement-questions", args=[in_dialogue.pk])
    assert api.post(interest, {"contact_role": "x" * 300}, format="json").status_code == 403
    assert api.post(interest, {"contact_role": ["liste"]}, format="json").status_code == 403
    assert api.post(questions, {}, format="json").status_code == 403
    assert api.post(questions, {"text": "x" * 5000}, format="json").status_code == 403
    assert SupplierInterest.objects.count() == 0 and SupplierQuestion.objects.count() == 0


def test_the_needs_of_an_initiative_are_listed_with_number_title_and_municipality(world, api, innovation_needs, in_dialogue):
    detail = api.get(reverse("api:procurement-detail", args=[in_dialogue.pk])).json()
    assert detail["need_details"] == [
        {"public_id": need.public_id, "title": need.title, "municipality": "Askøy"}
        for need in sorted(innovation_needs, key=lambda n: n.public_id)
    ]
