"""Notifications pages: one's own notifications only (another user's id is 404).

The bell in the menu polls ``notifications_badge`` every minute; that endpoint runs one
query on the partial index of unread notifications.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from fanous.accounts.models import User
from fanous.notifications import selectors, services
from fanous.notifications.models import Notification
from fanous.notifications.render import notification_html

PAGE_SIZE = 20
# The bell listens for this event: a change on the page updates the count at once.
CHANGED_EVENT = "notifications-changed"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _item(note: Notification) -> dict[str, Any]:
    return {"note": note, "html": notification_html(note), "unread": note.read_at is None}


def _list_context(request: HttpRequest) -> dict[str, Any]:
    user = _user(request)
    unread_only = request.GET.get("unread") == "1" or request.POST.get("unread") == "1"
    qs = selectors.notification_list_for(user, unread=unread_only)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page") or request.POST.get("page"))
    return {
        "nav": "notifications",
        "page": page,
        "items": [_item(n) for n in page.object_list],
        "unread_only": unread_only,
        "unread_total": selectors.unread_count(user),
        "query": "unread=1" if unread_only else "",
    }


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """My notifications, newest first; unread ones in bold."""
    context = _list_context(request)
    if _is_htmx(request) and request.headers.get("HX-Target") == "notifications":
        return render(request, "web/notifications/partials/_list.html", context)
    return render(request, "web/notifications/list.html", context)


@never_cache
@require_GET
def notification_badge(request: HttpRequest) -> HttpResponse:
    """The bell's count. A signed-out poll gets 204 (HTMX swaps nothing), not the log-in page."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    count = selectors.unread_count(_user(request))
    return render(request, "web/notifications/partials/_badge.html", {"unread": count})


def _changed(response: HttpResponse) -> HttpResponse:
    response["HX-Trigger"] = CHANGED_EVENT
    return response


def _back(request: HttpRequest) -> HttpResponse:
    nxt = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        nxt = reverse("web:notifications")
    return HttpResponseRedirect(nxt)


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: UUID) -> HttpResponse:
    note = services.notification_mark_read(user=_user(request), notification_id=notification_id)
    if _is_htmx(request):
        # The item, and the page's unread count out of band.
        context = {"item": _item(note), "unread_total": selectors.unread_count(_user(request))}
        return _changed(render(request, "web/notifications/partials/_read.html", context))
    return _back(request)


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.notification_mark_all_read(user=_user(request))
    if _is_htmx(request):
        return _changed(
            render(request, "web/notifications/partials/_list.html", _list_context(request))
        )
    return _back(request)


@login_required
@require_GET
def notification_open(request: HttpRequest, notification_id: UUID) -> HttpResponse:
    """Follow a notification to what it is about; opening it marks it read."""
    note = services.notification_mark_read(user=_user(request), notification_id=notification_id)
    target = note.link
    if not target or not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        target = reverse("web:notifications")
    return HttpResponseRedirect(target)
