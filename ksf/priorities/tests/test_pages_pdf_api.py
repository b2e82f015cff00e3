"""Pages, the PDFs and the API: a round run end to end in the browser; only published things are public."""

import pytest
from django.urls import reverse

from ksf.needs.models import Need
from ksf.needs.workflow import Status
from ksf.priorities import services
from ksf.priorities.models import ConflictDeclaration, DecisionRecord, MunicipalDecision, Round, RoundStatus, Score

from .helpers import answered_need, criteria, due, forwarded_need, score, vest_round


@pytest.mark.django_db
def test_a_round_is_run_end_to_end_in_the_browser(world, client):
    need = forwarded_need(world)
    client.force_login(world.regionkoordinator_vest)
    response = client.post(reverse("priorities:create"), {
        "level": "regional", "region": world.rso_vest.region.pk, "title": "Møte i RSO Vest", "meeting_date": "2026-03-12"})
    round_ = Round.objects.get()
    assert response.status_code == 302 and round_.candidates.filter(need=need).exists()
    for user in (world.regionkoordinator_vest, world.forsker_fhi):
        client.post(reverse("priorities:invite", args=[round_.pk]), {"user": user.pk})
    client.post(reverse("priorities:status", args=[round_.pk]), {"to": "open"})
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN and round_.participants.count() == 2

    client.force_login(world.forsker_fhi)
    url = reverse("priorities:score", args=[round_.pk])
    assert "Vurder habilitet" in client.get(url).content.decode()
    prefix = f"d{need.pk}"
    client.post(url, {"need": need.public_id, "form": "declaration", f"{prefix}-conflicted": "no"})
    keys = criteria(round_)
    response = client.post(url, {"need": need.public_id, "form": "scores", f"s{need.pk}-criterion_{keys['nytte']}": "7"})
    assert "Velg et poeng fra 1 til 5." in response.content.decode()
    assert not Score.objects.exists()
    client.post(url, {"need": need.public_id, "form": "scores", f"s{need.pk}-criterion_{keys['nytte']}": "4",
                      f"s{need.pk}-criterion_{keys['alvorlighet']}": "5"})
    assert Score.objects.count() == 2 and ConflictDeclaration.objects.count() == 1

    client.force_login(world.regionkoordinator_vest)
    client.post(reverse("priorities:status", args=[round_.pk]), {"to": "scoring"})
    page = client.get(reverse("priorities:detail", args=[round_.pk])).content.decode()
    assert "Fatt vedtak" in page and "Vektet snitt" in page
    response = client.post(reverse("priorities:decide", args=[round_.pk, need.public_id]), {"kind": "evidence_check"})
    assert "Velg en forskningspartner." in response.content.decode()
    assert Need.objects.get(pk=need.pk).status == Status.FORWARDED
    client.post(reverse("priorities:decide", args=[round_.pk, need.public_id]),
                {"kind": "evidence_check", "partner": world.fhi.pk, "due": due().isoformat()})
    assert Need.objects.get(pk=need.pk).status == Status.EVIDENCE_CHECK
    for step in ("closed", "published"):
        client.post(reverse("priorities:status", args=[round_.pk]), {"to": step})
    client.logout()
    minutes = client.get(reverse("priorities:minutes", args=[round_.pk])).content.decode()
    assert "Bestill kunnskapssjekk" in minutes and world.forsker_fhi.display_name in minutes


@pytest.mark.django_db
def test_participant_not_invited_gets_403_on_the_scoring_page(world, client):
    need = forwarded_need(world)
    round_ = vest_round(world, [need])
    client.force_login(world.bibliotekar_uib)
    url = reverse("priorities:score", args=[round_.pk])
    assert client.get(url).status_code in (403, 404)
    response = client.post(url, {"need": need.public_id, "form": "declaration", f"d{need.pk}-conflicted": "no"})
    assert response.status_code in (403, 404)
    assert not ConflictDeclaration.objects.exists()


@pytest.mark.django_db
def test_unpublished_rounds_are_hidden_from_the_public_and_outsiders(world, client):
    need = forwarded_need(world)
    round_ = vest_round(world, [need])
    for name in ("priorities:detail", "priorities:minutes", "priorities:minutes_pdf"):
        assert client.get(reverse(name, args=[round_.pk])).status_code == 404
    client.force_login(world.utenforstaende_tromso)
    assert client.get(reverse("priorities:detail", args=[round_.pk])).status_code == 404
    client.force_login(world.forsker_fhi)
    assert client.get(reverse("priorities:detail", args=[round_.pk])).status_code == 200


@pytest.mark.django_db
def test_outsider_cannot_run_a_round_through_the_pages(world, client):
    need = forwarded_need(world)
    round_ = vest_round(world, [need], status=RoundStatus.SCORING)
    client.force_login(world.forsker_fhi)  # participant, not coordinator
    assert client.post(reverse("priorities:status", args=[round_.pk]), {"to": "closed"}).status_code == 403
    assert client.post(reverse("priorities:decide", args=[round_.pk, need.public_id]), {"kind": "national"}).status_code == 403
    client.force_login(world.utenforstaende_tromso)
    assert client.get(reverse("priorities:create")).status_code == 403
    round_.refresh_from_db()
    assert round_.status == RoundStatus.SCORING and Need.objects.get(pk=need.pk).status == Status.FORWARDED


