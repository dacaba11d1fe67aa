from django.apps import AppConfig


class SopConfig(AppConfig):
    name = "fanous.sop"
    label = "sop"
