from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ksf.api"
    label = "api"