@pytest.mark.django_db
def test_minutes_and_decision_memo_are_pdfs(world, client):
    need = forwarded_need(world)
    round_ = vest_round(world, [need], status=RoundStatus.SCORING)
    score(round_, world.forsker_fhi, need, alvorlighet=4, nytte=4)
    services.conflict_declare(round_=round_, user=world.koordinator_bergen, need=need, conflicted=True, note="Egen klynge.")
    for step in (RoundStatus.CLOSED, RoundStatus.PUBLISHED):
        services.round_set_status(round_=round_, user=world.regionkoordinator_vest, to=step)
    response = client.get(reverse("priorities:minutes_pdf", args=[round_.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    record = services.record_create(user=world.fou_askoy, need=answered_need(world), municipality=world.askoy,
                                    data={"measure_title": "Fallsensor", "decision": "trial", "follow_up_date": due()})
    client.force_login(world.fou_askoy)
    response = client.get(reverse("priorities:record_pdf", args=[record.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_api_lists_only_published_rounds_with_ranking_and_decisions(world, client):
    need = forwarded_need(world)
    published = vest_round(world, [need], status=RoundStatus.SCORING, title="Publisert møte")
    score(published, world.forsker_fhi, need, alvorlighet=4, nytte=2)
    services.round_decide(round_=published, user=world.regionkoordinator_vest, need=need, kind="national")
    for step in (RoundStatus.CLOSED, RoundStatus.PUBLISHED):
        services.round_set_status(round_=published, user=world.regionkoordinator_vest, to=step)
    draft = vest_round(world, [forwarded_need(world, "Annet behov")], title="Utkast")
    data = client.get("/api/v1/rounds").json()
    assert data["count"] == 1
    item = data["results"][0]
    assert item["title"] == "Publisert møte" and item["region"] == "vest"
    row = item["ranking"][0]
    assert row["need"]["public_id"] == need.public_id and row["decision"]["kind"] == "national"
    assert row["total"] == pytest.approx(3.0)  # (2·4 + 2·2) / 4 over the scored criteria with values... plus computed
    assert client.get(f"/api/v1/rounds/{published.pk}").status_code == 200
    assert client.get(f"/api/v1/rounds/{draft.pk}").status_code == 404


@pytest.mark.django_db
def test_api_lists_only_published_decision_records(world, client):
    need = answered_need(world)
    data = {"measure_title": "Fallsensor", "decision": MunicipalDecision.ADOPT, "follow_up_date": due(), "nytte_rating": 4}
    public = services.record_create(user=world.fou_askoy, need=need, municipality=world.askoy, data=data)
    services.record_publish(record=public, user=world.fou_askoy)
    hidden = services.record_create(user=world.fou_trondheim, need=need, municipality=world.trondheim, data=data)
    listing = client.get("/api/v1/decisions").json()
    assert [r["id"] for r in listing["results"]] == [public.pk]
    assert listing["results"][0]["nytte"]["rating"] == 4 and listing["results"][0]["municipality_number"] == "4627"
    assert client.get(f"/api/v1/decisions/{public.pk}").status_code == 200
    assert client.get(f"/api/v1/decisions/{hidden.pk}").status_code == 404
    assert DecisionRecord.objects.count() == 2


@pytest.mark.django_db
def test_the_api_schema_documents_rounds_and_decisions(client, db):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/rounds" in schema and "/api/v1/decisions/{id}" in schema


@pytest.mark.django_db
def test_adopted_by_include_and_municipality_page_show_published_adoptions(world, client):
    from django.template.loader import render_to_string

    from ksf.priorities.selectors import adopted_by_context

    need = answered_need(world)
    record = services.record_create(user=world.fou_askoy, need=need, municipality=world.askoy,
                                    data={"measure_title": "Fallsensor", "decision": "adopt", "follow_up_date": due()})
    assert render_to_string("priorities/includes/adopted_by.html", adopted_by_context(need)).strip() == ""
    services.record_publish(record=record, user=world.fou_askoy)
    html = render_to_string("priorities/includes/adopted_by.html", adopted_by_context(need))
    assert "Tatt i bruk av 1 kommune" in html and "Askøy" in html
    page = client.get(reverse("organisations:detail", args=["4627"])).content.decode()
    assert "Beslutningsgrunnlag" in page and "Fallsensor" in page


@pytest.mark.django_db
def test_list_pages_render_for_everyone(world, client):
    assert client.get(reverse("priorities:list")).status_code == 200
    assert client.get(reverse("priorities:records")).status_code == 200
    client.force_login(world.regionkoordinator_vest)
    page = client.get(reverse("priorities:list")).content.decode()
    assert "Ny prioriteringsrunde" in page
    assert client.get(reverse("priorities:create")).status_code == 200


@pytest.mark.django_db
def test_participants_see_the_results_only_from_the_meeting_on(world, client):
    need = forwarded_need(world)
    round_ = vest_round(world, [need])
    score(round_, world.regionkoordinator_vest, need, nytte=5)
    client.force_login(world.forsker_fhi)
    assert client.get(reverse("priorities:minutes", args=[round_.pk])).status_code == 403
    assert "Vektet snitt" not in client.get(reverse("priorities:detail", args=[round_.pk])).content.decode()
    services.round_set_status(round_=round_, user=world.regionkoordinator_vest, to=RoundStatus.SCORING)
    assert client.get(reverse("priorities:minutes", args=[round_.pk])).status_code == 200
