from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("language", views.set_language, name="set_language"),
    path("cases/<uuid:case_id>/", views.case_detail, name="case_detail"),
]
