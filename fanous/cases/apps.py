from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "fanous.cases"
    label = "cases"
