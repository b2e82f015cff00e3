"""Procurement e-mails are written in each recipient's language (own choice, else målform, else bokmål)."""

import pytest
from django.core import mail
from django.utils import translation

from ksf.procurement import services

pytestmark = pytest.mark.django_db


def _mail_to(address):
    [message] = [m for m in mail.outbox if m.to == [address]]
    return message


def test_phase_change_and_answer_emails_follow_each_recipients_language(world, initiative, django_capture_on_commit_callbacks):
    world.leverandor.language = "en"
    world.leverandor.save(update_fields=["language"])
    world.fou_askoy.language = "nn"
    world.fou_askoy.save(update_fields=["language"])
    services.interest_register(initiative=initiative, user=world.leverandor, contact_role="Salg")
    mail.outbox.clear()
    with translation.override("nn"), django_capture_on_commit_callbacks(execute=True):
        in_dialogue = services.initiative_move_phase(initiative=initiative, user=world.koordinator_bergen, to="markedsdialog")
    english = _mail_to("leverandor@example.no")
    assert english.subject == "[Joint procurement] Digitalt tilsyn om natten: Market dialogue"
    assert english.body.startswith("The procurement “Digitalt tilsyn om natten” has moved from the phase “Needs clarification” to “Market dialogue”.")
    nynorsk = _mail_to("fou.askoy@example.no")
    assert nynorsk.subject == "[Felles anskaffing] Digitalt tilsyn om natten: Marknadsdialog"
    assert "Sjå anskaffinga:" in nynorsk.body
    bokmal = _mail_to("koordinator.bergen@example.no")
    assert bokmal.subject == "[Felles anskaffelse] Digitalt tilsyn om natten: Markedsdialog"
    assert bokmal.body.startswith("Anskaffelsen «Digitalt tilsyn om natten» er flyttet fra fasen «Behovsavklaring» til «Markedsdialog».\n\nSe anskaffelsen: ")

    question = services.question_ask(initiative=in_dialogue, user=world.leverandor, text="Må løsningen støtte responssenteret?")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.question_answer(question=question, user=world.fou_askoy, answer="Ja.")
    english = _mail_to("leverandor@example.no")
    assert english.subject == "[Joint procurement] New answer in the market dialogue: Digitalt tilsyn om natten"
    assert "Question: Må løsningen støtte responssenteret?\n\nAnswer: Ja.\n\nSee all questions and answers:" in english.body
    assert _mail_to("koordinator.bergen@example.no").body.startswith("Et spørsmål i markedsdialogen for «Digitalt tilsyn om natten» er besvart.")
    assert "Sjå alle spørsmål og svar:" in _mail_to("fou.askoy@example.no").body
