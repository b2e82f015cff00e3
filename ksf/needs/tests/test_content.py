"""Registration and editing: bad input gets a clear Norwegian message and nothing is stored."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ksf.needs import services
from ksf.needs.models import Comment, Endorsement, Need, NeedStatusChange
from ksf.needs.workflow import Status

from .helpers import BASE_DATA, register, valid_fnr, walk

pytestmark = pytest.mark.django_db


def _refused(world, **data):
    with pytest.raises(ValidationError) as exc:
        services.need_create(user=world.sykepleier_askoy, data={**BASE_DATA, **data})
    assert Need.objects.count() == 0
    return exc.value.message_dict


def test_a_reporter_registers_a_draft_for_their_municipality_and_follows_it(world):
    need = register(world, population="Hjemmeboende over 70")
    assert need.status == Status.DRAFT
    assert need.municipality == world.askoy and need.cluster == world.bergensklyngen
    assert need.region_id == world.askoy.region_id
    assert need.follows.filter(user=world.sykepleier_askoy).exists()
    assert not NeedStatusChange.objects.filter(need=need).exists()


def test_submitting_at_registration_writes_the_first_history_row(world):
    need = register(world, submit=True)
    assert need.status == Status.SUBMITTED and need.submitted_at is not None and need.published_at is None


def test_empty_title_and_question_are_refused(world):
    errors = _refused(world, title="   ", question="")
    assert errors["title"] == ["Skriv en tittel."]
    assert errors["question"] == ["Skriv spørsmålet med egne ord."]


def test_missing_fields_are_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.need_create(user=world.sykepleier_askoy, data={"title": "Bare tittel"})
    assert set(exc.value.message_dict) == {"question", "service_area"}
    assert Need.objects.count() == 0


def test_oversized_fields_are_refused_with_the_limit(world):
    errors = _refused(world, title="x" * 201, population="p" * 501)
    assert "maks 200" in errors["title"][0]
    assert "maks 500" in errors["population"][0]


def test_an_unknown_service_area_kind_or_urgency_is_refused(world):
    errors = _refused(world, service_area="romfart", kind="annet", urgency="straks")
    assert "Ukjent tjenesteområde «romfart»" in errors["service_area"][0]
    assert "kind" in errors and "urgency" in errors


def test_a_valid_fodselsnummer_is_refused_naming_the_field_and_nothing_is_stored(world):
    number = valid_fnr()
    errors = _refused(world, question=f"Pasient {number} falt i går, hva gjør vi?")
    assert "«Spørsmålet»" in errors["question"][0] and "fødselsnummer" in errors["question"][0]
    assert set(errors) == {"question"}


def test_a_fodselsnummer_with_a_wrong_control_digit_passes(world):
    number = valid_fnr()
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    need = register(world, question=f"Saksnummer {wrong} gjelder fallrutiner.")
    assert wrong in need.question


def test_a_fodselsnummer_in_a_reason_comment_or_endorsement_is_refused(world):
    number = valid_fnr("010203")
    need = walk(world, Status.SUBMITTED)
    with pytest.raises(ValidationError) as exc:
        services.need_transition(need=need, user=world.koordinator_bergen, to=Status.REJECTED, reason=f"Gjelder {number}")
    assert "«Begrunnelse»" in exc.value.message_dict["reason"][0]
    with pytest.raises(ValidationError) as exc:
        services.comment_add(need=need, user=world.koordinator_bergen, text=f"Se {number}")
    assert "text" in exc.value.message_dict
    need = services.need_transition(need=need, user=world.koordinator_bergen, to=Status.CLUSTER_REVIEW)
    with pytest.raises(ValidationError):
        services.need_endorse(need=need, user=world.helsesykepleier_oygarden, comment=f"Vi har {number}")
    assert not Comment.objects.exists() and not Endorsement.objects.exists()
    assert Need.objects.get(pk=need.pk).status == Status.CLUSTER_REVIEW


def test_html_is_stored_as_text_and_rendered_inert(world, client):
    need = walk(world, Status.CLUSTER_REVIEW, title="<script>alert('x')</script> Fall", question="<b>fet</b> <img src=x onerror=alert(1)>")
    body = client.get(f"/behov/{need.public_id}/").content.decode()
    assert "<script>alert('x')</script>" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Fall" in body
    assert "<img src=x" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body


def test_control_characters_are_removed(world):
    need = register(world, title="Fall\x00 og\x07 fallskader")
    assert need.title == "Fall og fallskader"


def test_only_the_submitter_edits_and_only_while_draft_or_clarification(world):
    need = register(world)
    need = services.need_update(need=need, user=world.sykepleier_askoy, data={"title": "Ny tittel"})
    assert need.title == "Ny tittel"
    contact_edit = services.need_update(need=need, user=world.fou_askoy, data={"target_group": "Eldre"})
    assert contact_edit.target_group == "Eldre"
    for outsider in (world.helsesykepleier_oygarden, world.koordinator_bergen, world.utenforstaende_tromso):
        with pytest.raises(PermissionDenied):
            services.need_update(need=need, user=outsider, data={"title": "Kapret"})
    need = services.need_transition(need=need, user=world.sykepleier_askoy, to=Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.need_update(need=need, user=world.sykepleier_askoy, data={"title": "For sent"})
    assert Need.objects.get(pk=need.pk).title == "Ny tittel"


def test_someone_without_a_municipality_cannot_register(world):
    with pytest.raises(PermissionDenied):
        services.need_create(user=world.koordinator_bergen, data=BASE_DATA)
    with pytest.raises(PermissionDenied):
        services.need_create(user=world.sykepleier_askoy, municipality=world.tromso, data=BASE_DATA)
