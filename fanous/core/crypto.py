"""Encryption at rest: a keyring kept outside the database (SECURITY.md, "Encryption").

Identifying fields and sensitive sections are sealed with AES-256-GCM under the keyring's
primary key. A sealed value is a text token ``fx1:<key id>:<base64(nonce + ciphertext)>``:
the key id says which key opens it, so that rows still under an old key can be counted and
re-sealed (``manage.py rotate_keys``). The key id is also bound to the ciphertext as
associated data, so a token cannot be relabelled.

Search by name uses a *blind index*: HMAC-SHA256 under a separate search key of every
prefix (two letters or more) of every word of the normalised name. Equal words give equal
digests; the names themselves are never stored in clear.

Where the keys come from (never from the database, never derived from SECRET_KEY):

* ``settings.FANOUS_KEYS`` (the environment variable ``FANOUS_KEYS``): the keyring as JSON;
* else ``settings.FANOUS_KEYS_FILE``: the path of a JSON file holding the same; in
  development (``FANOUS_KEYS_AUTOCREATE``) a missing file is created with fresh keys;
* else, in the test settings only (``FANOUS_KEYS_TEST_KEYRING``), the fixed TEST keyring below.

The JSON: ``{"primary": "k2", "keys": {"k1": "<base64 32 bytes>", "k2": "..."},
"search_key": "<base64 32 bytes>"}``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from fanous.domain.names import name_tokens

__all__ = [
    "PREFIX",
    "TEST_KEYRING",
    "DecryptionError",
    "Keyring",
    "digest_field",
    "is_token",
    "key_id_of",
    "keyring",
    "name_digest",
    "new_keyring_data",
    "query_digests",
    "reset_keyring",
    "seal",
    "unseal",
]

PREFIX = "fx1:"
NONCE_BYTES = 12
DIGEST_HEX = 12
_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")

# ---------------------------------------------------------------------------------------
# TEST ONLY. This keyring is public (it is in the source code): it exists so that the test
# suite runs without a key file. config/settings/test.py selects it; the deploy check
# (fanous/core/checks.py) warns if it is ever in use elsewhere. NEVER use it for real data.
TEST_KEYRING: dict[str, Any] = {
    "primary": "test1",
    "keys": {"test1": base64.b64encode(b"fanous-TEST-ONLY-encryption-key!").decode()},
    "search_key": base64.b64encode(b"fanous-TEST-ONLY-blind-index-key").decode(),
}
# ---------------------------------------------------------------------------------------


class DecryptionError(ValueError):
    """A token that is malformed, tampered with, or sealed under a key not in the keyring."""


@dataclass(frozen=True)
class Keyring:
    primary: str
    keys: dict[str, bytes]
    search_key: bytes
    source: str  # "env", "file:<path>" or "test" (never the key material)

    @property
    def is_test(self) -> bool:
        test = _parse(TEST_KEYRING, "test")
        return self.source == "test" or bool(
            set(self.keys.values()) & set(test.keys.values()) or self.search_key == test.search_key
        )


def _b64key(value: Any, what: str) -> bytes:
    try:
        raw = base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"Fanous keyring: {what} is not valid base64.") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured(f"Fanous keyring: {what} must be 32 bytes (256 bits).")
    return raw


def _parse(data: Any, source: str) -> Keyring:
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict) or not data["keys"]:
        raise ImproperlyConfigured('Fanous keyring: expected {"primary", "keys", "search_key"}.')
    keys: dict[str, bytes] = {}
    for key_id, value in data["keys"].items():
        if not _KEY_ID.match(str(key_id)):
            raise ImproperlyConfigured(
                "Fanous keyring: key ids are 1-32 letters, digits, '.', '_' or '-'."
            )
        keys[str(key_id)] = _b64key(value, f"key {key_id}")
    primary = str(data.get("primary", ""))
    if primary not in keys:
        raise ImproperlyConfigured("Fanous keyring: the primary key id is not among the keys.")
    if "search_key" not in data:
        raise ImproperlyConfigured("Fanous keyring: search_key is missing.")
    return Keyring(primary, keys, _b64key(data["search_key"], "search_key"), source)


def new_keyring_data(key_id: str = "k1") -> dict[str, Any]:
    """A fresh keyring (random keys), as the JSON the key file holds."""
    return {
        "primary": key_id,
        "keys": {key_id: base64.b64encode(secrets.token_bytes(32)).decode()},
        "search_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def _from_file(path: Path, autocreate: bool) -> Keyring:
    if not path.exists():
        if not autocreate:
            raise ImproperlyConfigured(f"Fanous keyring: the key file {path} does not exist.")
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once do not overwrite each other's keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(new_keyring_data(), out, indent=2)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"Fanous keyring: cannot read {path} as JSON.") from exc
    return _parse(data, f"file:{path}")


def _load() -> Keyring:
    raw = getattr(settings, "FANOUS_KEYS", "") or ""
    if raw:
        try:
            data = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError as exc:
            raise ImproperlyConfigured("Fanous keyring: FANOUS_KEYS is not valid JSON.") from exc
        return _parse(data, "env")
    path = getattr(settings, "FANOUS_KEYS_FILE", "") or ""
    if path:
        return _from_file(Path(path), bool(getattr(settings, "FANOUS_KEYS_AUTOCREATE", False)))
    if getattr(settings, "FANOUS_KEYS_TEST_KEYRING", False):
        return _parse(TEST_KEYRING, "test")
    raise ImproperlyConfigured(
        "Fanous needs its encryption keys: set FANOUS_KEYS (the keyring as JSON) or "
        "FANOUS_KEYS_FILE (the path of the key file). See SECURITY.md."
    )


_lock = threading.Lock()
_cached: Keyring | None = None


def keyring() -> Keyring:
    global _cached
    ring = _cached
    if ring is None:
        with _lock:
            ring = _cached = _cached or _load()
    return ring


def reset_keyring() -> None:
    """Forget the loaded keyring (the key file or settings changed)."""
    global _cached
    with _lock:
        _cached = None
    _digest.cache_clear()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **_: Any) -> None:
    if setting.startswith("FANOUS_KEYS"):
        reset_keyring()


# --- sealing --------------------------------------------------------------------------------


def is_token(value: str) -> bool:
    return value.startswith(PREFIX)


def seal(text: str, *, key_id: str | None = None) -> str:
    """Encrypt ``text`` under the primary key (or ``key_id``). The empty string stays empty."""
    if text == "":
        return ""
    ring = keyring()
    kid = key_id or ring.primary
    nonce = secrets.token_bytes(NONCE_BYTES)
    body = AESGCM(ring.keys[kid]).encrypt(nonce, text.encode("utf-8"), kid.encode())
    return f"{PREFIX}{kid}:{base64.b64encode(nonce + body).decode()}"


def key_id_of(token: str) -> str | None:
    """The id of the key a token was sealed with; None for a value that is not a token."""
    if not is_token(token):
        return None
    kid, sep, _ = token[len(PREFIX) :].partition(":")
    return kid if sep else None


def unseal(token: str) -> str:
    """The plaintext of a token; DecryptionError if it is malformed, altered or unknown."""
    if token == "":
        return ""
    kid = key_id_of(token)
    if kid is None:
        raise DecryptionError("not an encrypted value")
    key = keyring().keys.get(kid)
    if key is None:
        raise DecryptionError(f"the key {kid} is not in the keyring")
    try:
        raw = base64.b64decode(token.rsplit(":", 1)[1], validate=True)
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], kid.encode())
    except (InvalidTag, binascii.Error, ValueError) as exc:
        raise DecryptionError("the encrypted value was altered or is corrupt") from exc
    return plain.decode("utf-8")


# --- blind index for search by name ---------------------------------------------------------


@lru_cache(maxsize=8192)
def _digest(search_key: bytes, prefix: str) -> str:
    mac = hmac.new(search_key, ("p:" + prefix).encode("utf-8"), hashlib.sha256)
    return mac.hexdigest()[:DIGEST_HEX]


def _prefixes(token: str) -> list[str]:
    out = [token[:n] for n in range(2, len(token) + 1)]
    return out or [token]


def digest_field(digests: list[str]) -> str:
    return " " + " ".join(dict.fromkeys(digests)) + " " if digests else ""


def name_digest(full_name: str, *, search_key: bytes | None = None) -> str:
    """The stored blind index of a name: one digest per prefix of each normalised word.

    Space-separated with a leading and trailing space, so that a query digest is looked up
    as `` <digest> ``. The order follows the name; repeated digests are kept once.
    """
    key = search_key if search_key is not None else keyring().search_key
    return digest_field(
        [_digest(key, p) for token in name_tokens(full_name) for p in _prefixes(token)]
    )


def query_digests(query: str) -> list[str]:
    """One digest per word of the query; a name matches if it holds every one of them.

    A word is matched as the start of a word of the name (typing محم finds محمد) after the
    same Arabic normalisation (أحمد = احمد, عبد الله = عبدالله).
    """
    key = keyring().search_key
    return list(dict.fromkeys(_digest(key, token) for token in name_tokens(query)))
