"""The domain core stays pure Python (STYLE: "the domain core decides; the rest asks")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from fanous.domain.errors import DomainError, Reason
from fanous.domain.i18n import gettext_noop
from fanous.domain.roles import Role

DOMAIN = Path(__file__).resolve().parents[1]
MODULES = sorted(DOMAIN.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(DOMAIN)) for p in MODULES])
def test_spec_2_the_domain_imports_no_django(path):
    """SPEC §2 and STYLE "where rules live": the rules are plain Python fed by the SOP data."""
    imported = _imports(path)
    assert not {name for name in imported if name.split(".")[0] in {"django", "ninja"}}
    assert not {
        name
        for name in imported
        if name.startswith("fanous.") and not name.startswith("fanous.domain")
    }


def test_spec_preamble_messages_are_msgids_with_their_parameters():
    """SPEC preamble (Arabic first, then English and French): the domain returns msgids."""
    reason = Reason(
        "consent_missing", gettext_noop("Missing: %(purposes)s."), {"purposes": "services"}
    )
    assert reason.text() == "Missing: services."
    assert reason == Reason("consent_missing", "Missing: %(purposes)s.", {"purposes": "services"})
    assert hash(reason) == hash(
        Reason("consent_missing", "Missing: %(purposes)s.", {"purposes": "x"})
    )
    with pytest.raises(TypeError):
        reason.params["purposes"] = "changed"  # type: ignore[index]
    error = DomainError("action_refused", "Refused.", reasons=[reason])
    assert error.codes == ("consent_missing",)
    assert str(error) == "Refused. Missing: services."
    assert Reason("bad", "%(missing)s").text() == "%(missing)s"


def test_spec_1_roles():
    assert [role.value for role in Role] == [
        "caseworker",
        "supervisor",
        "agency_admin",
        "coordinator",
        "service_provider",
        "helpline_counsellor",
    ]
    assert all(role.label for role in Role)
