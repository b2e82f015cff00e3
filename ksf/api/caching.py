"""Helpers for API views that know when their data last changed."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpResponse
from django.utils.http import http_date


def last_modified_header(response: HttpResponse, when: datetime | None) -> HttpResponse:
    """Set Last-Modified (the API middleware then answers If-Modified-Since with 304)."""
    if when is not None:
        response["Last-Modified"] = http_date(when.timestamp())
    return response
