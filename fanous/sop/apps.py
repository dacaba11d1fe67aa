from typing import Any

from django.apps import AppConfig


def _forget(**_kwargs: Any) -> None:
    # Which SOP is in force where (memoised per request, some of it per process) may have
    # changed.
    from fanous.core.middleware import forget_request_memo
    from fanous.core.ttlcache import forget_all

    forget_request_memo()
    forget_all()


class SopConfig(AppConfig):
    name = "fanous.sop"
    label = "sop"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from fanous.accounts.models import Agency, Area
        from fanous.sop.models import SopVersion

        for model in (SopVersion, Agency, Area):
            post_save.connect(_forget, sender=model, dispatch_uid=f"sop-memo-{model.__name__}")
            post_delete.connect(
                _forget, sender=model, dispatch_uid=f"sop-memo-del-{model.__name__}"
            )
