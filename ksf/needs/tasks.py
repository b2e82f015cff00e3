"""Background work for needs: e-mail to followers and the submitter on every status change."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse
from django_tasks import task


@task()
def notify_status_change(*, need_id: int, status: str) -> int:
    """Send one e-mail per follower (and the submitter). Idempotent enough: a retry resends at most."""
    from .models import Follow, Need
    from .workflow import Status

    need = Need.objects.select_related("created_by").get(pk=need_id)
    recipients = set(
        Follow.objects.filter(need=need, user__is_active=True).exclude(user__email="").values_list("user__email", flat=True)
    )
    if need.created_by and need.created_by.email:
        recipients.add(need.created_by.email)
    if not recipients:
        return 0
    url = settings.SITE_URL.rstrip("/") + reverse("needs:detail", args=[need.public_id])
    subject = f"[{need.public_id}] Ny status: {Status(status).label}"
    body = (
        f"Behovet «{need.title}» ({need.public_id}) har fått ny status: {Status(status).label}.\n\n"
        f"Se hele historikken: {url}\n\n"
        "Du får denne e-posten fordi du følger behovet eller meldte det inn."
    )
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [r]) for r in sorted(recipients)]
    return send_mass_mail(messages, fail_silently=False)
