from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "fanous.audit"
    label = "audit"
