"""Background work for needs: e-mail to followers and the submitter on every status change."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse
from django_tasks import task


@task()
def notify_status_change(*, need_id: int, status: str, extra_user_ids: list[int] | None = None) -> int:
    """Send one e-mail per follower (and the submitter). Idempotent enough: a retry resends at most.

    `extra_user_ids`: people to tell besides the current followers (the followers of a merged need
    have moved to the surviving need by the time this runs).
    """
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from .models import Need
    from .workflow import Status

    need = Need.objects.select_related("created_by", "merged_into").get(pk=need_id)
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    recipients = set(
        users.filter(Q(follows__need=need) | Q(pk__in=extra_user_ids or [])).values_list("email", flat=True)
    )
    if need.created_by and need.created_by.is_active and need.created_by.email:
        recipients.add(need.created_by.email)
    if not recipients:
        return 0
    site = settings.SITE_URL.rstrip("/")
    url = site + reverse("needs:detail", args=[need.public_id])
    label = Status(status).label
    subject = f"[{need.public_id}] Ny status: {label}"
    body = f"Behovet «{need.title}» ({need.public_id}) har fått ny status: {label}.\n\n"
    if status == Status.MERGED and need.merged_into:
        survivor_url = site + reverse("needs:detail", args=[need.merged_into.public_id])
        body += (
            f"Det er slått sammen med {need.merged_into.public_id} «{need.merged_into.title}», "
            f"som du nå følger: {survivor_url}\n\n"
        )
    body += f"Se hele historikken: {url}\n\nDu får denne e-posten fordi du følger behovet eller meldte det inn."
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [r]) for r in sorted(recipients)]
    return send_mass_mail(messages, fail_silently=False)
