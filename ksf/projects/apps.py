from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "ksf.projects"
    label = "projects"
