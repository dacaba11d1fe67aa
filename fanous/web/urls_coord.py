"""URLs of the web app's coord pages (included by fanous/web/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
