"""Log-in, throttling, password reset by e-mail and the language that follows målform."""

import pytest
from django.core import mail
from django.urls import reverse

from ksf.accounts.access import actor_for
from ksf.core.personas import DEMO_PASSWORD, build_world


@pytest.fixture
def demo_world(reference_data):
    return build_world(password=DEMO_PASSWORD)


@pytest.mark.django_db
def test_persona_logs_in_and_out(client, demo_world):
    response = client.post(reverse("accounts:login"), {"username": "sykepleier.askoy", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:profile")).status_code == 302


@pytest.mark.django_db
def test_wrong_password_gives_a_norwegian_message(client, demo_world):
    response = client.post(reverse("accounts:login"), {"username": "sykepleier.askoy", "password": "feil"})
    assert response.status_code == 200
    assert "Feil brukernavn eller passord" in response.content.decode()


@pytest.mark.django_db
def test_repeated_failed_logins_are_throttled(client, demo_world):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "fou.askoy", "password": "feil"}, REMOTE_ADDR="10.0.0.1")
    response = client.post(reverse("accounts:login"), {"username": "fou.askoy", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "For mange" in response.content.decode()


@pytest.mark.django_db
def test_password_reset_sends_an_email_with_a_working_link(client, demo_world):
    response = client.post(reverse("accounts:password_reset"), {"email": "fou.askoy@example.no"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(line for line in body.splitlines() if "/konto/nytt-passord/" in line)
    path = link.split("testserver", 1)[1].strip()
    response = client.get(path, follow=True)
    assert response.status_code == 200 and response.context["validlink"]


@pytest.mark.django_db
def test_unknown_email_does_not_reveal_whether_an_account_exists(client, demo_world):
    response = client.post(reverse("accounts:password_reset"), {"email": "ingen@example.no"})
    assert response.status_code == 302
    assert len(mail.outbox) == 0


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2id_and_older_argon2_hashes_are_upgraded_at_log_in(client, settings, reference_data):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from ksf import settings as ksf_settings
    from ksf.accounts.models import User

    settings.PASSWORD_HASHERS = ksf_settings.PASSWORD_HASHERS
    user = User.objects.create_user("hilde", password="x-very-long-pass")
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    # A hash made with Django's own (heavier) Argon2 parameters still works, and is re-made.
    user.password = Argon2PasswordHasher().encode("x-very-long-pass", Argon2PasswordHasher().salt())
    user.save()
    assert "m=102400" in user.password
    response = client.post(reverse("accounts:login"), {"username": "hilde", "password": "x-very-long-pass"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.django_db
def test_language_follows_the_municipality_malform_for_nynorsk_users(client, reference_data):
    from ksf.accounts.models import Membership, Role, User
    from ksf.organisations.models import Organisation

    user = User.objects.create_user("hilde", password="x-very-long-pass")
    Membership.objects.create(user=user, organisation=Organisation.objects.get(municipality_number="4626"), role=Role.REPORTER)
    client.force_login(user)
    assert client.get("/").context["LANGUAGE_CODE"] == "nn"
    user.language = "en"
    user.save()
    assert client.get("/").context["LANGUAGE_CODE"] == "en"


@pytest.mark.django_db
def test_anonymous_visitors_get_bokmal_and_can_switch_language(client, reference_data):
    assert client.get("/").context["LANGUAGE_CODE"] == "nb"
    client.post("/i18n/setlang/", {"language": "nn", "next": "/"})
    assert client.get("/").context["LANGUAGE_CODE"] == "nn"


@pytest.mark.django_db
def test_personas_have_the_roles_the_brief_describes(world):
    assert actor_for(world.sykepleier_askoy).municipality_ids == {world.askoy.pk}
    assert actor_for(world.koordinator_bergen).cluster_ids == {world.bergensklyngen.pk}
    assert actor_for(world.regionkoordinator_vest).region_ids == {world.askoy.region_id}
    assert actor_for(world.nasjonal_ks).is_national
    assert actor_for(world.forsker_fhi).partner_org_ids == {world.fhi.pk}
    assert not actor_for(world.utenforstaende_tromso).cluster_ids
