from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path

from config.api import api
from fanous.accounts.views_auth import LoginView


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


urlpatterns = [
    # The admin site logs in through the same door (lock-out, second factor).
    path("admin/login/", LoginView.as_view(), name="admin_login"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # The log-in with lock-out and the second factor (fanous/accounts/views_auth.py).
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("fanous.accounts.urls")),
    path("", include("fanous.web.urls")),
]

handler404 = not_found
