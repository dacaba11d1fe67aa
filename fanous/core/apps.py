from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fanous.core"
    label = "core"

    def ready(self) -> None:
        from fanous.core import checks  # noqa: F401 - registers the system checks
