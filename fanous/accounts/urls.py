"""Two-factor pages and log out everywhere, under /accounts/."""

from django.urls import path

from fanous.accounts import views_auth

app_name = "account"

urlpatterns = [
    path("2fa/", views_auth.manage, name="manage"),
    path("2fa/verify/", views_auth.verify, name="verify"),
    path("2fa/setup/", views_auth.setup, name="setup"),
    path("2fa/reset/", views_auth.reset, name="reset"),
    path("logout-everywhere/", views_auth.logout_everywhere, name="logout_everywhere"),
]
