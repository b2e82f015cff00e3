from django.apps import AppConfig


class PrioritiesConfig(AppConfig):
    name = "ksf.priorities"
    label = "priorities"
