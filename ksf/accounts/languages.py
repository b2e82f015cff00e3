"""The language each user reads the portal in, also when we write to them (e-mail).

The rule is the one the pages follow (accounts.middleware): the user's own choice; if none, nynorsk
when their home municipality writes nynorsk; otherwise bokmål (settings.LANGUAGE_CODE).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings

from ksf.organisations.models import Malform

from .access import home_memberships
from .models import User


def _supported() -> set[str]:
    return {code for code, _ in settings.LANGUAGES}


def preferred_languages(users: Iterable[Any]) -> dict[int, str]:
    """User id → language code for many users at once (one query for those without a choice)."""
    supported = _supported()
    result: dict[int, str] = {}
    undecided: list[int] = []
    for user in users:
        if user.language in supported:
            result[user.pk] = str(user.language)
        else:
            undecided.append(user.pk)
    if undecided:
        home_malform: dict[int, str] = {}
        rows = home_memberships().filter(user_id__in=undecided).values_list("user_id", "organisation__malform")
        for user_id, malform in rows:
            home_malform.setdefault(user_id, malform)
        for user_id in undecided:
            result[user_id] = "nn" if home_malform.get(user_id) == Malform.NYNORSK else str(settings.LANGUAGE_CODE)
    return result


def recipients_by_language(users: Iterable[Any], *, extra_emails: Iterable[str] = ()) -> dict[str, list[str]]:
    """Language → sorted e-mail addresses, each address once (the first user with it decides).

    `extra_emails` without a user of their own get the default language.
    """
    by_email: dict[str, Any] = {}
    for user in sorted(users, key=lambda u: u.pk):
        if user.email:
            by_email.setdefault(user.email, user)
    languages = preferred_languages(by_email.values())
    grouped: dict[str, set[str]] = {}
    for email, user in by_email.items():
        grouped.setdefault(languages[user.pk], set()).add(email)
    for email in extra_emails:
        if email and email not in by_email:
            grouped.setdefault(str(settings.LANGUAGE_CODE), set()).add(email)
    return {language: sorted(emails) for language, emails in sorted(grouped.items())}


def email_recipients_by_language(emails: Iterable[str]) -> dict[str, list[str]]:
    """The same for plain addresses: looked up among active users (unknown ones get bokmål)."""
    emails = set(emails)
    users = User.objects.filter(email__in=emails, is_active=True).only("pk", "email", "language")
    return recipients_by_language(users, extra_emails=emails)
