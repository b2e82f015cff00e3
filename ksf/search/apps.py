from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "ksf.search"
    label = "search"
