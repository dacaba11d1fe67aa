"""Rules of the architecture (STYLE.md) that a test can hold us to."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fanous.core.crypto import new_keyring_data

ROOT = Path(__file__).resolve().parents[3]
DOMAIN = ROOT / "fanous" / "domain"


def test_domain_core_runs_in_a_process_without_django() -> None:
    """Import every domain module with Django blocked: proof, not just a grep."""
    code = (
        "import sys, importlib, pkgutil\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('django', 'ninja'):\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import fanous.domain as d\n"
        "for m in pkgutil.iter_modules(d.__path__):\n"
        "    if m.name != 'tests': importlib.import_module('fanous.domain.' + m.name)\n"
        "print('ok')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


@pytest.mark.django_db
def test_openapi_schema_and_docs_are_served_without_a_cdn(client: object) -> None:
    from django.test import Client

    c = Client()
    schema = c.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/cases" in paths
    assert "/api/v1/cases/{case_id}/closure/approve" in paths
    docs = c.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn." not in html
    assert "/static/ninja/swagger-ui-bundle.js" in html


def test_production_settings_pass_the_deploy_checklist() -> None:
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": "x" * 64 + "-a-long-random-secret-for-the-check-only",
        "DJANGO_ALLOWED_HOSTS": "fanous.example.org",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/fanous",
        "FANOUS_KEYS": json.dumps(new_keyring_data("k1")),
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
