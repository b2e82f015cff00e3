"""Turn a lost database connection into a clear 503 page instead of a 500."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def is_database_unavailable(exception: BaseException | None) -> bool:
    """A lost or refused database connection (not a bug in a query)."""
    return isinstance(exception, (OperationalError, InterfaceError)) or (
        isinstance(exception, DatabaseError) and "connection" in str(exception).lower()
    )


def database_unavailable_response(exception: BaseException | None) -> HttpResponse:
    logger.warning("database unavailable: %s", exception)
    body = render_to_string("503.html", request=None)
    response = HttpResponse(body, status=503)
    response["Retry-After"] = "10"
    return response


class DatabaseUnavailableMiddleware:
    """Errors from views. A lost connection met earlier, in a middleware (the session or the
    logged-in user is read from the database), reaches `ksf.core.errors.server_error`, which
    gives the same 503 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_unavailable(exception):
            return database_unavailable_response(exception)
        return None


class LanguageMiddleware:
    """Bokmål unless the visitor chose otherwise (language cookie from the switcher).

    Unlike Django's LocaleMiddleware we ignore the browser's Accept-Language: many Norwegian
    staff use English-language browsers, and the portal is Norwegian first. A logged-in user's
    own choice or municipality målform is applied later by accounts.middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language() or language)
        patch_vary = response.get("Vary", "")
        if "Cookie" not in patch_vary:
            response["Vary"] = (patch_vary + ", Cookie").strip(", ")
        return response
