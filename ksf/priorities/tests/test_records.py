"""Municipal decision records: only the municipality's contacts write them; published ones are public."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ksf.priorities import services
from ksf.priorities.models import DecisionRecord, MunicipalDecision
from ksf.priorities.selectors import adopted_by

from .helpers import answered_need, due, forwarded_need, valid_fnr

DATA = {
    "measure_title": "Fallsensor i trygghetsalarmen",
    "nytte_rating": 4, "nytte_text": "Kortere tid på gulvet.",
    "ressurs_rating": "2", "ressurs_text": "Lav merkostnad.",
    "alvorlighet_rating": 4, "alvorlighet_text": "Fall gir brudd.",
    "children_text": "Ingen.", "plan_text": "Kommuneplanen: trygge hjem.",
    "decision": MunicipalDecision.ADOPT, "follow_up_date": None,
}


def _record(world, need=None, **data):
    return services.record_create(user=world.fou_askoy, need=need or answered_need(world), municipality=world.askoy,
                                  data={**DATA, "follow_up_date": due(180), **data})


@pytest.mark.django_db
def test_the_municipal_contact_records_a_decision_on_an_answered_need(world):
    record = _record(world)
    assert record.ressurs_rating == 2 and record.decision == MunicipalDecision.ADOPT
    assert not record.published and record.version == 1


@pytest.mark.django_db
def test_decision_records_are_only_for_answered_needs(world):
    need = forwarded_need(world)
    with pytest.raises(ValidationError, match="besvarte behov"):
        _record(world, need=need)
    assert not DecisionRecord.objects.exists()


@pytest.mark.django_db
def test_only_the_municipalitys_own_contacts_create_its_records(world):
    need = answered_need(world)
    for user in (world.sykepleier_askoy, world.fou_trondheim, world.utenforstaende_tromso, world.regionkoordinator_vest):
        with pytest.raises(PermissionDenied):
            services.record_create(user=user, need=need, municipality=world.askoy, data={**DATA, "follow_up_date": due()})
    assert not DecisionRecord.objects.exists()


@pytest.mark.django_db
def test_outsider_cannot_edit_or_publish_a_decision_record(world, client):
    record = _record(world)
    for user in (world.utenforstaende_tromso, world.fou_trondheim):
        with pytest.raises(PermissionDenied):
            services.record_update(record=record, user=user, data={"measure_title": "Kapret"})
        with pytest.raises(PermissionDenied):
            services.record_publish(record=record, user=user)
    client.force_login(world.fou_trondheim)
    assert client.post(reverse("priorities:record_publish", args=[record.pk])).status_code == 404  # not published: not visible
    services.record_publish(record=record, user=world.fou_askoy)
    response = client.post(reverse("priorities:record_edit", args=[record.pk]), {"measure_title": "Kapret"})
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.measure_title == "Fallsensor i trygghetsalarmen" and record.published


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"nytte_rating": 6}, "nytte_rating"),
        ({"alvorlighet_rating": "høy"}, "alvorlighet_rating"),
        ({"decision": "kanskje"}, "decision"),
        ({"measure_title": ""}, "measure_title"),
        ({"follow_up_date": None}, "follow_up_date"),
        ({"equity_text": f"Pasient {valid_fnr()} fikk ikke tilbud"}, "equity_text"),
    ],
)
def test_bad_input_on_a_record_is_refused_with_a_message_and_nothing_changes(world, data, field):
    record = _record(world)
    with pytest.raises(ValidationError) as exc:
        services.record_update(record=record, user=world.fou_askoy, data=data)
    assert field in exc.value.message_dict
    record.refresh_from_db()
    assert record.version == 1 and record.nytte_rating == 4 and record.equity_text == ""


@pytest.mark.django_db
def test_a_stale_edit_is_refused_so_nothing_is_silently_lost(world):
    record = _record(world)
    stale = DecisionRecord.objects.get(pk=record.pk)
    services.record_update(record=record, user=world.fou_askoy, data={"local_text": "Første endring."}, version=1)
    with pytest.raises(ValidationError, match="endret av noen andre"):
        services.record_update(record=stale, user=world.fou_askoy, data={"local_text": "Andre endring."}, version=1)
    record.refresh_from_db()
    assert record.local_text == "Første endring." and record.version == 2


@pytest.mark.django_db
def test_published_adoptions_are_listed_for_the_need(world):
    need = answered_need(world)
    askoy = _record(world, need=need)
    trondheim = services.record_create(user=world.fou_trondheim, need=need, municipality=world.trondheim,
                                       data={**DATA, "decision": MunicipalDecision.NOT_ADOPT})
    assert adopted_by(need) == []
    services.record_publish(record=askoy, user=world.fou_askoy)
    services.record_publish(record=trondheim, user=world.fou_trondheim)
    assert adopted_by(need) == [askoy]  # not adopting is published but is not an adoption


@pytest.mark.django_db
def test_a_published_adoption_shows_on_the_next_anonymous_visit_to_the_need_page(world, client):
    need = answered_need(world)
    url = reverse("needs:detail", args=[need.public_id])
    record = _record(world, need=need)
    assert "Fallsensor i trygghetsalarmen" not in client.get(url).content.decode()  # cached, unpublished
    services.record_publish(record=record, user=world.fou_askoy)
    assert "Askøy: Fallsensor i trygghetsalarmen" in client.get(url).content.decode()
    services.record_update(record=record, user=world.fou_askoy, data={"measure_title": "Fallsensor med varsling"})
    assert "Askøy: Fallsensor med varsling" in client.get(url).content.decode()


@pytest.mark.django_db
def test_publishing_needs_a_decision(world):
    record = _record(world, decision="", follow_up_date=None)
    with pytest.raises(ValidationError, match="beslutningen"):
        services.record_publish(record=record, user=world.fou_askoy)
    record.refresh_from_db()
    assert not record.published


@pytest.mark.django_db
def test_unpublished_records_are_seen_only_by_the_municipality(world, client):
    record = _record(world)
    url = reverse("priorities:record", args=[record.pk])
    assert client.get(url).status_code == 404
    client.force_login(world.utenforstaende_tromso)
    assert client.get(url).status_code == 404
    client.force_login(world.sykepleier_askoy)
    assert client.get(url).status_code == 200
    services.record_publish(record=record, user=world.fou_askoy)
    client.logout()
    body = client.get(url).content.decode()
    assert "Fallsensor i trygghetsalarmen" in body and "Konsekvenser for barn" in body


@pytest.mark.django_db
def test_the_contact_creates_and_edits_a_record_in_the_browser(world, client):
    need = answered_need(world)
    client.force_login(world.fou_askoy)
    form = {"need": need.pk, "municipality": world.askoy.pk, "measure_title": "Fallsensor", "nytte_rating": "9",
            "decision": "adopt", "follow_up_date": ""}
    response = client.post(reverse("priorities:record_create"), form)
    assert response.status_code == 200
    assert "Velg en verdi fra 1 til 5." in response.content.decode()
    assert not DecisionRecord.objects.exists()
    form.update(nytte_rating="4")
    response = client.post(reverse("priorities:record_create"), form)
    assert "Sett en dato for oppfølging" in response.content.decode()
    form.update(follow_up_date=due(90).isoformat())
    response = client.post(reverse("priorities:record_create"), form)
    record = DecisionRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("priorities:record", args=[record.pk])
    response = client.post(reverse("priorities:record_edit", args=[record.pk]),
                           {**form, "measure_title": "Fallsensor for alle over 80", "version": record.version})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.measure_title == "Fallsensor for alle over 80" and record.version == 2
