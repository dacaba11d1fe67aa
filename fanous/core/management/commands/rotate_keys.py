"""Re-encrypt every encrypted column under the primary key; optionally rebuild the name index.

Procedure (SECURITY.md, "Key rotation"):

1. add the new key to the keyring (key file or FANOUS_KEYS) and make it ``primary``;
   restart the app servers: new writes use it, old values still open with the old key;
2. ``manage.py rotate_keys --dry-run`` shows how many values each key still seals;
3. ``manage.py rotate_keys`` re-seals every value not under the primary key, in batches,
   each in its own transaction: it can be stopped and run again (it skips what is done);
4. when ``--dry-run`` shows nothing left under the old key, remove the old key.

For the search key: put the new ``search_key`` in the keyring, restart, and run
``manage.py rotate_keys --search-key``: every ``Child.name_digest`` is recomputed (search by
name finds a child again once its row is done).

The audit log is never touched: it holds no plaintext of encrypted fields.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import models, transaction
from django.db.models.functions import Cast

from fanous.core import crypto
from fanous.core.fields import encrypted_fields

SKIP_APPS = frozenset({"audit"})  # the audit log is append-only and holds no plaintext


def _batches(qs: models.QuerySet[Any], size: int) -> Iterator[list[Any]]:
    pks = qs.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=size)
    while batch := list(islice(pks, size)):
        yield batch


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column with the primary key (and rebuild the name index)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count values per key id; change nothing."
        )
        parser.add_argument(
            "--search-key",
            action="store_true",
            help="Also recompute every child's name index with the keyring's search key.",
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        crypto.reset_keyring()
        ring = crypto.keyring()
        dry, size = bool(options["dry_run"]), int(options["batch_size"])
        self.stdout.write(f"Primary key: {ring.primary}; keys: {', '.join(sorted(ring.keys))}")
        total = 0
        for model in apps.get_models():
            if model._meta.app_label in SKIP_APPS:
                continue
            fields = encrypted_fields(model)
            if fields:
                total += self._rotate(model, [f.name for f in fields], ring, dry, size)
        total += self._rotate_two_factor(ring, dry, size)
        verb = "would re-encrypt" if dry else "re-encrypted"
        self.stdout.write(f"{verb} {total} value(s).")
        if options["search_key"]:
            self._rebuild_digests(dry, size)

    def _rotate(
        self,
        model: type[models.Model],
        names: list[str],
        ring: crypto.Keyring,
        dry: bool,
        size: int,
    ) -> int:
        label = f"{model._meta.label}"
        counts: dict[str, Counter[str]] = {n: Counter() for n in names}
        raw = {f"_raw_{n}": Cast(n, models.TextField()) for n in names}
        done = 0
        manager = model._base_manager
        for batch in _batches(manager.all(), size):
            with transaction.atomic():
                rows = manager.filter(pk__in=batch)
                if not dry:
                    rows = rows.select_for_update()
                for row in rows.annotate(**raw).values("pk", *raw):
                    stale: dict[str, Any] = {}
                    for name in names:
                        token = row[f"_raw_{name}"]
                        if not token:
                            continue
                        kid = crypto.key_id_of(token) or "plain"
                        counts[name][kid] += 1
                        if kid != ring.primary:
                            field: Any = model._meta.get_field(name)
                            stale[name] = field.from_db_value(token, None, None)
                    if stale and not dry:
                        manager.filter(pk=row["pk"]).update(**stale)
                    done += len(stale)
        for name in names:
            shown = " ".join(f"{k}={v}" for k, v in sorted(counts[name].items())) or "empty"
            self.stdout.write(f"{label}.{name}: {shown}")
        return done

    def _rotate_two_factor(self, ring: crypto.Keyring, dry: bool, size: int) -> int:
        from fanous.accounts import twofactor
        from fanous.accounts.models_auth import TwoFactorDevice

        counts: Counter[str] = Counter()
        done = 0
        manager = TwoFactorDevice._base_manager
        for batch in _batches(manager.all(), size):
            with transaction.atomic():
                rows = manager.filter(pk__in=batch)
                if not dry:
                    rows = rows.select_for_update()
                for pk, sealed in rows.values_list("pk", "secret_sealed"):
                    kid = crypto.key_id_of(sealed) or "legacy"
                    counts[kid] += 1
                    if kid != ring.primary:
                        done += 1
                        if not dry:
                            fresh = twofactor.seal(twofactor.unseal(sealed))
                            manager.filter(pk=pk).update(secret_sealed=fresh)
        shown = " ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "empty"
        self.stdout.write(f"accounts.TwoFactorDevice.secret_sealed: {shown}")
        return done

    def _rebuild_digests(self, dry: bool, size: int) -> None:
        from fanous.cases.models import Child

        changed = 0
        manager = Child._base_manager
        names = ("given_name", "father_name", "grandfather_name", "family_name")
        for batch in _batches(manager.all(), size):
            with transaction.atomic():
                rows = manager.filter(pk__in=batch)
                if not dry:
                    rows = rows.select_for_update()
                for row in rows.values("pk", "name_digest", *names):
                    full = " ".join(row[n] for n in names if row[n])
                    digest = crypto.name_digest(full)
                    if digest != row["name_digest"]:
                        changed += 1
                        if not dry:
                            manager.filter(pk=row["pk"]).update(name_digest=digest)
        verb = "would recompute" if dry else "recomputed"
        self.stdout.write(f"Name index: {verb} {changed} child record(s).")
