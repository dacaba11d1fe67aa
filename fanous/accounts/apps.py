from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fanous.accounts"
    label = "accounts"
