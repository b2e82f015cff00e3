"""Pages: public list with filters and exports, detail, registration, queues, feeds, sections — and outsiders."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ksf.needs import services
from ksf.needs.models import Need, NeedStatusChange
from ksf.needs.workflow import Status

from .helpers import due, register, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def needs(world):
    published = walk(world, Status.CLUSTER_REVIEW, title="Fall hos hjemmeboende eldre")
    answered = walk(world, Status.EVIDENCE_CHECK, title="Underernæring på sykehjem", service_area="sykehjem",
                    question="Hvordan oppdager vi underernæring hos beboere?")
    answered = services.need_transition(need=answered, user=world.forsker_fhi, to=Status.ANSWERED,
                                        answer="Kartlegg ernæring ved innkomst og hver måned.")
    submitted = walk(world, Status.SUBMITTED, title="Innsendt ikke publisert")
    draft = register(world, title="Hemmelig utkast")
    return {"published": published, "answered": answered, "submitted": submitted, "draft": draft}


def test_the_public_list_shows_published_needs_only(client, needs):
    response = client.get(reverse("needs:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Fall hos hjemmeboende eldre" in body and "Underernæring på sykehjem" in body
    assert "Innsendt ikke publisert" not in body and "Hemmelig utkast" not in body
    assert 'type="application/atom+xml"' in body


def test_the_list_filters_by_status_service_area_region_cluster_municipality_year_kind_and_text(client, needs, world):
    def titles(**params):
        return {n.title for n in client.get(reverse("needs:list"), params).context["needs"]}

    assert titles(status="answered") == {"Underernæring på sykehjem"}
    assert titles(service_area="sykehjem") == {"Underernæring på sykehjem"}
    assert titles(region="nord") == set()
    assert len(titles(region="vest", cluster="bergensklyngen", municipality="4627")) == 2
    assert titles(q="fall eldre") == {"Fall hos hjemmeboende eldre"}
    assert titles(q="underernæring") == {"Underernæring på sykehjem"}
    assert titles(kind="innovation") == set()
    assert len(titles(year=str(needs["published"].created_at.year))) == 2
    assert client.get(reverse("needs:list"), {"year": "tull", "status": "<script>"}).status_code == 200


def test_the_list_answers_htmx_with_the_results_only(client, needs):
    response = client.get(reverse("needs:list"), {"q": "fall"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.startswith('<div id="need-results"') and "<html" not in body


def test_the_list_page_has_no_n_plus_one(client, world, needs, django_assert_max_num_queries):
    for i in range(8):
        need = walk(world, Status.CLUSTER_REVIEW, title=f"Behov {i}")
        services.need_endorse(need=need, user=world.helsesykepleier_oygarden)
    with django_assert_max_num_queries(12):
        client.get(reverse("needs:list"))


def test_csv_and_xlsx_exports_contain_the_filtered_rows(client, needs):
    response = client.get(reverse("needs:export_csv"), {"status": "answered"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Behovsnummer" and len(rows) == 2
    assert rows[1][0] == needs["answered"].public_id and rows[1][1] == "Underernæring på sykehjem"
    response = client.get(reverse("needs:export_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    ids = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert ids == {needs["published"].public_id, needs["answered"].public_id}


def test_exports_neutralise_spreadsheet_formulas(client, world):
    walk(world, Status.CLUSTER_REVIEW, title="=HYPERLINK(\"http://x\")")
    rows = list(csv.reader(io.StringIO(client.get(reverse("needs:export_csv")).content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][1].startswith("'=")


def test_the_detail_page_shows_pico_support_timeline_and_answer_without_names(client, needs, world):
    need = needs["answered"]
    services.need_endorse(need=need, user=world.helsesykepleier_oygarden)
    body = client.get(reverse("needs:detail", args=[need.public_id])).content.decode()
    assert "Kartlegg ernæring ved innkomst" in body
    assert "Bestill kunnskapssjekk" not in body  # no actions for the public
    assert "Tildelt Folkehelseinstituttet (FHI)" in body  # timeline reason
    assert "Bergensklyngen" in body and "Klyngen" in body
    assert "2 kommuner" in body
    for private in ("sykepleier.askoy", "Siri Sykepleier", "@example.no", "Frida Forsker", "Avklaring (ikke offentlig)"):
        assert private not in body


def test_people_with_a_level_see_the_allowed_transitions_as_forms(client, world, needs):
    client.force_login(world.koordinator_bergen)
    body = client.get(reverse("needs:detail", args=[needs["submitted"].public_id])).content.decode()
    for label in ("Ta til vurdering (publiser)", "Be om avklaring", "Avvis", "Slå sammen med et annet behov"):
        assert label in body
    assert "Avklaring (ikke offentlig)" in body


def test_a_coordinator_moves_a_need_through_the_page_and_errors_come_back_in_norwegian(client, world, needs):
    client.force_login(world.koordinator_bergen)
    url = reverse("needs:transition", args=[needs["submitted"].public_id])
    response = client.post(url, {"to": "rejected", "t-rejected-to": "rejected", "t-rejected-reason": ""})
    assert response.status_code == 400
    assert "Skriv en begrunnelse." in response.content.decode()
    response = client.post(url, {"to": "cluster_review", "t-cluster_review-to": "cluster_review"})
    assert response.status_code == 302
    assert Need.objects.get(pk=needs["submitted"].pk).status == Status.CLUSTER_REVIEW
    response = client.post(url, {"to": "answered", "t-answered-to": "answered", "t-answered-answer": "x"})
    assert response.status_code == 400 and "kan ikke gå fra" in response.content.decode()


def test_a_region_orders_an_evidence_check_through_the_page(client, world):
    need = walk(world, Status.FORWARDED)
    client.force_login(world.regionkoordinator_vest)
    response = client.post(reverse("needs:transition", args=[need.public_id]), {
        "to": "evidence_check", "t-evidence_check-to": "evidence_check",
        "t-evidence_check-partner": world.fhi.pk, "t-evidence_check-due": due().isoformat(),
    })
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == Status.EVIDENCE_CHECK and need.assigned_partner == world.fhi


def test_a_stale_page_gets_a_conflict_message_and_nothing_changes(client, world, needs):
    need = needs["submitted"]
    client.force_login(world.koordinator_bergen)
    stale = Need.objects.get(pk=need.pk)
    services.need_transition(need=need, user=world.nasjonal_ks, to=Status.MERGED, target=needs["published"])
    from unittest import mock

    with mock.patch("ksf.needs.access.get_need_for_user", return_value=stale):
        response = client.post(reverse("needs:transition", args=[need.public_id]),
                               {"to": "rejected", "t-rejected-to": "rejected", "t-rejected-reason": "Dobbelt"}, follow=True)
    assert "endret av noen andre samtidig" in response.content.decode()
    assert Need.objects.get(pk=need.pk).status == Status.MERGED
    assert NeedStatusChange.objects.filter(need=need, to_status=Status.REJECTED).count() == 0


def test_registration_form_saves_a_draft_or_submits(client, world):
    client.force_login(world.sykepleier_askoy)
    response = client.get(reverse("needs:create"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="similar-needs"' in body
    data = {"kind": "knowledge", "title": "Leggsår", "question": "Hva virker?", "service_area": "hjemmetjenester", "urgency": "medium"}
    response = client.post(reverse("needs:create"), {**data, "action": "draft"})
    assert response.status_code == 302
    draft = Need.objects.get(title="Leggsår")
    assert draft.status == Status.DRAFT
    response = client.post(reverse("needs:create"), {**data, "title": "Leggsår 2", "action": "submit"})
    assert Need.objects.get(title="Leggsår 2").status == Status.SUBMITTED
    response = client.post(reverse("needs:create"), {**data, "title": "", "service_area": "romfart", "action": "submit"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Skriv en tittel." in body and "Velg et av alternativene" in body
    response = client.post(reverse("needs:edit", args=[draft.public_id]), {**data, "title": "Leggsår hos eldre", "action": "submit"})
    draft.refresh_from_db()
    assert draft.title == "Leggsår hos eldre" and draft.status == Status.SUBMITTED


def test_similar_needs_hook_is_only_wired_when_the_search_endpoint_exists(client, world, monkeypatch):
    from ksf.needs import views

    client.force_login(world.sykepleier_askoy)
    monkeypatch.setattr(views, "_similar_needs_url", lambda: "/sok/lignende/")
    assert 'hx-get="/sok/lignende/"' in client.get(reverse("needs:create")).content.decode()


def test_my_needs_shows_own_drafts_and_the_municipalitys_needs(client, world, needs):
    client.force_login(world.fou_askoy)
    body = client.get(reverse("needs:mine")).content.decode()
    assert "Innsendt ikke publisert" in body
    client.force_login(world.sykepleier_askoy)
    assert "Hemmelig utkast" in client.get(reverse("needs:mine")).content.decode()


@pytest.mark.parametrize("queue,user,expected", [
    ("queue_cluster", "koordinator_bergen", "Innsendt ikke publisert"),
    ("queue_region", "regionkoordinator_vest", "Underernæring på sykehjem"),
    ("queue_national", "nasjonal_ks", "Underernæring på sykehjem"),
    ("queue_partner", "forsker_fhi", "Underernæring på sykehjem"),
])
def test_work_queues_show_what_waits_for_each_level(client, world, needs, queue, user, expected):
    if queue == "queue_region":
        walk(world, Status.FORWARDED, title="Videresendt til regionen")
        expected = "Videresendt til regionen"
    if queue == "queue_national":
        walk(world, Status.NATIONAL, title="Nasjonalt behov")
        expected = "Nasjonalt behov"
    client.force_login(getattr(world, user))
    response = client.get(reverse(f"needs:{queue}"))
    assert response.status_code == 200 and expected in response.content.decode()


@pytest.mark.parametrize("queue", ["queue_cluster", "queue_region", "queue_national", "queue_partner"])
def test_an_outsider_cannot_open_the_work_queues(client, world, queue):
    client.force_login(world.utenforstaende_tromso)
    assert client.get(reverse(f"needs:{queue}")).status_code == 403


def test_an_outsider_cannot_see_drafts_or_unpublished_needs_or_act(client, world, needs):
    for user in (None, world.utenforstaende_tromso, world.leverandor):
        client.logout()
        if user:
            client.force_login(user)
        for key in ("draft", "submitted"):
            public_id = needs[key].public_id
            assert client.get(reverse("needs:detail", args=[public_id])).status_code == 404
            assert client.get(reverse("needs:edit", args=[public_id])).status_code in (302, 404)
            response = client.post(reverse("needs:transition", args=[public_id]), {"to": "withdrawn", "reason": "x"})
            assert response.status_code in (302, 404)
        public_id = needs["published"].public_id
        response = client.post(reverse("needs:transition", args=[public_id]), {"to": "forwarded"})
        assert response.status_code in (302, 403)
        response = client.post(reverse("needs:comment", args=[public_id]), {"text": "Hei"})
        assert response.status_code in (302, 403)
    assert Need.objects.get(pk=needs["published"].pk).status == Status.CLUSTER_REVIEW
    assert Need.objects.get(pk=needs["draft"].pk).status == Status.DRAFT
    assert not needs["published"].comments.exists()


def test_a_colleague_in_the_same_municipality_cannot_see_someone_elses_draft(client, world, needs):
    client.force_login(world.helsesykepleier_oygarden)
    assert client.get(reverse("needs:detail", args=[needs["draft"].public_id])).status_code == 404
    client.force_login(world.koordinator_bergen)
    assert client.get(reverse("needs:detail", args=[needs["draft"].public_id])).status_code == 404
    client.force_login(world.fou_askoy)
    assert client.get(reverse("needs:detail", args=[needs["draft"].public_id])).status_code == 200


def test_endorse_and_follow_buttons_work_with_and_without_htmx(client, world, needs):
    need = needs["published"]
    client.force_login(world.helsesykepleier_oygarden)
    body = client.get(reverse("needs:detail", args=[need.public_id])).content.decode()
    assert "Relevant for oss også" in body
    response = client.post(reverse("needs:endorse", args=[need.public_id]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="support"' in response.content.decode()
    assert "2 kommun" in response.content.decode()  # bokmål "kommuner", nynorsk "kommunar"
    response = client.post(reverse("needs:endorse", args=[need.public_id]))
    assert response.status_code == 302 and need.endorsements.count() == 1
    response = client.post(reverse("needs:follow", args=[need.public_id]), {"follow": "0"}, HTTP_HX_REQUEST="true")
    assert "Følg behovet" in response.content.decode()
    assert not need.follows.filter(user=world.helsesykepleier_oygarden).exists()
    client.logout()
    assert client.post(reverse("needs:endorse", args=[need.public_id])).status_code == 302
    assert need.endorsements.count() == 1


def test_feeds_list_new_and_answered_needs_overall_per_region_and_per_service_area(client, needs):
    body = client.get(reverse("needs:feed_new")).content.decode()
    assert body.startswith("<?xml") and "http://www.w3.org/2005/Atom" in body
    assert needs["published"].public_id in body and needs["submitted"].public_id not in body
    answered = client.get(reverse("needs:feed_answered")).content.decode()
    assert needs["answered"].public_id in answered and needs["published"].public_id not in answered
    assert needs["published"].public_id in client.get(reverse("needs:feed_new_region", args=["vest"])).content.decode()
    assert needs["published"].public_id not in client.get(reverse("needs:feed_new_region", args=["nord"])).content.decode()
    by_area = client.get(reverse("needs:feed_answered_area", args=["sykehjem"])).content.decode()
    assert needs["answered"].public_id in by_area
    assert client.get(reverse("needs:feed_new_area", args=["romfart"])).status_code == 404


def test_front_page_and_municipality_and_cluster_pages_show_needs(client, world, needs):
    services.need_endorse(need=needs["published"], user=world.fou_trondheim)
    home = client.get(reverse("core:home")).content.decode()
    assert "Fall hos hjemmeboende eldre" in home and "Nylig besvart" in home
    askoy = client.get(reverse("organisations:detail", args=["4627"])).content.decode()
    assert "Underernæring på sykehjem" in askoy and "Hemmelig utkast" not in askoy
    trondheim = client.get(reverse("organisations:detail", args=["5001"])).content.decode()
    assert "Fall hos hjemmeboende eldre" in trondheim  # endorsed by Trondheim
    cluster = client.get(reverse("organisations:cluster", args=["bergensklyngen"])).content.decode()
    assert "Fall hos hjemmeboende eldre" in cluster


def test_the_admin_shows_needs_read_mostly_and_refuses_identity_numbers(client, world, needs):
    from .helpers import valid_fnr

    client.force_login(world.admin)
    need = needs["published"]
    assert client.get("/admin/needs/need/").status_code == 200
    url = f"/admin/needs/need/{need.pk}/change/"
    body = client.get(url).content.decode()
    assert 'name="status"' not in body and 'name="title"' in body
    data = {"kind": "knowledge", "title": need.title, "question": f"Gjelder {valid_fnr()}", "service_area": "hjemmetjenester",
            "urgency": "medium", "history-TOTAL_FORMS": "0", "history-INITIAL_FORMS": "0",
            "endorsements-TOTAL_FORMS": "0", "endorsements-INITIAL_FORMS": "0"}
    response = client.post(url, data)
    assert response.status_code == 200 and "fødselsnummer" in response.content.decode()
    assert Need.objects.get(pk=need.pk).question == need.question


def test_my_needs_pages_through_many_own_needs_and_keeps_the_oldest_draft_reachable(client, world):
    from ksf.needs.views import MY_NEEDS_PAGE

    from .helpers import register

    oldest = register(world, title="Det eldste utkastet")
    for i in range(MY_NEEDS_PAGE):
        register(world, title=f"Utkast nummer {i}")
    client.force_login(world.sykepleier_askoy)
    first = client.get(reverse("needs:mine")).content.decode()
    assert "Utkast nummer 0" in first and oldest.title not in first and "Side 1 av 2" in first
    second = client.get(reverse("needs:mine"), {"page": 2}).content.decode()
    assert oldest.title in second and "Side 2 av 2" in second
