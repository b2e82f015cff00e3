"""Background work for needs: e-mail to followers and the submitter on every status change."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task


@task()
def notify_status_change(*, need_id: int, status: str, extra_user_ids: list[int] | None = None) -> int:
    """Send one e-mail per follower (and the submitter), each in the recipient's language.
    Idempotent enough: a retry resends at most.

    `extra_user_ids`: people to tell besides the current followers (the followers of a merged need
    have moved to the surviving need by the time this runs).
    """
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from ksf.accounts.languages import recipients_by_language

    from .models import Need
    from .workflow import Status

    need = Need.objects.select_related("created_by", "merged_into").get(pk=need_id)
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    recipients = list(users.filter(Q(follows__need=need) | Q(pk__in=extra_user_ids or [])).distinct())
    if need.created_by and need.created_by.is_active and need.created_by.email:
        recipients.append(need.created_by)
    if not recipients:
        return 0
    site = settings.SITE_URL.rstrip("/")
    url = site + reverse("needs:detail", args=[need.public_id])
    messages: list[tuple[str, str, str, list[str]]] = []
    for language, addresses in recipients_by_language(recipients).items():
        with translation.override(language):
            label = str(Status(status).label)
            subject = _("[%(id)s] Ny status: %(status)s") % {"id": need.public_id, "status": label}
            body = _("Behovet «%(title)s» (%(id)s) har fått ny status: %(status)s.") % {
                "title": need.title, "id": need.public_id, "status": label} + "\n\n"
            if status == Status.MERGED and need.merged_into:
                survivor_url = site + reverse("needs:detail", args=[need.merged_into.public_id])
                body += _("Det er slått sammen med %(id)s «%(title)s», som du nå følger: %(url)s") % {
                    "id": need.merged_into.public_id, "title": need.merged_into.title, "url": survivor_url} + "\n\n"
            body += _("Se hele historikken: %(url)s") % {"url": url} + "\n\n"
            body += _("Du får denne e-posten fordi du følger behovet eller meldte det inn.")
        messages.extend((subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses)
    messages.sort(key=lambda message: message[3][0])
    return send_mass_mail(messages, fail_silently=False)
