"""Suppliers: sign-up with a checked organisation number, interest, questions and published answers."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ksf.accounts.models import Membership, User
from ksf.organisations.models import Organisation
from ksf.procurement import services
from ksf.procurement.models import SupplierInterest, SupplierQuestion

pytestmark = pytest.mark.django_db

SIGNUP = {
    "organisation_name": "Nattlys Teknologi AS", "org_number": "974 760 673", "full_name": "Nina Nattlys",
    "username": "nattlys", "email": "nina@nattlys.no", "password1": "et-langt-passord-2026", "password2": "et-langt-passord-2026",
}


def test_a_supplier_signs_up_and_gets_organisation_user_and_membership(world, client):
    response = client.post(reverse("procurement:supplier_signup"), SIGNUP)
    assert response.status_code == 302
    org = Organisation.objects.get(name="Nattlys Teknologi AS")
    assert (org.kind, org.org_number) == ("supplier", "974760673")
    user = User.objects.get(username="nattlys")
    assert Membership.objects.filter(user=user, organisation=org, role="supplier").exists()
    assert client.get(reverse("accounts:profile")).status_code == 200  # logged in


@pytest.mark.parametrize("orgnr", ["974760674", "12345678", "abcdefghi", "9747606731", ""])
def test_an_invalid_organisation_number_is_refused_and_nothing_is_stored(world, client, orgnr):
    before = (Organisation.objects.count(), User.objects.count(), Membership.objects.count())
    response = client.post(reverse("procurement:supplier_signup"), {**SIGNUP, "org_number": orgnr})
    assert response.status_code == 200
    body = response.content.decode()
    assert "er ikke gyldig" in body or "må fylles ut" in body or "Dette feltet" in body
    assert (Organisation.objects.count(), User.objects.count(), Membership.objects.count()) == before


def test_the_organisation_number_message_explains_the_check_digit(world):
    with pytest.raises(ValidationError) as exc:
        services.supplier_register(organisation_name="X AS", org_number="974760674", username="x1",
                                   email="x@x.no", password="et-langt-passord-2026")
    assert "kontrollsifferet" in exc.value.message_dict["org_number"][0]
    assert not User.objects.filter(username="x1").exists()


def test_a_taken_username_or_registered_organisation_is_refused(world):
    services.supplier_register(organisation_name="A AS", org_number="974760673", username="a1",
                               email="a@a.no", password="et-langt-passord-2026")
    with pytest.raises(ValidationError) as exc:
        services.supplier_register(organisation_name="B AS", org_number="974 760 673", username="leverandor",
                                   email="b@b.no", password="et-langt-passord-2026")
    assert set(exc.value.message_dict) == {"org_number", "username"}
    assert Organisation.objects.filter(kind="supplier", org_number="974760673").count() == 1


def test_supplier_registers_interest_once(world, client, in_dialogue):
    client.force_login(world.leverandor)
    response = client.post(reverse("procurement:interest", args=[in_dialogue.pk]), {"contact_role": "Salgssjef"})
    assert response.status_code == 302
    response = client.post(reverse("procurement:interest", args=[in_dialogue.pk]), {"contact_role": "Igjen"})
    assert response.status_code == 200
    assert "har allerede meldt interesse" in response.content.decode()
    assert SupplierInterest.objects.count() == 1


@pytest.mark.parametrize("persona", ["utenforstaende_tromso", "fou_askoy"])
def test_non_suppliers_cannot_register_interest_or_ask(world, client, in_dialogue, persona):
    client.force_login(getattr(world, persona))
    assert client.post(reverse("procurement:interest", args=[in_dialogue.pk]), {}).status_code == 403
    assert client.post(reverse("procurement:question", args=[in_dialogue.pk]), {"text": "Hei?"}).status_code == 403
    assert SupplierInterest.objects.count() == 0 and SupplierQuestion.objects.count() == 0


def test_anonymous_visitor_is_sent_to_log_in_for_supplier_actions(world, client, in_dialogue):
    response = client.post(reverse("procurement:question", args=[in_dialogue.pk]), {"text": "Hei?"})
    assert response.status_code == 302 and "logg-inn" in response["Location"]
    assert SupplierQuestion.objects.count() == 0


def test_a_question_after_the_dialogue_closed_is_refused(world, client, initiative):
    client.force_login(world.leverandor)
    response = client.post(reverse("procurement:question", args=[initiative.pk]), {"text": "Kan vi spørre nå?"})
    assert response.status_code == 200
    assert "Markedsdialogen er lukket" in response.content.decode()
    assert SupplierQuestion.objects.count() == 0


def test_a_question_after_the_deadline_is_refused(world, in_dialogue):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    in_dialogue = services.initiative_update(
        initiative=in_dialogue, user=world.koordinator_bergen, data={"dialogue_deadline": yesterday}, version=in_dialogue.version
    )
    with pytest.raises(ValidationError) as exc:
        services.question_ask(initiative=in_dialogue, user=world.leverandor, text="For sent?")
    assert "Fristen for spørsmål gikk ut" in str(exc.value)
    assert SupplierQuestion.objects.count() == 0


def test_questions_are_refused_once_the_competition_starts(world, in_dialogue):
    services.question_ask(initiative=in_dialogue, user=world.leverandor, text="Før konkurransen")
    moved = services.initiative_move_phase(initiative=in_dialogue, user=world.koordinator_bergen, to="konkurranse")
    assert not moved.dialogue_open
    with pytest.raises(ValidationError):
        services.question_ask(initiative=moved, user=world.leverandor, text="Etter")
    assert SupplierQuestion.objects.count() == 1


def test_the_dialogue_cannot_be_opened_outside_market_dialogue(world, initiative):
    with pytest.raises(ValidationError) as exc:
        services.initiative_update(initiative=initiative, user=world.koordinator_bergen, data={"dialogue_open": True}, version=initiative.version)
    assert "Markedsdialog" in str(exc.value)


def test_questions_and_answers_are_visible_equally_to_all_suppliers(world, client, in_dialogue, django_capture_on_commit_callbacks):
    other = services.supplier_register(organisation_name="Annen Leverandør AS", org_number="974760673",
                                       username="annen", email="annen@example.no", password="et-langt-passord-2026")
    services.interest_register(initiative=in_dialogue, user=other)
    services.interest_register(initiative=in_dialogue, user=world.leverandor)
    question = services.question_ask(initiative=in_dialogue, user=world.leverandor, text="Må løsningen støtte responssenteret?")
    url = reverse("procurement:detail", args=[in_dialogue.pk])

    client.force_login(other)
    assert "støtte responssenteret" not in client.get(url).content.decode()  # not yet answered
    client.force_login(world.leverandor)
    assert "støtte responssenteret" in client.get(url).content.decode()  # own question

    client.force_login(world.fou_askoy)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("procurement:answer", args=[in_dialogue.pk, question.pk]), {"answer": "Ja, via åpent grensesnitt."})
    question.refresh_from_db()
    assert question.is_answered and question.answered_by_organisation == world.askoy

    recipients = {m.to[0] for m in mail.outbox}
    assert {"leverandor@example.no", "annen@example.no"} <= recipients
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert bodies["leverandor@example.no"] == bodies["annen@example.no"]

    pages = []
    for user in (other, world.leverandor, None):
        if user:
            client.force_login(user)
        else:
            client.logout()
        body = client.get(url).content.decode()
        assert "støtte responssenteret" in body and "via åpent grensesnitt" in body
        pages.append(body)
    assert "Trygghetsteknologi" not in pages[0].split('id="sporsmal"')[1].split("</section>")[0]


@pytest.mark.parametrize("persona", ["utenforstaende_tromso", "leverandor"])
def test_outsider_and_supplier_cannot_answer(world, client, in_dialogue, persona):
    question = services.question_ask(initiative=in_dialogue, user=world.leverandor, text="Spørsmål")
    client.force_login(getattr(world, persona))
    assert client.post(reverse("procurement:answer", args=[in_dialogue.pk, question.pk]), {"answer": "Svar"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.question_answer(question=question, user=getattr(world, persona), answer="Svar")
    question.refresh_from_db()
    assert not question.is_answered


def test_a_question_with_a_national_identity_number_is_refused(world, in_dialogue):
    with pytest.raises(ValidationError) as exc:
        services.question_ask(initiative=in_dialogue, user=world.leverandor, text="Gjelder pasient 01019012345? nei: 15076500565")
    assert "fødselsnummer" in str(exc.value)
    assert SupplierQuestion.objects.count() == 0


def test_supplier_signup_is_rate_limited_per_address(world, client, settings):
    from ksf.procurement import views

    for n in range(views.SIGNUP_LIMIT_PER_HOUR):
        client.post(reverse("procurement:supplier_signup"), {**SIGNUP, "org_number": "1"}, REMOTE_ADDR="10.9.9.9")
    response = client.post(reverse("procurement:supplier_signup"), SIGNUP, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert not User.objects.filter(username="nattlys").exists()
