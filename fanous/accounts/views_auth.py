"""Log-in with lock-out, the second factor (verify, enrol, manage, reset) and log out
everywhere. The rules are in lockout.py and twofactor.py; these views parse and render."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fanous.accounts import lockout, twofactor
from fanous.accounts.access import Actor
from fanous.accounts.forms_auth import CODE_INVALID, LOCKED_MESSAGE, CodeForm, LoginForm, ResetForm
from fanous.accounts.middleware import AUTH_AT, LAST_SEEN
from fanous.accounts.models import User
from fanous.accounts.models_auth import TwoFactorDevice
from fanous.accounts.permissions import Permission
from fanous.audit.models import Event
from fanous.audit.services import record
from fanous.core.errors import ServiceError, error_payload


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _to(name: str, request: HttpRequest) -> HttpResponseRedirect:
    nxt = _next(request)
    return HttpResponseRedirect(f"{reverse(name)}?next={nxt}" if nxt else reverse(name))


class LoginView(auth_views.LoginView):
    """The password step; the second factor follows when the user has or needs one."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        user = form.get_user()
        lockout.register_success(username=form.cleaned_data["username"])
        now = int(time.time())
        self.request.session[AUTH_AT] = now
        self.request.session[LAST_SEEN] = now
        state = twofactor.session_start(self.request, user)
        record(
            actor=user,
            action=Event.Action.LOGIN,
            obj=user,
            summary="password accepted" if state in ("pending", "setup") else "logged in",
        )
        if state == "pending":
            return _to("account:verify", self.request)
        if state == "setup":
            return _to("account:setup", self.request)
        return response


