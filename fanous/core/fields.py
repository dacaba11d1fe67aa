"""Model fields encrypted at rest (fanous.core.crypto; SECURITY.md, "Encryption").

The column holds a text token ``fx1:<key id>:<...>``; the model attribute holds the
plaintext: values are sealed on save (``get_prep_value``) and opened on load
(``from_db_value``). The empty string stays the empty string, so "is it blank?" filters
keep working without decrypting. Nothing else can be looked up in an encrypted column:
equality or ``contains`` on the plaintext would compare against a freshly sealed value and
never match. Names are searched through the blind index (``Child.name_digest``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Lookup
from django.db.models.lookups import Exact, IsNull
from django.db.models.sql.compiler import SQLCompiler
from django.utils.functional import cached_property

from fanous.core import crypto

__all__ = [
    "AUDIT_CHANGED",
    "EncryptedJSONField",
    "EncryptedTextField",
    "audit_safe_changes",
    "encrypted_fields",
    "is_encrypted",
]

# What the audit log records instead of the old and new values of an encrypted field.
AUDIT_CHANGED = "•changed•"


class _BlankOnlyExact(Exact):  # type: ignore[type-arg]
    """``field=""`` (or an empty JSON value) is the only equality an encrypted column has."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None, {}, []) and not hasattr(self.rhs, "resolve_expression"):
            raise FieldError(
                f"{self.lhs.target.model.__name__}.{self.lhs.target.name} is encrypted at rest: "
                "it can only be compared with the empty value (search names via name_digest)."
            )
        return super().get_prep_lookup()


class _NoLookups:
    """Refuse, loudly, every lookup that would silently never match on ciphertext."""

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return _BlankOnlyExact
        if lookup_name == "isnull":
            return IsNull
        return None  # Django raises FieldError "Unsupported lookup"

    def get_transform(self, lookup_name: str) -> Any:
        return None


class EncryptedTextField(_NoLookups, models.TextField):  # type: ignore[type-arg]
    """Text sealed at rest. ``max_length`` is checked on the plaintext (forms, full_clean)."""

    description = "Text (encrypted at rest)"
    encrypted = True

    @cached_property
    def validators(self) -> list[Any]:
        out = list(super().validators)
        if self.max_length is not None:
            out.append(MaxLengthValidator(self.max_length))
        return out

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        # A value not yet sealed (before the data migration ran) is read as it is.
        return crypto.unseal(value) if crypto.is_token(value) else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.seal(str(value))


class EncryptedJSONField(_NoLookups, models.TextField):  # type: ignore[type-arg]
    """A JSON value (dict, list...) sealed at rest as one token. No lookups into it.

    An empty dict or list is stored as the empty string and read back as the default.
    """

    description = "JSON (encrypted at rest)"
    # For django-stubs: the attribute holds any JSON value, not a str.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any
    encrypted = True
    empty_strings_allowed = False

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        if value == "":
            return self.get_default()
        text = crypto.unseal(value) if crypto.is_token(value) else value
        return json.loads(text)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and crypto.is_token(value):
            return json.loads(crypto.unseal(value))
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        if value in ({}, [], ""):
            # Empty stays empty (and reads back as the default), so that
            # `.exclude(narrative={})` still works without decrypting.
            return ""
        return crypto.seal(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj), cls=DjangoJSONEncoder, ensure_ascii=False)

    def formfield(
        self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any
    ) -> Any:
        return forms.JSONField(
            **{"required": not self.blank, "encoder": DjangoJSONEncoder, **kwargs}
        )


def is_encrypted(model: type[models.Model] | models.Model, name: str) -> bool:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a property such as Assessment.facts
        return False
    return bool(getattr(field, "encrypted", False))


def encrypted_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if getattr(f, "encrypted", False)]


def audit_safe_changes(
    model: type[models.Model] | models.Model,
    changes: Iterable[tuple[str, str, Any, Any]],
) -> dict[str, list[Any]]:
    """Audit ``changes`` as ``{key: [old, new]}`` without the plaintext of encrypted fields.

    Each change is ``(audit key, field name, old, new)``; for an encrypted field only the
    fact that it changed is kept (``AUDIT_CHANGED``), so the audit log never holds what the
    encryption protects.
    """
    out: dict[str, list[Any]] = {}
    for key, name, old, new in changes:
        if is_encrypted(model, name):
            out[key] = [AUDIT_CHANGED if old else old, AUDIT_CHANGED if new else new]
        else:
            out[key] = [old, new]
    return out


class DigestField(models.TextField):  # type: ignore[type-arg]
    """A blind index: keyed digests separated by spaces, with a space at each end
    (fanous.core.crypto.digest_field). Searched with ``__holds_all=[digest, ...]``.

    On PostgreSQL the lookup is ``string_to_array(col, ' ') @> ARRAY[...]``, which the GIN
    index on that expression answers (cases migration 0005) whatever the table's size;
    elsewhere it is one ``LIKE '% digest %'`` per digest.
    """


@DigestField.register_lookup
class HoldsAll(Lookup):  # type: ignore[type-arg]
    lookup_name = "holds_all"
    prepare_rhs = False  # a list of digests, not a text

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        digests = [str(d) for d in self.rhs]
        if not digests:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            return f"string_to_array({lhs}, ' ') @> %s::text[]", [*lhs_params, digests]
        likes = " AND ".join([f"{lhs} LIKE %s"] * len(digests))
        return f"({likes})", [p for d in digests for p in (*lhs_params, f"% {d} %")]
