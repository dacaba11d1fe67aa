"""Bench-only URLs (config/settings/bench.py): the production URLs plus the yardstick.

The yardstick is a bare Django view returning the same 50 caseload rows as the API, with
the same token authentication and the same SQL, but no framework on top (no ninja, no
schema validation). Never included in config/urls.py.
"""

from django.urls import path

from config.urls import handler404  # noqa: F401
from config.urls import urlpatterns as base_urlpatterns
from fanous.synthetic.bench_views import bare_caseload

urlpatterns = [
    path("bench/bare-caseload", bare_caseload, name="bench_bare_caseload"),
    *base_urlpatterns,
]