def _locked_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.error(request, LOCKED_MESSAGE % {"minutes": lockout.lock_minutes()})
    return HttpResponseRedirect(reverse("login"))


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of the log-in: a code of the authenticator, or a recovery code."""
    user: User = request.user  # type: ignore[assignment]
    state = twofactor.session_state(request)
    if state == "setup":
        return _to("account:setup", request)
    if state != "pending":
        return HttpResponseRedirect(_next(request))
    form = CodeForm(request.POST or None)
    ip = lockout.client_ip(request)
    if request.method == "POST":
        if lockout.is_locked(user.username, ip):
            return _locked_out(request)
        if form.is_valid() and twofactor.verify(user=user, code=form.cleaned_data["code"]):
            lockout.register_success(username=user.username)
            twofactor.session_verified(request)
            record(actor=user, action=Event.Action.LOGIN, obj=user, summary="logged in (2fa)")
            return HttpResponseRedirect(_next(request))
        if lockout.register_failure(username=user.username, ip=ip, kind="otp", user=user):
            return _locked_out(request)
        form.add_error("code", CODE_INVALID)
    return render(
        request, "registration/twofactor_verify.html", {"form": form, "next": _next(request)}
    )


def _pending_secret(request: HttpRequest) -> str:
    sealed = request.session.get(twofactor.PENDING_SECRET)
    if sealed:
        try:
            return twofactor.unseal(sealed)
        except ValueError:
            pass
    secret = twofactor.new_secret()
    request.session[twofactor.PENDING_SECRET] = twofactor.seal(secret)
    return secret


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: scan the QR code (or type the key), confirm with a code; the recovery
    codes are shown once, on the answer to that confirmation."""
    user: User = request.user  # type: ignore[assignment]
    state = twofactor.session_state(request)
    if state == "pending":
        # Enrolled but not verified in this session: no new authenticator without the old.
        return _to("account:verify", request)
    if state == "verified" and twofactor.is_enrolled(user) and request.method == "GET":
        return HttpResponseRedirect(reverse("account:manage"))
    secret = _pending_secret(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.enrol(user=user, secret=secret, code=form.cleaned_data["code"])
        if codes is not None:
            twofactor.session_verified(request)
            return render(
                request,
                "registration/twofactor_recovery.html",
                {"codes": codes, "next": _next(request), "nav": "preferences"},
            )
        form.add_error("code", CODE_INVALID)
    uri = twofactor.otpauth_uri(secret, user.username)
    return render(
        request,
        "registration/twofactor_setup.html",
        {
            "form": form,
            "qr_svg": mark_safe(twofactor.qr_svg(uri)),  # noqa: S308 - segno's own SVG
            "secret": twofactor.grouped(secret),
            "otpauth_uri": uri,
            "required": twofactor.is_required(user),
            "next": _next(request),
            "nav": "preferences",
        },
    )


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    """The user's own two-factor page: status, new recovery codes, turning it off."""
    user: User = request.user  # type: ignore[assignment]
    enrolled = twofactor.is_enrolled(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and enrolled:
        op = request.POST.get("op")
        if form.is_valid() and twofactor.verify(user=user, code=form.cleaned_data["code"]):
            if op == "codes":
                codes = twofactor.recovery_codes_issue(user)
                record(
                    actor=user,
                    action=Event.Action.UPDATE,
                    obj=user,
                    summary="recovery codes renewed",
                )
                return render(
                    request,
                    "registration/twofactor_recovery.html",
                    {"codes": codes, "next": reverse("account:manage"), "nav": "preferences"},
                )
            if op == "off":
                try:
                    twofactor.disable(user=user)
                except ServiceError as exc:
                    form.add_error(None, error_payload(exc)["message"])
                else:
                    request.session[twofactor.STATE] = "none"
                    messages.success(request, gettext("Two-factor authentication is off."))
                    return HttpResponseRedirect(reverse("account:manage"))
        else:
            form.add_error("code", CODE_INVALID)
    device = TwoFactorDevice.objects.filter(user=user).first()
    return render(
        request,
        "registration/twofactor_manage.html",
        {
            "form": form,
            "device": device,
            "required": twofactor.is_required(user),
            "codes_left": twofactor.recovery_codes_left(user) if enrolled else 0,
            "nav": "preferences",
        },
    )


@login_required
def reset(request: HttpRequest) -> HttpResponse:
    """An agency focal point resets a colleague's two-factor (lost phone), with a reason."""
    actor = Actor.of(request.user)  # type: ignore[arg-type]
    actor.require(Permission.USERS_MANAGE)
    form = ResetForm(request.POST or None)
    failed: int | None = None
    if request.method == "POST":
        if form.is_valid():
            try:
                done = twofactor.reset(
                    actor=actor,
                    user_id=form.cleaned_data["user_id"],
                    reason=form.cleaned_data["reason"],
                )
            except ServiceError as exc:
                form.add_error(None, error_payload(exc)["message"])
            else:
                messages.success(
                    request,
                    gettext("Two-factor authentication of %(name)s is reset.")
                    % {"name": done.get_full_name() or done.username},
                )
                return HttpResponseRedirect(reverse("account:reset"))
        raw_id = str(form.data.get("user_id") or "")
        failed = int(raw_id) if raw_id.isdigit() else None
    colleagues = (
        User.objects.none()
        if actor.agency_id is None
        else User.objects.filter(agency_id=actor.agency_id, is_active=True)
        .exclude(pk=actor.id)
        .select_related("two_factor")
        .order_by("first_name", "username")
    )
    rows: list[dict[str, Any]] = [
        {"user": u, "enrolled": hasattr(u, "two_factor")} for u in colleagues
    ]
    return render(
        request,
        "registration/twofactor_reset.html",
        {"rows": rows, "form": form, "failed": failed, "nav": "preferences"},
    )


@login_required
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of the user (this one too) and revoke their API tokens."""
    user = request.user
    twofactor.end_all_sessions(user=user, by=user)
    logout(request)
    messages.success(
        request, gettext("You are logged out on every device. Your API tokens are revoked.")
    )
    return HttpResponseRedirect(reverse("login"))
