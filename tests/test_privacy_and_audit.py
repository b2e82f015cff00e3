"""A person can take their data with them and be erased; administrative actions are audited."""

import json

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from ksf.accounts.models import Membership, Role, User
from ksf.accounts.privacy import personal_data_export, user_erase
from ksf.core.models import AuditEvent


def _need_for(world, user):
    from ksf.needs import services

    return services.need_create(
        user=user,
        municipality=world.askoy,
        data={
            "title": "Fallforebygging i hjemmetjenesten",
            "question": "Hvilke tiltak forebygger fall hos hjemmeboende eldre?",
            "service_area": "hjemmetjenester",
        },
        submit=True,
        notify=False,
    )


@pytest.mark.django_db
def test_a_user_downloads_their_personal_data_as_json(client, world):
    client.force_login(world.sykepleier_askoy)
    response = client.get(reverse("accounts:privacy_export"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["username"] == "sykepleier.askoy"
    assert data["memberships"][0]["role"] == Role.REPORTER
    assert "password" not in json.dumps(data)


@pytest.mark.django_db
def test_export_includes_needs_the_user_registered(world):
    need = _need_for(world, world.sykepleier_askoy)
    data = personal_data_export(world.sykepleier_askoy)
    assert need.pk in [row["id"] for row in data["records"]["needs.need"]["created_by"]]


@pytest.mark.django_db
def test_erasure_removes_the_person_and_keeps_the_needs_with_the_municipality(client, world):
    from ksf.needs.models import Need, NeedStatusChange

    need = _need_for(world, world.sykepleier_askoy)
    user = world.sykepleier_askoy
    client.force_login(user)
    response = client.post(reverse("accounts:privacy"), {"password": "wrong", "confirm": "on"})
    assert response.status_code == 200 and User.objects.get(pk=user.pk).is_active  # wrong password: nothing happens
    user.set_password("riktig-passord-123")
    user.save()
    client.force_login(user)
    response = client.post(reverse("accounts:privacy"), {"password": "riktig-passord-123", "confirm": "on"})
    assert response.status_code == 302
    erased = User.objects.get(pk=user.pk)
    assert erased.username == f"slettet-{user.pk}"
    assert (erased.full_name, erased.email, erased.first_name, erased.last_name) == ("", "", "", "")
    assert not erased.is_active and not erased.has_usable_password()
    assert not Membership.objects.filter(user=erased).exists()
    assert client.get(reverse("accounts:profile")).status_code == 302  # logged out
    if True:
        need = Need.objects.get(pk=need.pk)
        assert need.municipality == world.askoy
        assert NeedStatusChange.objects.filter(need=need, actor_organisation=world.askoy).exists()
    event = AuditEvent.objects.get(action="user.erase")
    assert "sykepleier" not in json.dumps([event.old, event.new, event.object_repr, event.actor_label])


@pytest.mark.django_db
def test_erasure_is_idempotent(world):
    user_erase(user=world.leverandor)
    user_erase(user=world.leverandor)
    assert User.objects.get(pk=world.leverandor.pk).username == f"slettet-{world.leverandor.pk}"


@pytest.mark.django_db
def test_an_outsider_cannot_download_anyone_elses_data(client, world):
    client.force_login(world.utenforstaende_tromso)
    data = json.loads(client.get(reverse("accounts:privacy_export")).content)
    assert data["profile"]["username"] == "utenforstaende.tromso"


@pytest.mark.django_db
def test_role_changes_in_admin_are_audited(client, world):
    client.force_login(world.admin)
    membership = Membership.objects.get(user=world.sykepleier_askoy)
    url = reverse("admin:accounts_membership_change", args=[membership.pk])
    response = client.post(url, {"user": membership.user_id, "organisation": membership.organisation_id, "role": Role.MUNICIPAL_CONTACT})
    assert response.status_code == 302, response.content[:2000]
    event = AuditEvent.objects.get(action="membership.change")
    assert event.old["role"] == Role.REPORTER and event.new["role"] == Role.MUNICIPAL_CONTACT
    assert event.actor == world.admin and event.actor_label == "admin"
    response = client.post(reverse("admin:accounts_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="membership.delete", object_id=str(membership.pk)).exists()


@pytest.mark.django_db
def test_admin_deletions_of_other_objects_are_audited(client, world):
    from ksf.organisations.models import Organisation

    client.force_login(world.admin)
    org = Organisation.objects.create(kind="supplier", name="Slettes AS", slug="slettes-as")
    response = client.post(reverse("admin:organisations_organisation_delete", args=[org.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="admin.delete", object_type="organisations.organisation", object_id=str(org.pk)).exists()


@pytest.mark.django_db
def test_audit_log_is_read_only_in_admin(client, world):
    client.force_login(world.admin)
    AuditEvent.objects.create(action="x", object_type="y")
    assert client.get(reverse("admin:core_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    admin_class = site._registry[AuditEvent]
    assert not admin_class.has_delete_permission(None)


@pytest.mark.django_db
def test_a_user_creates_and_revokes_an_api_token(client, world):
    from rest_framework.authtoken.models import Token

    client.force_login(world.forsker_fhi)
    response = client.post(reverse("accounts:api_token"), {"action": "create"})
    token = Token.objects.get(user=world.forsker_fhi)
    assert token.key in response.content.decode()
    api = client.__class__()
    assert api.get("/api/v1/municipalities", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    client.post(reverse("accounts:api_token"), {"action": "revoke"})
    assert not Token.objects.filter(user=world.forsker_fhi).exists()
    assert api.get("/api/v1/municipalities", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 401
    assert AuditEvent.objects.filter(action__startswith="api_token.").count() == 2


@pytest.mark.django_db
def test_merging_needs_is_audited(world):
    from ksf.needs import services
    from ksf.needs.workflow import Status

    def published(user, title):
        need = services.need_create(user=user, data={"title": title, "question": "Hva virker?", "service_area": "hjemmetjenester"}, submit=True, notify=False)
        return services.need_transition(need=need, user=world.koordinator_bergen, to=Status.CLUSTER_REVIEW, notify=False)

    survivor = published(world.sykepleier_askoy, "Fall hos hjemmeboende")
    duplicate = published(world.helsesykepleier_oygarden, "Fall i heimen")
    services.need_transition(need=duplicate, user=world.koordinator_bergen, to=Status.MERGED, target=survivor, notify=False)
    event = AuditEvent.objects.get(action="need.merge")
    assert event.object_id == str(duplicate.pk) and event.new["merged_into"] == survivor.public_id
    assert event.actor == world.koordinator_bergen
