from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ksf.core"
    label = "core"
