"""Initiatives: creating from innovation needs, who may edit, the phase table, joining, notifications."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ksf.procurement import selectors, services
from ksf.procurement.models import Document, Initiative, JoinRequest, Participation, PhaseChange

pytestmark = pytest.mark.django_db


def test_coordinator_creates_an_initiative_from_published_innovation_needs(world, initiative, innovation_needs):
    assert initiative.phase == "behovsavklaring"
    assert set(initiative.needs.all()) == set(innovation_needs)
    assert set(initiative.participants.all()) == {world.askoy, world.helse_bergen}
    assert initiative.phase_changes.count() == 1


def test_a_knowledge_need_cannot_be_pooled(world):
    from ksf.needs import services as need_services

    need = need_services.need_create(
        user=world.sykepleier_askoy, data={"title": "Kunnskap", "question": "Hva vet vi?", "service_area": "sykehjem"}
    )
    with pytest.raises(ValidationError) as exc:
        services.initiative_create(user=world.koordinator_bergen, lead=world.bergen,
                                   data={"title": "X", "description": "Y"}, needs=[need])
    assert "innovasjonsbehov" in str(exc.value)
    assert Initiative.objects.count() == 0


@pytest.mark.parametrize("persona", ["utenforstaende_tromso", "leverandor", "sykepleier_askoy"])
def test_outsider_supplier_and_reporter_cannot_create_an_initiative(world, client, persona):
    client.force_login(getattr(world, persona))
    response = client.post(reverse("procurement:create"), {"title": "X", "description": "Y", "lead": world.bergen.pk})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.initiative_create(user=getattr(world, persona), lead=world.bergen, data={"title": "X", "description": "Y"})
    assert Initiative.objects.count() == 0


def test_municipal_contact_cannot_lead_for_another_municipality(world):
    with pytest.raises(PermissionDenied):
        services.initiative_create(user=world.fou_askoy, lead=world.bergen, data={"title": "X", "description": "Y"})
    assert Initiative.objects.count() == 0


def test_create_page_makes_an_initiative(world, client, innovation_needs):
    client.force_login(world.koordinator_bergen)
    assert client.get(reverse("procurement:create") + f"?behov={innovation_needs[0].public_id}").status_code == 200
    response = client.post(reverse("procurement:create"), {
        "title": "Nattilsyn", "description": "Behovet", "lead": world.bergen.pk,
        "needs": [n.pk for n in innovation_needs], "participants": [world.askoy.pk], "volume_number": "120",
        "publish": "on",
    })
    assert response.status_code == 302
    initiative = Initiative.objects.get(title="Nattilsyn")
    assert initiative.is_public and initiative.volume_number == 120


@pytest.mark.parametrize("persona", ["utenforstaende_tromso", "leverandor"])
def test_outsider_and_supplier_cannot_edit_publish_move_or_add_documents(world, client, initiative, persona):
    user = getattr(world, persona)
    client.force_login(user)
    before = (Initiative.objects.get(pk=initiative.pk).version, Document.objects.count(), PhaseChange.objects.count())
    pk = initiative.pk
    assert client.post(reverse("procurement:edit", args=[pk]), {"title": "Hacket", "description": "x", "version": 1}).status_code == 403
    assert client.post(reverse("procurement:phase", args=[pk]), {"to": "markedsdialog"}).status_code == 403
    assert client.post(reverse("procurement:document_add", args=[pk]), {"phase": "behovsavklaring", "title": "x", "url": "https://x.no"}).status_code == 403
    assert client.post(reverse("procurement:publish", args=[pk])).status_code == 403
    assert client.get(reverse("procurement:join_requests", args=[pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.initiative_update(initiative=initiative, user=user, data={"title": "Hacket"}, version=initiative.version)
    with pytest.raises(PermissionDenied):
        services.initiative_move_phase(initiative=initiative, user=user, to="markedsdialog")
    initiative.refresh_from_db()
    assert initiative.title == "Digitalt tilsyn om natten"
    assert (initiative.version, Document.objects.count(), PhaseChange.objects.count()) == before


def test_participant_edits_but_only_the_lead_moves_phases(world, client, initiative):
    client.force_login(world.fou_askoy)
    response = client.post(reverse("procurement:edit", args=[initiative.pk]), {
        "title": "Digitalt tilsyn om natten", "description": "Oppdatert beskrivelse", "version": initiative.version,
        "needs": [n.pk for n in initiative.needs.all()], "volume_number": "500",
    })
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.description == "Oppdatert beskrivelse" and initiative.volume_number == 500
    response = client.post(reverse("procurement:phase", args=[initiative.pk]), {"to": "markedsdialog"})
    assert response.status_code == 403
    assert "Bare den ansvarlige" in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.phase == "behovsavklaring"


def test_a_stale_edit_is_refused_and_nothing_is_lost(world, initiative):
    stale = initiative.version
    services.initiative_update(initiative=initiative, user=world.fou_askoy, data={"description": "Først"}, version=stale)
    with pytest.raises(ValidationError) as exc:
        services.initiative_update(initiative=initiative, user=world.koordinator_bergen, data={"description": "Sist"}, version=stale)
    assert "Noen andre endret" in str(exc.value)
    initiative.refresh_from_db()
    assert initiative.description == "Først"


def test_the_lead_moves_one_phase_forward_and_history_is_written(world, client, initiative):
    client.force_login(world.koordinator_bergen)
    response = client.post(reverse("procurement:phase", args=[initiative.pk]), {"to": "markedsdialog", "note": "Klar"})
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.phase == "markedsdialog" and initiative.dialogue_open
    change = initiative.phase_changes.last()
    assert (change.from_phase, change.to_phase, change.actor, change.actor_organisation) == (
        "behovsavklaring", "markedsdialog", world.koordinator_bergen, world.bergen)


def test_a_phase_jump_not_in_the_table_is_refused_with_a_clear_message(world, client, initiative):
    client.force_login(world.koordinator_bergen)
    response = client.post(reverse("procurement:phase", args=[initiative.pk]), {"to": "skalering"})
    assert response.status_code == 200
    assert "kan ikke gå fra «Behovsavklaring» til «Skalering»" in response.content.decode()
    with pytest.raises(ValidationError):
        services.initiative_move_phase(initiative=initiative, user=world.koordinator_bergen, to="kontrakt")
    initiative.refresh_from_db()
    assert initiative.phase == "behovsavklaring"
    assert initiative.phase_changes.count() == 1


def test_a_back_step_requires_a_note(world, in_dialogue):
    with pytest.raises(ValidationError) as exc:
        services.initiative_move_phase(initiative=in_dialogue, user=world.koordinator_bergen, to="behovsavklaring")
    assert "begrunnelse" in str(exc.value)
    moved = services.initiative_move_phase(
        initiative=in_dialogue, user=world.koordinator_bergen, to="behovsavklaring", note="Behovet må avgrenses."
    )
    assert moved.phase == "behovsavklaring" and not moved.dialogue_open


def test_a_phase_change_emails_participants_and_registered_suppliers(world, initiative, django_capture_on_commit_callbacks):
    services.interest_register(initiative=initiative, user=world.leverandor, contact_role="Salg")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.initiative_move_phase(initiative=initiative, user=world.koordinator_bergen, to="markedsdialog")
    recipients = {m.to[0] for m in mail.outbox}
    assert {"fou.askoy@example.no", "koordinator.bergen@example.no", "leverandor@example.no"} <= recipients
    assert "utenforstaende.tromso@example.no" not in recipients
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert "Markedsdialog" in mail.outbox[0].subject


def test_a_refused_phase_change_sends_no_email(world, initiative, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.initiative_move_phase(initiative=initiative, user=world.koordinator_bergen, to="konkurranse")
    assert mail.outbox == []


def test_another_municipality_asks_to_join_and_the_lead_accepts(world, client, initiative):
    client.force_login(world.fou_trondheim)
    response = client.post(reverse("procurement:join", args=[initiative.pk]), {"organisation": world.trondheim.pk, "message": "Vi vil være med"})
    assert response.status_code == 302
    join = JoinRequest.objects.get()
    client.force_login(world.fou_askoy)  # a participant, not the lead
    assert client.post(reverse("procurement:join_decide", args=[initiative.pk, join.pk]), {"decision": "accept"}).status_code == 403
    assert not Participation.objects.filter(organisation=world.trondheim).exists()
    client.force_login(world.koordinator_bergen)
    assert client.get(reverse("procurement:join_requests", args=[initiative.pk])).status_code == 200
    client.post(reverse("procurement:join_decide", args=[initiative.pk, join.pk]), {"decision": "accept"})
    join.refresh_from_db()
    assert join.status == "accepted"
    assert Participation.objects.filter(initiative=initiative, organisation=world.trondheim).exists()


def test_joining_twice_is_refused_and_nothing_is_stored(world, client, initiative):
    services.join_request_create(initiative=initiative, user=world.fou_trondheim, organisation=world.trondheim)
    client.force_login(world.fou_trondheim)
    response = client.post(reverse("procurement:join", args=[initiative.pk]), {"organisation": world.trondheim.pk})
    assert response.status_code == 200
    assert "har allerede bedt om å bli med" in response.content.decode()
    assert JoinRequest.objects.count() == 1
    client.force_login(world.fou_askoy)
    response = client.post(reverse("procurement:join", args=[initiative.pk]), {"organisation": world.askoy.pk})
    assert "deltar allerede" in response.content.decode()
    assert JoinRequest.objects.count() == 1


def test_a_declined_request_is_answered_once(world, initiative):
    join = services.join_request_create(initiative=initiative, user=world.fou_trondheim, organisation=world.trondheim)
    services.join_request_decide(join_request=join, user=world.koordinator_bergen, accept=False, note="Ikke nå")
    with pytest.raises(ValidationError):
        services.join_request_decide(join_request=join, user=world.koordinator_bergen, accept=True)
    assert not Participation.objects.filter(organisation=world.trondheim).exists()


@pytest.mark.parametrize("persona", ["utenforstaende_tromso", "leverandor"])
def test_outsider_and_supplier_cannot_ask_to_join(world, client, initiative, persona):
    client.force_login(getattr(world, persona))
    response = client.post(reverse("procurement:join", args=[initiative.pk]), {"organisation": world.tromso.pk})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.join_request_create(initiative=initiative, user=getattr(world, persona), organisation=world.tromso)
    assert JoinRequest.objects.count() == 0


def test_unpublished_initiative_is_hidden_from_the_public_and_suppliers(world, client):
    draft = services.initiative_create(user=world.koordinator_bergen, lead=world.bergen, data={"title": "Utkast", "description": "x"})
    assert client.get(reverse("procurement:detail", args=[draft.pk])).status_code == 404
    client.force_login(world.leverandor)
    assert client.get(reverse("procurement:detail", args=[draft.pk])).status_code == 404
    assert "Utkast" not in client.get(reverse("procurement:list")).content.decode()
    client.force_login(world.koordinator_bergen)
    assert client.get(reverse("procurement:detail", args=[draft.pk])).status_code == 200


def test_pages_render_for_the_public(world, client, in_dialogue):
    assert client.get(reverse("procurement:list")).status_code == 200
    response = client.get(reverse("procurement:detail", args=[in_dialogue.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Digitalt tilsyn om natten" in body and "LUP" in body
    assert client.get(reverse("procurement:list") + "?fase=markedsdialog").status_code == 200


def test_participant_adds_a_document_and_dates(world, client, initiative):
    client.force_login(world.fou_askoy)
    response = client.post(reverse("procurement:document_add", args=[initiative.pk]),
                           {"phase": "behovsavklaring", "title": "Behovsbeskrivelse", "url": "https://example.no/a.pdf"})
    assert response.status_code == 302
    response = client.post(reverse("procurement:document_add", args=[initiative.pk]),
                           {"phase": "behovsavklaring", "title": "Farlig", "url": "javascript:alert(1)"})
    assert response.status_code == 400
    assert Document.objects.count() == 1
    response = client.post(reverse("procurement:edit", args=[initiative.pk]),
                           {"save_plans": "1", "start_markedsdialog": "2026-03-01", "end_markedsdialog": "2026-02-01"})
    assert "sluttdatoen er før startdatoen" in response.content.decode()
    assert not initiative.phase_plans.exists()


def test_initiatives_by_phase_counts_published_initiatives(world, in_dialogue):
    services.initiative_create(user=world.koordinator_bergen, lead=world.bergen, data={"title": "Utkast", "description": "x"})
    counts = selectors.initiatives_by_phase()
    assert counts["markedsdialog"] == 1
    assert counts["behovsavklaring"] == 0
    assert list(counts) == ["behovsavklaring", "markedsdialog", "konkurranse", "kontrakt", "utproving", "skalering"]


def test_the_municipality_page_lists_its_joint_procurements(world, client, initiative):
    response = client.get(reverse("organisations:detail", args=[world.askoy.municipality_number]))
    assert response.status_code == 200
    assert "Digitalt tilsyn om natten" in response.content.decode()
