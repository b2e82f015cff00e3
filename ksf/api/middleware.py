"""Conditional GET for the API: an ETag on every successful GET under /api/v1/, 304 on a match.

Clients that poll (dashboards, the open-data mirror) send If-None-Match and get an empty 304
when nothing has changed. Views that know their data's last change may also set Last-Modified
(see `ksf.api.caching.last_modified_header`); the middleware then honours If-Modified-Since too.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.http import ConditionalGetMiddleware


class ApiConditionalGetMiddleware(ConditionalGetMiddleware):
    prefix = "/api/v1/"

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not request.path.startswith(self.prefix):
            return response
        return super().process_response(request, response)
