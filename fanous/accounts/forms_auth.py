"""Forms of the log-in and two-factor pages (parsing only; the rules are in lockout.py and
twofactor.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from fanous.accounts import lockout

LOCKED_MESSAGE = _(
    "Too many failed attempts. Log-in is locked for %(minutes)s minutes; try again later "
    "or ask your agency focal point."
)
CODE_INVALID = _(
    "This code is not valid or was already used. Enter the current code of your "
    "authenticator app, or one of your recovery codes."
)


class LoginForm(AuthenticationForm):
    """Django's log-in form with the lock-out: a locked username is refused before its
    password is checked, whether or not it exists."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or password is wrong. Check them and try again."),
        "locked": LOCKED_MESSAGE,
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            ip = lockout.client_ip(self.request) if self.request else None
            if lockout.is_locked(username, ip):
                raise forms.ValidationError(
                    self.error_messages["locked"],
                    code="locked",
                    params={"minutes": lockout.lock_minutes()},
                )
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                locked = lockout.register_failure(username=username, ip=ip, kind="password")
                if locked:
                    raise forms.ValidationError(
                        self.error_messages["locked"],
                        code="locked",
                        params={"minutes": lockout.lock_minutes()},
                    )
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "none",
                "dir": "ltr",
                "class": "form-control form-control-lg ltr-data num",
            }
        ),
    )


class ResetForm(forms.Form):
    user_id = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=500)
