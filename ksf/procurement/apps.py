from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "ksf.procurement"
    label = "procurement"
