from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "fanous.exports"
    label = "exports"
