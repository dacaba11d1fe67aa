from django.urls import URLPattern, path

from . import views_reports as v

urlpatterns: list[URLPattern] = [
    path("reports/interagency/", v.interagency, name="report_interagency"),
]
