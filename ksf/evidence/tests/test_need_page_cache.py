"""An anonymous visitor's need page is served from the cache, and every change to what the page
shows — the need, its endorsements, its evidence links and the linked records — shows on the next
visit (ksf.needs.selectors.need_version)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ksf.evidence import services
from ksf.evidence.models import Evidence
from ksf.evidence.services import evidence_import_file
from ksf.needs import services as need_services

from .conftest import DEMO_JSON

pytestmark = pytest.mark.django_db


@pytest.fixture
def falls(db):
    evidence_import_file(source=DEMO_JSON)
    return Evidence.objects.get(doi="10.1002/14651858.cd012424.pub2")


def _page(client, need) -> str:
    response = client.get(reverse("needs:detail", args=[need.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_links_to_evidence_and_changes_to_the_linked_record_show_on_the_next_anonymous_visit(client, world, make_need, falls):
    need = make_need()
    assert falls.display_title not in _page(client, need)

    services.evidence_link(need=need, evidence=falls, relation="answers", what_we_know="Trening i grupper virker.", user=world.koordinator_bergen)
    body = _page(client, need)
    assert falls.display_title in body and "Trening i grupper virker." in body

    services.evidence_link(need=need, evidence=falls, relation="answers", what_we_know="Trening hjemme virker også.", user=world.koordinator_bergen)
    assert "Trening hjemme virker også." in _page(client, need)

    falls.title_no = "Trening for å forebygge fall (oppdatert 2025)"
    services.evidence_save(evidence=falls)
    assert "(oppdatert 2025)" in _page(client, need)

    services.evidence_unlink(need=need, evidence=falls, user=world.koordinator_bergen)
    assert "(oppdatert 2025)" not in _page(client, need)


def test_an_endorsement_shows_on_the_next_anonymous_visit_and_the_cached_page_has_no_form(client, world, make_need):
    need = make_need(status="cluster_review")
    first = _page(client, need)
    assert "Øygarden" not in first.split('id="support"')[1].split("</section>")[0]
    need_services.need_endorse(need=need, user=world.helsesykepleier_oygarden)
    support = _page(client, need).split('id="support"')[1].split("</section>")[0]
    assert "Øygarden" in support
    # The cached part is the same for every anonymous visitor: nothing personal, no CSRF token in it.
    body = _page(client, need).split('<main', 1)[1]
    assert "csrfmiddlewaretoken" not in body.split("</main>")[0]


def test_a_logged_in_coordinator_gets_the_page_with_its_forms_not_the_anonymous_copy(client, world, make_need):
    need = make_need()
    _page(client, need)
    client.force_login(world.koordinator_bergen)
    main = _page(client, need).split("<main", 1)[1].split("</main>")[0]
    assert "csrfmiddlewaretoken" in main and "Avklaring (ikke offentlig)" in main
