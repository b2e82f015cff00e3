from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "ksf.needs"
    label = "needs"
