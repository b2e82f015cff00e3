"""Background work for joint procurement: e-mail to participants and registered suppliers.

Queued from services with `transaction.on_commit`, so nothing is sent for a change that was
rolled back. Each recipient gets a separate message (suppliers never see each other's address).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse
from django_tasks import task


def _url(initiative_id: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("procurement:detail", args=[initiative_id])


@task()
def notify_phase_change(*, change_id: int) -> int:
    """Tell participants and registered suppliers that the initiative moved to a new phase."""
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
    subject = f"[Felles anskaffelse] {initiative.title}: {phase_label(change.to_phase)}"
    body = (
        f"Anskaffelsen «{initiative.title}» er flyttet fra fasen «{phase_label(change.from_phase)}» "
        f"til «{phase_label(change.to_phase)}».\n"
        + (f"\nBegrunnelse: {change.note}\n" if change.note else "")
        + f"\nSe anskaffelsen: {_url(initiative.pk)}\n\n"
        "Du får denne e-posten fordi virksomheten din deltar i anskaffelsen eller har meldt interesse."
    )
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [r]) for r in sorted(recipients)]
    return send_mass_mail(messages, fail_silently=False)


@task()
def notify_answer_published(*, question_id: int) -> int:
    """Tell participants and every registered supplier (equally) that an answer is published."""
    from .models import SupplierQuestion
    from .selectors import participant_emails, supplier_emails

    question = SupplierQuestion.objects.select_related("initiative").get(pk=question_id)
    initiative = question.initiative
    recipients = participant_emails(initiative) | supplier_emails(initiative)
    if not recipients:
        return 0
    subject = f"[Felles anskaffelse] Nytt svar i markedsdialogen: {initiative.title}"
    body = (
        f"Et spørsmål i markedsdialogen for «{initiative.title}» er besvart. "
        "Spørsmål og svar er publisert likt for alle leverandører.\n\n"
        f"Spørsmål: {question.text}\n\nSvar: {question.answer}\n\n"
        f"Se alle spørsmål og svar: {_url(initiative.pk)}#sporsmal\n"
    )
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [r]) for r in sorted(recipients)]
    return send_mass_mail(messages, fail_silently=False)
