"""manage.py generate_synthetic (issue 6): realistic, chained, deterministic, searchable."""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from fanous.accounts.access import Actor
from fanous.accounts.models import User
from fanous.audit.models import Event
from fanous.audit.verify import verify_chain
from fanous.cases import selectors
from fanous.cases.models import OPEN_STATUSES, Assessment, Case, Child
from fanous.domain.names import normalize_name
from fanous.domain.roles import Role
from fanous.synthetic import names as N
from fanous.synthetic import schema
from fanous.synthetic.generator import Generator
from fanous.synthetic.models import SyntheticDataset

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = date(2026, 6, 1)

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the --truncate load (dropped indexes, worker processes) is PostgreSQL only",
)


class _Rollback(Exception):
    pass


def _rows(*, hashes: bool = False) -> tuple[Any, ...]:
    """The generated data (and the chain's hashes, which hold the users' ids: equal only
    after a flush, as PostgreSQL does not roll sequences back)."""
    return (
        list(
            Case.objects.order_by("id").values_list(
                "id", "case_number", "status", "risk_level", "next_due_on", "identified_at"
            )
        ),
        list(
            Child.objects.order_by("id").values_list(
                "id", "given_name", "family_name", "birth_date", "sex"
            )
        ),
        list(Event.objects.order_by("seq").values_list("id", "seq", "action", "at")),
        [(a.id, a.facts, a.risk_level) for a in Assessment.objects.order_by("id")],
        list(Event.objects.order_by("seq").values_list("hash", flat=True)) if hashes else [],
    )


def _snapshot(seed: int, block: int = 50) -> tuple[Any, ...]:
    """What a generation produced (in blocks of ``block`` cases), then rolled back."""
    out: tuple[Any, ...] = ()
    try:
        with transaction.atomic():
            Generator(cases=120, seed=seed, agencies=3, today=TODAY, block=block).run()
            out = _rows()
            raise _Rollback
    except _Rollback:
        pass
    return out


def test_generate_synthetic_writes_a_consistent_programme(monkeypatch):
    from fanous.synthetic import generator

    monkeypatch.setattr(generator, "BLOCK", 64)  # several blocks
    out = StringIO()
    call_command("generate_synthetic", cases=200, seed=3, agencies=3, today=TODAY, stdout=out)
    assert "200 cases" in out.getvalue()
    assert Case.objects.count() == 200
    assert Child.objects.count() == 200
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"identified", "implementation", "closed"} <= statuses
    assert set(Case.objects.values_list("risk_level", flat=True)) >= {"low", "medium", "high"}
    assessment = Assessment.objects.first()
    assert assessment is not None
    assert "hours_per_week" in assessment.facts  # incl. the hazard checklist
    assert any(code.startswith("hazard.") for code in assessment.facts)
    assert Event.objects.count() > 200
    # Staffing ratio of the SOP: no caseworker holds more than 25 open cases.
    for cw in User.objects.filter(role=Role.CASEWORKER):
        assert Case.objects.filter(caseworker=cw, status__in=OPEN_STATUSES).count() <= 25
    # Ages 5-17 at identification.
    for case in Case.objects.select_related("child")[:50]:
        years = (case.identified_at.date() - case.child.birth_date).days // 365
        assert 5 <= years <= 17
    assert verify_chain().intact
    ds = SyntheticDataset.objects.get()
    assert (ds.cases, ds.seed) == (200, 3)
    assert ds.rows["cases.Case"] == 200
    assert ds.rows["audit.Event"] == Event.objects.count()
    assert ds.rows["cases.Assessment"] == Assessment.objects.count()
    # The audit chain goes on from the generated head.
    call_command("verify_audit", stdout=StringIO())


def test_same_seed_same_data_other_seed_other_data():
    first, second = _snapshot(11), _snapshot(11)
    assert first == second
    assert first[0]
    assert _snapshot(12)[1] != first[1]


def test_search_finds_the_spelling_variants():
    Generator(cases=200, seed=5, agencies=2, today=TODAY).run()
    variants = {v: g for g in N.MALE + N.FEMALE for v in g if len(g) > 1}
    found = 0
    for case in Case.objects.filter(
        status__in=OPEN_STATUSES, caseworker__isnull=False
    ).select_related("child", "caseworker"):
        group = variants.get(case.child.given_name)
        if not group:
            continue
        other = next(
            v
            for v in group
            if normalize_name(v) != normalize_name(case.child.given_name)
            or v != case.child.given_name
        )
        assert case.caseworker is not None
        actor = Actor.of(case.caseworker)
        qs = selectors.case_list_for(
            actor=actor,
            filters=selectors.CaseloadFilter(q=f"{other} {case.child.family_name}"),
            today=TODAY,
        )
        assert case.pk in set(qs.values_list("pk", flat=True)), (other, case.child.full_name)
        found += 1
        if found >= 5:
            break
    assert found >= 1


def test_truncate_refuses_a_database_that_is_not_disposable(settings, monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setitem(settings.DATABASES["default"], "NAME", "fanous_production")
    with pytest.raises(CommandError, match="Refusing"):
        call_command("generate_synthetic", cases=1, truncate=True, stdout=StringIO())


def test_the_data_does_not_depend_on_the_block_split():
    # Blocks of 50 cases hold different random streams than one block of 120, so this
    # only checks that a split run is deterministic and complete.
    split = _snapshot(13, block=50)
    assert split == _snapshot(13, block=50)
    assert len(split[0]) == 120
    assert len({number for _, number, *_ in split[0]}) == 120


def _generate(workers: int, block: int) -> tuple[Any, ...]:
    from fanous.synthetic import generator

    original = generator.BLOCK
    generator.BLOCK = block
    try:
        call_command(
            "generate_synthetic",
            cases=150,
            seed=7,
            agencies=3,
            today=TODAY,
            truncate=True,
            workers=workers,
            stdout=StringIO(),
        )
    finally:
        generator.BLOCK = original
    return _rows(hashes=True)


@needs_postgres
def test_truncate_load_keeps_the_schema_and_the_data_does_not_depend_on_workers():
    before = schema.catalog()
    one = _generate(workers=1, block=40)
    after = schema.catalog()
    assert sorted(set(before) ^ set(after)) == []  # indexes and constraints recreated
    assert after == before
    assert not schema.pending()
    assert verify_chain().intact
    two = _generate(workers=2, block=40)
    assert schema.catalog() == before
    assert verify_chain().intact
    assert one == two
    assert len(one[0]) == 150
    call_command("verify_audit", stdout=StringIO())


@needs_postgres
def test_a_failed_truncate_load_restores_the_schema(monkeypatch):
    from fanous.synthetic import generator

    before = schema.catalog()

    def boom(self: Any, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("generator failed half-way")

    monkeypatch.setattr(generator.Generator, "_chain", boom)
    with pytest.raises(RuntimeError, match="half-way"):
        call_command(
            "generate_synthetic", cases=30, seed=2, truncate=True, workers=1, stdout=StringIO()
        )
    assert schema.catalog() == before
    assert not schema.pending()
