from django.apps import AppConfig


class MonitorConfig(AppConfig):
    name = "ksf.monitor"
    label = "monitor"
