from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ksf.accounts"
    label = "accounts"
