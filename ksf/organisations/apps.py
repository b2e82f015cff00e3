from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "ksf.organisations"
    label = "organisations"
