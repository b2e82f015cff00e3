"""procurement app."""
from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "ksf.procurement"
    label = "procurement"

    def ready(self) -> None:
        from ksf.core.registry import register_page_section

        from .sections import municipality_section
        from .selectors import data_version

        register_page_section("municipality", 60, municipality_section, data_version)
