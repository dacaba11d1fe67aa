from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "fanous.notifications"
    label = "notifications"
