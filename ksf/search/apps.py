"""search app: hybrid BM25 + embedding search behind ksf.search.services."""

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "ksf.search"
    label = "search"
    verbose_name = "Søk"

    def ready(self) -> None:
        from ksf.core.registry import register_readiness_check

        from .index import readiness

        # /readyz: ready once this process has built its indexes (the first check starts the build).
        register_readiness_check("search", readiness)
