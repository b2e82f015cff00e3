from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "ksf.evidence"
    label = "evidence"
