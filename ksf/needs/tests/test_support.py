"""Endorsements, follows, merges and e-mail notifications."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from ksf.needs import services
from ksf.needs.models import Endorsement, Follow, Need
from ksf.needs.selectors import combined_population, with_support
from ksf.needs.workflow import Status

from .helpers import register, walk

pytestmark = pytest.mark.django_db


def test_another_municipality_says_relevant_for_us_too_once(world):
    need = walk(world, Status.CLUSTER_REVIEW)
    endorsement = services.need_endorse(need=need, user=world.helsesykepleier_oygarden)
    assert endorsement.municipality == world.oygarden
    assert need.follows.filter(user=world.helsesykepleier_oygarden).exists()
    with pytest.raises(ValidationError) as exc:
        services.need_endorse(need=need, user=world.helsesykepleier_oygarden)
    assert "har allerede sagt" in exc.value.message_dict["municipality"][0]
    assert Endorsement.objects.filter(need=need).count() == 1


def test_combined_population_is_the_submitter_plus_the_endorsers(world):
    need = walk(world, Status.CLUSTER_REVIEW)
    services.need_endorse(need=need, user=world.helsesykepleier_oygarden)
    services.need_endorse(need=need, user=world.fou_trondheim)
    annotated = with_support(Need.objects.filter(pk=need.pk)).select_related("municipality").get()
    expected = world.askoy.population + world.oygarden.population + world.trondheim.population
    assert annotated.endorsement_count == 2
    assert combined_population(annotated) == expected
    assert combined_population(Need.objects.get(pk=need.pk)) == expected


def test_the_submitting_municipality_cannot_endorse_its_own_need(world):
    need = walk(world, Status.CLUSTER_REVIEW)
    with pytest.raises(ValidationError):
        services.need_endorse(need=need, user=world.fou_askoy)


def test_unpublished_needs_cannot_be_endorsed_and_outsiders_without_municipality_cannot(world):
    need = walk(world, Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.need_endorse(need=need, user=world.helsesykepleier_oygarden)
    published = walk(world, Status.CLUSTER_REVIEW)
    with pytest.raises(ValidationError):
        services.need_endorse(need=published, user=world.koordinator_bergen)
    assert not Endorsement.objects.exists()


def test_a_merged_need_carries_endorsements_and_followers_and_points_to_the_survivor(world, django_capture_on_commit_callbacks):
    survivor = walk(world, Status.CLUSTER_REVIEW, title="Fall hos hjemmeboende")
    duplicate = services.need_create(
        user=world.helsesykepleier_oygarden, data={"title": "Fall i heimen", "question": "Kva verkar?", "service_area": "hjemmetjenester"},
        submit=True,
    )
    duplicate = services.need_transition(need=duplicate, user=world.koordinator_bergen, to=Status.CLUSTER_REVIEW)
    services.need_endorse(need=duplicate, user=world.fou_trondheim)
    services.need_follow(need=duplicate, user=world.regionkoordinator_vest)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        merged = services.need_transition(need=duplicate, user=world.koordinator_bergen, to=Status.MERGED, target=survivor)
    assert merged.status == Status.MERGED and merged.merged_into == survivor
    endorsers = set(Endorsement.objects.filter(need=survivor).values_list("municipality__name", flat=True))
    assert endorsers == {"Trondheim", "Øygarden"}
    followers = set(Follow.objects.filter(need=survivor).values_list("user__username", flat=True))
    assert {"fou.trondheim", "regionkoordinator.vest", "sykepleier.askoy"} <= followers
    # The submitter of the merged need is told.
    recipients = {r for m in mail.outbox for r in m.to}
    assert {"helsesykepleier.oygarden@example.no", "fou.trondheim@example.no", "regionkoordinator.vest@example.no"} <= recipients
    assert all(survivor.public_id in m.body and merged.public_id in m.subject for m in mail.outbox)
    with pytest.raises(ValidationError) as exc:
        services.need_endorse(need=merged, user=world.fou_trondheim)
    assert survivor.public_id in exc.value.message_dict["municipality"][0]


def test_followers_and_the_submitter_get_an_email_on_every_status_change(world, django_capture_on_commit_callbacks):
    need = register(world)
    services.need_follow(need=need, user=world.fou_askoy)
    with django_capture_on_commit_callbacks(execute=True):
        need = services.need_transition(need=need, user=world.sykepleier_askoy, to=Status.SUBMITTED)
    assert sorted(r for m in mail.outbox for r in m.to) == ["fou.askoy@example.no", "sykepleier.askoy@example.no"]
    assert all(need.public_id in m.subject and "Sendt inn" in m.subject for m in mail.outbox)
    assert f"/behov/{need.public_id}/" in mail.outbox[0].body
    mail.outbox.clear()
    services.need_follow(need=need, user=world.fou_askoy, follow=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.need_transition(need=need, user=world.koordinator_bergen, to=Status.CLUSTER_REVIEW)
    assert [r for m in mail.outbox for r in m.to] == ["sykepleier.askoy@example.no"]


def test_following_needs_a_log_in(world):
    from django.contrib.auth.models import AnonymousUser

    need = walk(world, Status.CLUSTER_REVIEW)
    with pytest.raises(PermissionDenied):
        services.need_follow(need=need, user=AnonymousUser())


def test_comments_are_for_people_with_a_level_on_the_need(world):
    need = walk(world, Status.SUBMITTED)
    comment = services.comment_add(need=need, user=world.koordinator_bergen, text="Kan dere presisere målgruppen?")
    assert comment.author_organisation == world.bergensklyngen
    for user in (world.utenforstaende_tromso, world.helsesykepleier_oygarden, world.leverandor):
        with pytest.raises(PermissionDenied):
            services.comment_add(need=need, user=user, text="Hei")
    with pytest.raises(ValidationError):
        services.comment_add(need=need, user=world.sykepleier_askoy, text="   ")
    with pytest.raises(ValidationError):
        services.comment_add(need=need, user=world.sykepleier_askoy, text="x" * 4001)
