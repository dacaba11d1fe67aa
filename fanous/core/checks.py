"""System checks of the encryption keyring (``manage.py check --deploy``; SECURITY.md)."""

from __future__ import annotations

from typing import Any

from django.core.checks import Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from fanous.core import crypto


@register(Tags.security, deploy=True)
def keyring_check(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    try:
        ring = crypto.keyring()
    except ImproperlyConfigured as exc:
        return [
            Warning(
                f"The encryption keyring cannot be loaded: {exc}",
                hint="Set FANOUS_KEYS or FANOUS_KEYS_FILE (SECURITY.md, Encryption).",
                id="fanous.W001",
            )
        ]
    out: list[Warning] = []
    if ring.is_test:
        out.append(
            Warning(
                "The encryption keyring is the public TEST keyring.",
                hint="Generate real keys (SECURITY.md, Encryption); never use the test keys.",
                id="fanous.W002",
            )
        )
    if ring.search_key in ring.keys.values():
        out.append(
            Warning(
                "The same key is used for encryption and for the search index.",
                hint="Give search_key its own random 32 bytes, then run "
                "`manage.py rotate_keys --search-key`.",
                id="fanous.W003",
            )
        )
    return out
