"""monitor app: statistics, charts, downloads, the open-data bundle and GET /api/v1/stats."""
from django.apps import AppConfig


class MonitorConfig(AppConfig):
    name = "ksf.monitor"
    label = "monitor"

    def ready(self) -> None:
        from ksf.core.registry import register_page_section

        from . import sections, stats

        register_page_section("municipality", 50, sections.municipality_section, stats.figures_version)
        register_page_section("cluster", 50, sections.cluster_section, stats.figures_version)
