from django.urls import URLPattern, path

from . import views_exports as v

urlpatterns: list[URLPattern] = [
    path("exports/", v.export_new, name="export_new"),
    path("exports/<uuid:job_id>/", v.export_job, name="export_job"),
    path("exports/<uuid:job_id>/progress", v.export_job_progress, name="export_job_progress"),
    path("exports/<uuid:job_id>/file", v.export_file, name="export_file"),
    path("cases/<uuid:case_id>/file.pdf", v.case_file, name="case_file_pdf"),
]
