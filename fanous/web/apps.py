from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "fanous.web"
    label = "web"
