"""A logged-in user's default language follows their choice, else their municipality's målform."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from ksf.organisations.models import Malform


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # An explicit choice (cookie from the language switcher or ?lang=) wins.
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            language = self._default_for(request)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)

    @staticmethod
    def _default_for(request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if user.language:
            return str(user.language)
        # From the user's memberships, loaded once per request by actor_for and reused by the
        # views and templates (no query of its own).
        from .access import actor_for

        if actor_for(user).home_malform == Malform.NYNORSK:
            return "nn"
        return None
