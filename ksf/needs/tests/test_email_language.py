"""Status e-mails are written in each recipient's language: their own choice, else their
municipality's målform, else bokmål — whatever language the person who acted was using."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from ksf.needs import services
from ksf.needs.workflow import Status

from .helpers import register

pytestmark = pytest.mark.django_db


def _mail_to(address: str) -> mail.EmailMessage:
    [message] = [m for m in mail.outbox if m.to == [address]]
    return message


@pytest.fixture
def followed_need(world):
    need = register(world)
    world.fou_askoy.language = "nn"
    world.fou_askoy.save(update_fields=["language"])
    world.fou_trondheim.language = "en"
    world.fou_trondheim.save(update_fields=["language"])
    for user in (world.fou_askoy, world.fou_trondheim, world.helsesykepleier_oygarden, world.koordinator_bergen):
        services.need_follow(need=need, user=user)
    return need


def test_each_follower_gets_the_status_email_in_their_own_language(world, followed_need, django_capture_on_commit_callbacks):
    need = followed_need
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        # The submitter acts with an English page open; that must not decide anyone's e-mail.
        services.need_transition(need=need, user=world.sykepleier_askoy, to=Status.WITHDRAWN)
    assert len(mail.outbox) == 5 and all(len(m.to) == 1 for m in mail.outbox)

    nynorsk = _mail_to("fou.askoy@example.no")  # chose nynorsk
    assert nynorsk.subject == f"[{need.public_id}] Ny status: Trekt tilbake"
    assert "Sjå heile historikken:" in nynorsk.body and "du følgjer behovet" in nynorsk.body

    english = _mail_to("fou.trondheim@example.no")  # chose English
    assert english.subject == f"[{need.public_id}] New status: Withdrawn"
    assert f"The need “{need.title}” ({need.public_id}) has a new status: Withdrawn." in english.body
    assert "See the full history:" in english.body and "Behovet" not in english.body

    malform = _mail_to("helsesykepleier.oygarden@example.no")  # no choice; Øygarden writes nynorsk
    assert malform.subject == nynorsk.subject

    for address in ("sykepleier.askoy@example.no", "koordinator.bergen@example.no"):  # no choice: bokmål
        bokmal = _mail_to(address)
        assert bokmal.subject == f"[{need.public_id}] Ny status: Trukket tilbake"
        assert bokmal.body.startswith(f"Behovet «{need.title}» ({need.public_id}) har fått ny status: Trukket tilbake.\n\n")
        assert bokmal.body.endswith("Du får denne e-posten fordi du følger behovet eller meldte det inn.")


def test_the_merge_notice_is_translated_too(world, followed_need, django_capture_on_commit_callbacks):
    survivor = register(world, title="Det andre behovet", submit=True)
    need = services.need_transition(need=followed_need, user=world.sykepleier_askoy, to=Status.SUBMITTED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.need_transition(need=need, user=world.koordinator_bergen, to=Status.MERGED, target=survivor)
    assert f"It has been merged with {survivor.public_id} “Det andre behovet”, which you now follow:" in _mail_to(
        "fou.trondheim@example.no").body
    assert f"Det er slått saman med {survivor.public_id}" in _mail_to("fou.askoy@example.no").body
    assert f"Det er slått sammen med {survivor.public_id}" in _mail_to("sykepleier.askoy@example.no").body
