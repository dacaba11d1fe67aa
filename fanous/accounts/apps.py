from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fanous.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from fanous.accounts.twofactor import mark_session_on_login

        # Every log-in, whatever the door (our log-in page, a test's force_login), records
        # in the session what it still needs before case data: no look-up on each request.
        user_logged_in.connect(mark_session_on_login, dispatch_uid="fanous_2fa_mark_session")
