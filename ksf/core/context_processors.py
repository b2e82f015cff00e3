"""Values every template needs: the current actor and the language switcher."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from ksf.accounts.access import actor_for


def portal(request: HttpRequest) -> dict[str, Any]:
    return {
        "actor": actor_for(getattr(request, "user", None)),
        "site_url": settings.SITE_URL,
        "debug": settings.DEBUG,
    }
