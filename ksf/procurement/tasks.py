"""Background work for joint procurement: e-mail to participants and registered suppliers.

Queued from services with `transaction.on_commit`, so nothing is sent for a change that was
rolled back. Each recipient gets a separate message (suppliers never see each other's address),
written in the recipient's language (ksf.accounts.languages).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task


def _url(initiative_id: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("procurement:detail", args=[initiative_id])


@task()
def notify_phase_change(*, change_id: int) -> int:
    """Tell participants and registered suppliers that the initiative moved to a new phase."""
    from ksf.accounts.languages import email_recipients_by_language

    from .models import PhaseChange
    from .phases import phase_label
    from .selectors import participant_emails, supplier_emails

    change = PhaseChange.objects.select_related("initiative").get(pk=change_id)
    initiative = change.initiative
    recipients = participant_emails(initiative)
    if initiative.is_public:
        recipients |= supplier_emails(initiative)
    if not recipients:
        return 0
    messages: list[tuple[str, str, str, list[str]]] = []
    for language, addresses in email_recipients_by_language(recipients).items():
        with translation.override(language):
            subject = _("[Felles anskaffelse] %(title)s: %(phase)s") % {
                "title": initiative.title, "phase": phase_label(change.to_phase)}
            body = (
                _("Anskaffelsen «%(title)s» er flyttet fra fasen «%(from)s» til «%(to)s».") % {
                    "title": initiative.title, "from": phase_label(change.from_phase), "to": phase_label(change.to_phase)}
                + "\n"
                + ("\n" + _("Begrunnelse: %(note)s") % {"note": change.note} + "\n" if change.note else "")
                + "\n" + _("Se anskaffelsen: %(url)s") % {"url": _url(initiative.pk)} + "\n\n"
                + _("Du får denne e-posten fordi virksomheten din deltar i anskaffelsen eller har meldt interesse.")
            )
        messages.extend((subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses)
    messages.sort(key=lambda message: message[3][0])
    return send_mass_mail(messages, fail_silently=False)


@task()
def notify_answer_published(*, question_id: int) -> int:
    """Tell participants and every registered supplier (equally) that an answer is published."""
    from ksf.accounts.languages import email_recipients_by_language

    from .models import SupplierQuestion
    from .selectors import participant_emails, supplier_emails

    question = SupplierQuestion.objects.select_related("initiative").get(pk=question_id)
    initiative = question.initiative
    recipients = participant_emails(initiative) | supplier_emails(initiative)
    if not recipients:
        return 0
    messages: list[tuple[str, str, str, list[str]]] = []
    for language, addresses in email_recipients_by_language(recipients).items():
        with translation.override(language):
            subject = _("[Felles anskaffelse] Nytt svar i markedsdialogen: %(title)s") % {"title": initiative.title}
            body = (
                _("Et spørsmål i markedsdialogen for «%(title)s» er besvart. "
                  "Spørsmål og svar er publisert likt for alle leverandører.") % {"title": initiative.title}
                + "\n\n" + _("Spørsmål: %(text)s") % {"text": question.text}
                + "\n\n" + _("Svar: %(text)s") % {"text": question.answer}
                + "\n\n" + _("Se alle spørsmål og svar: %(url)s") % {"url": _url(initiative.pk) + "#sporsmal"} + "\n"
            )
        messages.extend((subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses)
    messages.sort(key=lambda message: message[3][0])
    return send_mass_mail(messages, fail_silently=False)
