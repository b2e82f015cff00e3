"""The OpenAPI schema, generated once per process and language (it only changes with the code).

Generating it walks every endpoint and serializer (about two seconds of CPU), so the first request
in each language pays once and later requests are served from memory. Labels and help texts are
translated, so the language is part of the key: `?lang=` or the request's active language, reduced
to one of settings.LANGUAGES (anything else is served in the default language, as Django would).
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

_schemas: dict[str, dict[str, Any]] = {}
_lock = threading.Lock()


def clear_schema_cache() -> None:
    """Forget the generated schemas (tests that change URLs or settings)."""
    with _lock:
        _schemas.clear()


def schema_language(requested: str | None) -> str:
    """One of settings.LANGUAGES for the requested or active language (the default otherwise)."""
    code = requested or translation.get_language() or settings.LANGUAGE_CODE
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return str(settings.LANGUAGE_CODE)


class CachedSpectacularAPIView(SpectacularAPIView):
    @extend_schema(exclude=True)  # as the parent view: the schema endpoint is not in the schema
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # `?version=` only means something when API versioning is configured (it is not); otherwise
        # any value would bypass the cache and cost a full generation.
        version = self.api_version or request.version
        if api_settings.ALLOWED_VERSIONS:
            version = version or self._get_version_parameter(request)
        if version or self.custom_settings or self.urlconf or self.patterns:
            return super().get(request, *args, **kwargs)  # not the served default: generate as before
        language = schema_language(request.GET.get("lang") if settings.USE_I18N else None)
        schema = _schemas.get(language)
        if schema is None:
            with _lock:
                schema = _schemas.get(language)
                if schema is None:
                    with translation.override(language):
                        generator = self.generator_class(urlconf=None, api_version=None, patterns=None)
                        schema = generator.get_schema(request=request, public=self.serve_public)
                    _schemas[language] = schema
        return Response(
            data=schema,
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, None)}"'},
        )
