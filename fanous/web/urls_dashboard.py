"""Dashboards and KPI definitions (SPEC §12)."""

from django.urls import URLPattern, path

from . import views_dashboard

urlpatterns: list[URLPattern] = [
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("dashboard/kpis/", views_dashboard.kpi_definitions, name="kpi_definitions"),
]
