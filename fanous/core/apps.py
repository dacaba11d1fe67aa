from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fanous.core"
    label = "core"
