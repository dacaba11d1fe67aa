from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "fanous.protection"
    label = "protection"
