"""Error pages that never fail themselves."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Too large or malformed requests (e.g. RequestDataTooBig): a plain Norwegian page, no base
    layout, because the request itself may be unreadable."""
    from django.conf import settings

    context = {
        "max_mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024),
        "max_import_mb": settings.MAX_IMPORT_FILE_BYTES // (1024 * 1024),
    }
    return HttpResponseBadRequest(render_to_string("400.html", context))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else None
    return render(request, "403.html", {"exception": message}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # Called while the exception is being handled: a database outage met in a middleware (session,
    # logged-in user) gets the clear 503 page, like one met in a view.
    from .middleware import database_unavailable_response, is_database_unavailable

    exception = sys.exc_info()[1]
    if is_database_unavailable(exception):
        return database_unavailable_response(exception)
    return HttpResponseServerError(render_to_string("500.html"))
