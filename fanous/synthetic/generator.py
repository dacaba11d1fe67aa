"""Synthetic data at national scale (issue 6): agencies, staff, children and their cases.

Deterministic for a seed (and a reference date). The setup (areas, agencies, staff, the
status and agency of every case, the sampled fact patterns) draws from
``random.Random(seed)``; the cases are then generated in fixed-size blocks (``BLOCK``),
block ``b`` from its own ``random.Random(f"{seed}:{b}")``, so the data does not depend on
how many processes generate it. The hot loop builds plain dicts from precomputed pools and
hands them to :class:`fanous.synthetic.writer.TableWriter` (COPY on PostgreSQL); no ORM
object is built per case. Risk levels come from the real engine (fanous.domain.risk)
evaluated once per fact pattern of a sampled pool, then reused.

The audit log is written as a correct hash chain (fanous.audit.chain, unchanged): a block
prepares each event's canonical JSON text in two parts, around the predecessor's hash and
the position, which only the one ordered chaining pass knows; that pass numbers the events
from the current chain head, hashes ``head + prev_hash + '","request_id":"","seq":' + seq
+ tail`` (exactly event_hash's text) and moves the head to the last one at the end
(``manage.py verify_audit`` passes).

After ``--truncate`` on PostgreSQL (``fresh``) the load runs outside one transaction: the
secondary indexes and the constraints of the bulk tables are dropped and rebuilt after the
load (fanous.synthetic.schema), ``workers`` forked processes generate and COPY the blocks
on their own connections, and the parent chains and COPYs the events. Otherwise (SQLite,
or adding to a database) everything runs in this process, in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, connections, transaction
from django.utils import timezone

from fanous.accounts.models import Agency, Area, Team, TeamMembership, User
from fanous.audit.chain import GENESIS, iso
from fanous.audit.models import ChainHead, Event
from fanous.cases import models as cm
from fanous.domain.names import normalize_name
from fanous.domain.risk import evaluate_case
from fanous.domain.roles import Role
from fanous.domain.sop import RiskLevel
from fanous.domain.workflow import CaseStatus
from fanous.referrals.models import Referral, ServiceProvider
from fanous.sop.models import SopVersion
from fanous.sop.selectors import sop_of
from fanous.sop.services import sop_install_default

from . import names as N
from . import schema
from .models import SyntheticDataset
from .writer import EventLoader, TableWriter, copy_text, is_postgres
from .writer import abort as writer_abort
from .writer import finish as writer_finish
from .writer import forget as writer_forget

S = CaseStatus
# Status of a case and its weight (per thousand): a programme a few years in, with most
# children closed and a quarter in implementation and follow-up.
STATUS_WEIGHTS: tuple[tuple[CaseStatus, int], ...] = (
    (S.IDENTIFIED, 40),
    (S.NOT_ELIGIBLE, 25),
    (S.REFERRED_OUT, 15),
    (S.REGISTERED, 50),
    (S.INITIAL_ASSESSMENT, 55),
    (S.COMPREHENSIVE_ASSESSMENT, 55),
    (S.PLAN_PENDING_APPROVAL, 35),
    (S.PLAN_APPROVED, 30),
    (S.IMPLEMENTATION, 275),
    (S.CLOSURE_REQUESTED, 20),
    (S.CLOSED, 400),
)
STAGE = {
    S.IDENTIFIED: 0,
    S.NOT_ELIGIBLE: 0,
    S.REFERRED_OUT: 0,
    S.REGISTERED: 1,
    S.INITIAL_ASSESSMENT: 2,
    S.COMPREHENSIVE_ASSESSMENT: 3,
    S.PLAN_PENDING_APPROVAL: 4,
    S.PLAN_APPROVED: 5,
    S.IMPLEMENTATION: 6,
    S.CLOSURE_REQUESTED: 7,
    S.CLOSED: 8,
}
OPEN = frozenset(CaseStatus(s) for s in cm.OPEN_STATUSES)
# Children in child labour programmes are mostly adolescents (ages 5-17).
AGES = list(range(5, 18))
AGE_WEIGHTS = [1, 1, 1, 2, 2, 3, 4, 6, 9, 11, 13, 13, 12]
# A caseworker holds up to this many open cases (below the SOP's maximum of 25).
TARGET_CASELOAD = 20
PASSWORD = "synthetic-pass-123"  # every synthetic user; for `make bench` and local trials
# Cases per block: each block has its own random stream (the data depends on this size).
BLOCK = 10_000
# The tables the cases fill (the audit events are written by the chaining pass).
BULK_MODELS: tuple[type[Any], ...] = (
    cm.Household,
    cm.HouseholdMember,
    cm.Child,
    cm.Case,
    cm.Consent,
    cm.Registration,
    cm.Assessment,
    cm.RiskChange,
    cm.CasePlan,
    cm.PlanGoal,
    cm.PlanAction,
    cm.FollowUp,
    cm.ClosureRequest,
    Referral,
    Event,
)
# Encrypted JSON fields whose reused values (the sampled fact patterns, the one narrative)
# are sealed once: repeated, non-identifying texts only.
MEMO = {"cases.Assessment": ("sealed_facts", "narrative")}
# Values shared by many rows (same object: their JSON text and sealed token are reused).
CONCERNS = ["child_labour"]
ELIGIBILITY = ["in_child_labour"]
SECTIONS = ["identity", "contact"]
NARRATIVE = {"child_views": "يريد العودة إلى المدرسة."}
CHECKS_YES = {"attends_school": "yes"}
CHECKS_NO = {"attends_school": "no"}
CH_REGISTERED = {"status": ["identified", "registered"]}
CH_PLAN_APPROVED = {"status": ["plan_pending_approval", "plan_approved"]}
CH_CLOSED = {"status": ["closure_requested", "closed"]}
_EMPTY: dict[str, Any] = {}
# The columns of an event the generator writes as COPY text itself (ends with "ip").
EVENT_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "summary",
    "changes",
    "sop_version",
    "request_id",
    "ip",
)
_N = "\\N"  # NULL in COPY text
_UUID_MASK = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_V4 = (4 << 76) | (0x8000 << 48)


def _copy(text: str) -> str:
    """A string in COPY text (memoised: few distinct values)."""
    out = _COPY.get(text)
    if out is None:
        out = copy_text(text)
        if len(_COPY) < 100_000:
            _COPY[text] = out
    return out


_COPY: dict[str, str] = {}
_COPY_JSON: dict[int, tuple[Any, str]] = {}


def _copy_json(value: Any) -> str:
    """A JSON column's COPY text, as TableWriter writes it (memoised per reused object)."""
    hit = _COPY_JSON.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    text = copy_text(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))
    if len(_COPY_JSON) < 10_000:
        _COPY_JSON[id(value)] = (value, text)
    return text


_RISK_CHANGES: dict[tuple[str, str], dict[str, Any]] = {}
_MID = '","request_id":"","seq":'  # event_hash's text between prev_hash and seq


def _risk_change(old: str, new: str) -> dict[str, Any]:
    out = _RISK_CHANGES.get((old, new))
    if out is None:
        out = _RISK_CHANGES[(old, new)] = {"risk_level": [old, new]}
    return out


_JS: dict[str, str] = {}


def _js(text: str) -> str:
    """A string as event_hash's json.dumps writes it (memoised: few distinct values)."""
    out = _JS.get(text)
    if out is None:
        out = json.dumps(text, ensure_ascii=False)
        if len(_JS) < 100_000:
            _JS[text] = out
    return out


_CANON: dict[int, tuple[Any, str]] = {}


def _canon(value: Any) -> str:
    """``value`` in event_hash's canonical JSON (memoised per reused object)."""
    hit = _CANON.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if len(_CANON) < 10_000:
        _CANON[id(value)] = (value, text)
    return text


# The generator a forked worker runs (set by the parent just before forking).
_GEN: Generator | None = None


def _child_init() -> None:
    writer_forget()
    connections.close_all()


def _pool_block(b: int) -> tuple[Counter[str], Counter[str], list[Any], float]:
    assert _GEN is not None
    return _GEN._run_block(b)


@dataclass
class Result:
    cases: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    first_seq: int = 0
    last_seq: int = 0
    risk: Counter[str] = field(default_factory=Counter)
    # Seconds: "blocks" (generation and COPY, summed over the workers), "chain" (the
    # ordered hashing pass and the events' COPY), "rebuild" (indexes and constraints).
    timings: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))


class Generator:
    def __init__(
        self,
        *,
        cases: int,
        seed: int,
        agencies: int = 6,
        today: date | None = None,
        batch: int = 5000,
        log: Any = None,
        workers: int = 1,
        fresh: bool = False,
        block: int | None = None,
    ) -> None:
        """``fresh``: the database was just emptied and is disposable (``--truncate``): on
        PostgreSQL the load may then drop and rebuild indexes and use ``workers``
        processes. ``block`` (default ``BLOCK``) is part of what the data depends on."""
        self.n = cases
        self.seed = seed
        self.k = max(1, agencies)
        self.today = today or timezone.now().date()
        self.batch = batch
        self.rng = Random(seed)
        self.log = log or (lambda msg: None)
        self.prefix = f"S{seed}"
        self.workers = max(1, workers)
        self.fresh = fresh
        self.block = max(1, block or BLOCK)
        self.patterns: list[tuple[dict[str, Any], RiskLevel, Any]] = []
        self.seq, self.prev = 0, GENESIS

    # ------------------------------------------------------------------ helpers

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def at(self, day: date) -> datetime:
        """A moment during office hours (UTC) on ``day``."""
        secs = self.rng.randrange(6 * 3600, 15 * 3600)
        return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
            seconds=secs, microseconds=self.rng.randrange(1_000_000)
        )

    # ------------------------------------------------------------------ setup (ORM, small)

    def _setup(self) -> None:
        rng = self.rng
        p = self.prefix
        country = Area.objects.create(
            code=f"{p}-JO", kind=Area.Kind.COUNTRY, name_ar="الأردن", name_en="Jordan"
        )
        self.sop_row: SopVersion = sop_install_default(area=country)
        self.sop = sop_of(self.sop_row)
        self.sop_data = self.sop_row.data
        govs = [
            Area.objects.create(
                code=f"{p}-G{g}",
                kind=Area.Kind.GOVERNORATE,
                parent=country,
                name_ar=f"محافظة {g}",
                name_en=f"Governorate {g}",
            )
            for g in range(1, 4)
        ]
        self.areas: list[Area] = []
        self.agencies: list[Agency] = []
        for i in range(self.k):
            area = Area.objects.create(
                code=f"{p}-D{i + 1:02d}",
                kind=Area.Kind.DISTRICT,
                parent=govs[i % len(govs)],
                name_ar=f"لواء {i + 1}",
                name_en=f"District {i + 1}",
            )
            self.areas.append(area)
            self.agencies.append(
                Agency.objects.create(
                    code=f"{p}-A{i + 1:02d}",
                    name_ar=f"وكالة {i + 1}",
                    name_en=f"Agency {i + 1}",
                    area=area,
                )
            )
        # Uneven agencies: a few large ones, several small.
        weights = [1.0 / math.sqrt(i + 1) for i in range(self.k)]
        statuses = [s for s, _ in STATUS_WEIGHTS]
        sweights = [w for _, w in STATUS_WEIGHTS]
        self.case_agency = rng.choices(range(self.k), weights=weights, k=self.n)
        self.case_status = rng.choices(statuses, weights=sweights, k=self.n)
        open_per_agency = Counter(
            a for a, s in zip(self.case_agency, self.case_status, strict=True) if s in OPEN
        )
        password = make_password(PASSWORD)
        users: list[User] = []
        plan: list[tuple[int, str, int]] = []  # (agency index, role, number)
        for i in range(self.k):
            cws = max(1, math.ceil(open_per_agency[i] / TARGET_CASELOAD))
            sups = max(1, math.ceil(cws / 6))
            plan += [(i, Role.CASEWORKER.value, n) for n in range(cws)]
            plan += [(i, Role.SUPERVISOR.value, n) for n in range(sups)]
            plan += [(i, Role.AGENCY_ADMIN.value, 0), (i, Role.HELPLINE_COUNSELLOR.value, 0)]
            plan += [(i, Role.SERVICE_PROVIDER.value, 0)]
        for i, role, n in plan:
            users.append(
                User(
                    username=f"{p.lower()}_a{i + 1:02d}_{role[:3]}{n + 1:05d}",
                    password=password,
                    role=role,
                    agency=self.agencies[i],
                    first_name=rng.choice(N.MALE + N.FEMALE)[0],
                    last_name=rng.choice(N.FAMILY)[0],
                )
            )
        users.append(
            User(
                username=f"{p.lower()}_coordinator",
                password=password,
                role=Role.COORDINATOR.value,
                agency=None,
                first_name="Coordinator",
            )
        )
        User.objects.bulk_create(users, batch_size=2000)
        users = list(User.objects.filter(username__startswith=f"{p.lower()}_").order_by("id"))
        by_name = {u.username: u for u in users}
        self.coordinator = by_name[f"{p.lower()}_coordinator"]
        self.caseworkers: list[list[int]] = [[] for _ in range(self.k)]
        self.supervisors: list[list[int]] = [[] for _ in range(self.k)]
        self.helpline: list[int] = [0] * self.k
        self.provider_user: list[int] = [0] * self.k
        for u in users:
            if u.agency_id is None:
                continue
            i = self.agencies.index(next(a for a in self.agencies if a.pk == u.agency_id))
            if u.role == Role.CASEWORKER:
                self.caseworkers[i].append(u.pk)
            elif u.role == Role.SUPERVISOR:
                self.supervisors[i].append(u.pk)
            elif u.role == Role.HELPLINE_COUNSELLOR:
                self.helpline[i] = u.pk
            elif u.role == Role.SERVICE_PROVIDER:
                self.provider_user[i] = u.pk
        teams: list[Team] = []
        members: list[TeamMembership] = []
        self.supervisor_of: dict[int, int] = {}
        for i in range(self.k):
            sup_teams = []
            for n, sup in enumerate(self.supervisors[i]):
                team = Team(agency=self.agencies[i], name=f"Team {n + 1}", supervisor_id=sup)
                team.id = self.uid()
                sup_teams.append(team)
            teams += sup_teams
            for n, cw in enumerate(self.caseworkers[i]):
                team = sup_teams[n // 6]
                members.append(TeamMembership(team=team, user_id=cw))
                self.supervisor_of[cw] = team.supervisor_id
        Team.objects.bulk_create(teams)
        TeamMembership.objects.bulk_create(members, batch_size=5000)
        # The service map: four services per agency, in its district.
        ref = self.sop_data["referrals"]
        stypes = ref["service_types"]
        self.providers: list[list[tuple[uuid.UUID, str]]] = [[] for _ in range(self.k)]
        rows = []
        for i in range(self.k):
            for n in range(4):
                st = stypes[(i * 4 + n) % len(stypes)]
                pid = self.uid()
                self.providers[i].append((pid, st["code"]))
                rows.append(
                    ServiceProvider(
                        id=pid,
                        agency=self.agencies[i],
                        area=self.areas[i],
                        name_ar=f"خدمة {n + 1} - وكالة {i + 1}",
                        name_en=f"Service {n + 1} of agency {i + 1}",
                        sector=st["sector"],
                        service_types=[st["code"]],
                        languages=["ar"],
                    )
                )
        ServiceProvider.objects.bulk_create(rows)
        self.referral_types = [t["code"] for t in ref["types"]]

    # ------------------------------------------------------------------ risk patterns

    def _fact_patterns(self, count: int = 400) -> list[tuple[dict[str, Any], RiskLevel, Any]]:
        """Sampled answers to the child-labour assessment (incl. the hazard checklist), each
        with the level and factors the real risk engine gives it."""
        rng = self.rng
        concern = self.sop.concern("child_labour")
        out = []
        worst = {
            "trafficking",
            "caafag",
            "commercial_sexual_exploitation",
            "illicit_activities",
            "forced_or_bonded_labour",
            "sexual_abuse",
        }
        protective = {
            "lives_with_caregivers",
            "attends_school",
            "family_meets_basic_needs",
            "supportive_adult",
        }
        for _ in range(count):
            facts: dict[str, Any] = {}
            hazard_rate = rng.choice((0.01, 0.02, 0.04, 0.08))
            for fact in concern.facts:
                code = fact.code
                kind = str(getattr(fact.type, "value", fact.type))
                if kind == "bool":
                    if code.startswith("hazard."):
                        facts[code] = rng.random() < hazard_rate
                    elif code in worst:
                        facts[code] = rng.random() < 0.006
                    elif code in protective:
                        facts[code] = rng.random() < 0.6
                    else:
                        facts[code] = rng.random() < 0.06
                elif kind == "int":
                    if code == "age":
                        facts[code] = rng.choices(AGES, AGE_WEIGHTS)[0]
                    else:
                        facts[code] = rng.choice((6, 10, 14, 20, 24, 28, 32, 36, 42, 48, 56))
                elif kind == "choice":
                    choices = [c.code for c in fact.choices]
                    facts[code] = rng.choice([c for c in choices if c != "not_working"])
            result = evaluate_case(self.sop, ["child_labour"], facts)
            stored = self._stored_facts(facts)
            # As fanous.cases.services.assessment stores them.
            factors = [
                {
                    "concern": r.concern,
                    "level": r.level.value,
                    "factors": [
                        {
                            "rule": f.rule_code,
                            "effect": f.effect.value,
                            "label": f.label.model_dump(),
                        }
                        for f in r.factors
                    ],
                }
                for r in result.by_concern
            ]
            out.append((stored, result.level, factors))
        return out

    def _stored_facts(self, facts: dict[str, Any]) -> dict[str, Any]:
        """The assessment columns holding ``facts``: one JSON column, or the open facts in
        clear and the sensitive ones sealed (fanous.cases.sealing), whichever the model has."""
        names = {f.attname for f in cm.Assessment._meta.concrete_fields}
        if "open_facts" not in names:
            return {"facts": facts}
        from fanous.cases.sealing import sensitive_fact_codes, split_facts

        open_, sealed = split_facts(facts, sensitive_fact_codes(self.sop_data))
        return {"open_facts": open_, "sealed_facts": sealed}

    # ------------------------------------------------------------------ the cases

    # ------------------------------------------------------------------ the run

    def _head(self) -> tuple[int, str]:
        head = ChainHead.objects.select_for_update().filter(pk=1).first()
        if head is not None:
            return head.seq, head.hash
        events = Event.objects.all()
        if "chain" in {f.attname for f in Event._meta.concrete_fields}:
            events = events.filter(chain=1)
        last = events.order_by("-seq").values("seq", "hash").first()
        return (last["seq"], last["hash"]) if last else (0, GENESIS)

    def _finish(self, res: Result, started: float) -> None:
        ChainHead.objects.update_or_create(pk=1, defaults={"seq": self.seq, "hash": self.prev})
        res.last_seq = self.seq
        res.cases = self.n
        res.seconds = time.monotonic() - started
        SyntheticDataset.objects.create(
            seed=self.seed,
            cases=self.n,
            agencies=self.k,
            reference_date=self.today,
            generated_at=timezone.now(),
            seconds=res.seconds,
            rows=res.rows,
        )

    def run(self) -> Result:
        started = time.monotonic()
        res = Result()
        if self.fresh and is_postgres():
            self._run_fresh(res, started)
        else:
            with transaction.atomic():
                self._prepare(res, started)
                try:
                    self._load(res, workers=1)
                except BaseException:
                    writer_abort()
                    raise
                self._finish(res, started)
            if is_postgres():
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
        res.seconds = time.monotonic() - started
        return res

    def _prepare(self, res: Result, started: float) -> None:
        self._setup()
        self.patterns = self._fact_patterns()
        self.log(f"setup done in {time.monotonic() - started:.1f}s")
        self.seq, self.prev = self._head()
        res.first_seq = self.seq + 1

    def _run_fresh(self, res: Result, started: float) -> None:
        """A just-emptied, disposable PostgreSQL database: load without the secondary
        indexes and constraints (fanous.synthetic.schema), in ``workers`` processes."""
        tables = [m._meta.db_table for m in BULK_MODELS]
        schema.restore_pending(tables, log=self.log)
        with transaction.atomic():
            self._prepare(res, started)
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
        dropped = schema.drop(tables)
        self.log(f"dropped {dropped} indexes and constraints for the load")
        try:
            self._load(res, workers=self.workers)
        except BaseException:
            writer_abort()
            try:
                schema.restore_pending(tables, log=self.log)
            except Exception as exc:  # noqa: BLE001 - the first error is the one to report
                self.log(f"could not restore the schema ({exc}): run --truncate again")
            raise
        t = time.monotonic()
        schema.restore(log=self.log)
        res.timings["rebuild"] = time.monotonic() - t
        with transaction.atomic():
            self._finish(res, started)
        t = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        res.timings["analyze"] = time.monotonic() - t

    def _load(self, res: Result, *, workers: int) -> None:
        """Generate the blocks (in this process or in ``workers`` forked ones, which write
        their rows themselves) and chain their audit events here, in block order."""
        global _GEN
        nblocks = max(1, math.ceil(self.n / self.block))
        self._plan_blocks(nblocks)
        events = EventLoader(Event, EVENT_COLUMNS)
        pool = None
        try:
            if workers > 1:
                connections.close_all()  # the children open their own connections
                _GEN = self
                pool = multiprocessing.get_context("fork").Pool(
                    min(workers, nblocks), initializer=_child_init
                )
                results: Iterator[Any] = pool.imap(_pool_block, range(nblocks))
            else:
                results = map(self._run_block, range(nblocks))
            done = 0
            for rows, risk, pieces, seconds in results:
                t = time.monotonic()
                self._chain(pieces, events)
                res.timings["chain"] += time.monotonic() - t
                res.timings["blocks"] += seconds
                for label, count in rows.items():
                    res.rows[label] = res.rows.get(label, 0) + count
                res.risk.update(risk)
                done += 1
                if done % 10 == 0:
                    self.log(f"{min(self.n, done * self.block)} cases")
            t = time.monotonic()
            writer_finish()
            res.timings["chain"] += time.monotonic() - t
        except BaseException:
            if pool is not None:
                pool.terminate()
            raise
        finally:
            _GEN = None
            if pool is not None:
                pool.close()
                pool.join()
        res.rows[Event._meta.label] = res.rows.get(Event._meta.label, 0) + events.count

    def _plan_blocks(self, nblocks: int) -> None:
        """The counters each block starts from (caseworker rotation, case numbers), so that
        a block is generated alone, from its own random stream."""
        open_counter = [0] * self.k
        seq_per_agency = [0] * self.k
        self.block_state: list[tuple[list[int], list[int]]] = []
        for b in range(nblocks):
            self.block_state.append((open_counter[:], seq_per_agency[:]))
            for idx in range(b * self.block, min(self.n, (b + 1) * self.block)):
                ai = self.case_agency[idx]
                seq_per_agency[ai] += 1
                if self.case_status[idx] in OPEN:
                    open_counter[ai] += 1

    def _run_block(self, b: int) -> tuple[Counter[str], Counter[str], list[Any], float]:
        t = time.monotonic()
        if self.fresh and is_postgres():
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit = off")
        W = {
            m: TableWriter(m, batch=self.batch, memo=MEMO.get(m._meta.label, ()))
            for m in BULK_MODELS
        }
        events = EventLoader(Event, EVENT_COLUMNS)
        risk: Counter[str] = Counter()
        pieces = self._block(b, W, events, risk)
        for w in W.values():
            w.flush()
        writer_finish()
        rows = Counter({m._meta.label: w.count for m, w in W.items()})
        return rows, risk, pieces, time.monotonic() - t

    def _chain(self, pieces: list[tuple[str, str, Any]], events: EventLoader) -> None:
        """Number and hash the events in order: sha256 of the canonical text prepared by
        the block around the two values only known here (prev_hash, seq)."""
        seq, prev = self.seq, self.prev
        out: list[Any] = []
        add = out.append
        sha = hashlib.sha256
        pg = events.pg
        for head, tail, prefix in pieces:
            seq += 1
            s = str(seq)
            h = sha(f"{head}{prev}{_MID}{s}{tail}".encode()).hexdigest()
            add(f"{prefix}{s}\t{prev}\t{h}\n" if pg else (*prefix, seq, prev, h))
            prev = h
        events.write(out)
        self.seq, self.prev = seq, prev

    def _block(  # noqa: C901
        self,
        b: int,
        W: dict[type[Any], TableWriter],
        events: EventLoader,
        risk_counter: Counter[str],
    ) -> list[tuple[str, str, Any]]:
        """The cases of block ``b``, from ``Random(f"{seed}:{b}")``: rows to ``W``, and the
        audit events returned unchained as (text before prev_hash, text after seq, row
        prefix) for :meth:`_chain`."""
        rng = Random(f"{self.seed}:{b}")
        today = self.today
        patterns = self.patterns
        open_counter, seq_per_agency = (x[:] for x in self.block_state[b])
        child_fields = {f.attname for f in cm.Child._meta.concrete_fields}
        has_digest = "name_digest" in child_fields
        has_key = "name_key" in child_fields
        from fanous.core.crypto import name_digest

        sop_id = self.sop_row.pk
        sop_ver = self.sop_row.version
        tfs = self.sop_data["timeframes"]
        nat_pool = [(n, s) for n, s, w in N.NATIONALITIES for _ in range(w)]
        work_types = [
            "agriculture",
            "street_work",
            "domestic_work",
            "construction",
            "manufacturing",
            "shops_services",
            "waste_collection",
        ]
        fu_kinds = [k.value for k in cm.FollowUp.Kind]
        horizons = [h.value for h in cm.PlanGoal.Horizon]
        ref_statuses = ("sent", "acknowledged", "accepted", "delivered", "closed", "declined")
        last_household: list[tuple[str, int] | None] = [None] * self.k
        rand = rng.random
        randint = rng.randint
        choice = rng.choice
        choices = rng.choices
        getrandbits = rng.getrandbits
        randrange = rng.randrange

        def uid() -> str:
            """A random (version 4) UUID, as its text."""
            h = f"{getrandbits(128) & _UUID_MASK | _UUID_V4:032x}"
            return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

        def at(day: date) -> datetime:
            """A moment during office hours (UTC) on ``day``."""
            return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
                seconds=randrange(6 * 3600, 15 * 3600), microseconds=randrange(1_000_000)
            )

        pieces: list[tuple[str, str, Any]] = []
        add_piece = pieces.append
        prefix_of = events.prefix
        rest = events.rest  # COPY text of the other columns, when constant
        sop_js = _js(sop_ver)
        sop_copy = copy_text(sop_ver)
        null = "null"

        def event(
            t: datetime,
            actor: int | None,
            action: str,
            otype: str,
            oid: Any,
            case_id: str,
            summary: str = "",
            changes: dict[str, Any] = _EMPTY,
        ) -> None:
            eid = uid()
            oid_s = str(oid)
            ts = iso(t)
            # The canonical text of fanous.audit.chain.event_hash (keys sorted), in two
            # parts around "prev_hash" and "seq".
            head = (
                f'{{"action":{_js(action)},"actor_id":'
                f"{null if actor is None else _js(str(actor))},"
                f'"at":"{ts}","case_id":"{case_id}","changes":{_canon(changes)},'
                f'"id":"{eid}","ip":null,"object_id":{_js(oid_s)},'
                f'"object_type":{_js(otype)},"prev_hash":"'
            )
            tail = f',"sop_version":{sop_js},"summary":{_js(summary)}}}'
            if rest is not None:  # PostgreSQL: the COPY text, in EVENT_COLUMNS order
                add_piece(
                    (
                        head,
                        tail,
                        f"{eid}\t{ts}\t{_N if actor is None else actor}\t{_copy(action)}\t"
                        f"{_copy(otype)}\t{_copy(oid_s)}\t{case_id}\t{_copy(summary)}\t"
                        f"{_copy_json(changes)}\t{sop_copy}\t\t\\N\t{rest}",
                    )
                )
                return
            prefix = prefix_of(
                {
                    "id": eid,
                    "at": t,
                    "actor_id": actor,
                    "action": action,
                    "object_type": otype,
                    "object_id": oid_s,
                    "case_id": case_id,
                    "summary": summary,
                    "changes": changes,
                    "sop_version": sop_ver,
                    "request_id": "",
                    "ip": None,
                }
            )
            add_piece((head, tail, prefix))

        for idx in range(b * self.block, min(self.n, (b + 1) * self.block)):
            ai = self.case_agency[idx]
            status = self.case_status[idx]
            stage = STAGE[status]
            agency = self.agencies[ai]
            area_id = self.areas[ai].pk
            cws = self.caseworkers[ai]
            # Dates: open cases started in the last six months, closed ones in three years.
            if status in OPEN:
                cw: int | None = cws[open_counter[ai] % len(cws)]
                open_counter[ai] += 1
                if status == S.IDENTIFIED and rand() < 0.3:
                    cw = None  # helpline intake waiting for a supervisor to assign it
                span = randint(2, 40) if stage <= 1 else randint(10, 180)
                start = today - timedelta(days=span)
                end = today
            else:
                cw = choice(cws)
                span = randint(60, 365) if stage == 8 else randint(1, 10)
                start = today - timedelta(days=randint(span, 1095))
                end = start + timedelta(days=span)
            creator = cw or self.helpline[ai]
            sup = self.supervisor_of.get(cw or 0) or self.supervisors[ai][0]
            # Step days, increasing, from start to end.
            marks = sorted(randint(0, max(1, (end - start).days)) for _ in range(8))
            day = [start + timedelta(days=m) for m in marks]
            identified = at(start)

            # Child and household
            sex = "f" if rand() < 0.35 else "m"
            given = choice(choice(N.FEMALE if sex == "f" else N.MALE))
            father = choice(choice(N.MALE))
            grandfather = choice(choice(N.MALE)) if rand() < 0.5 else ""
            family = choice(choice(N.FAMILY))
            if rand() < 0.03:
                given = choice(N.LATIN_FEMALE if sex == "f" else N.LATIN_MALE)
                father = choice(N.LATIN_MALE)
                grandfather = ""
                family = choice(N.LATIN_FAMILY)
            full = " ".join(x for x in (given, father, grandfather, family) if x)
            age = choices(AGES, AGE_WEIGHTS)[0]
            birth = start - timedelta(days=age * 365 + randint(0, 364))
            nat, legal = choice(nat_pool)
            lh = last_household[ai]
            if lh is not None and lh[1] < 3 and rand() < 0.25:
                hh_id = lh[0]
                last_household[ai] = (hh_id, lh[1] + 1)
            else:
                hh_id = uid()
                last_household[ai] = (hh_id, 1)
                W[cm.Household].add(
                    {
                        "id": hh_id,
                        "created_at": identified,
                        "updated_at": identified,
                        "agency_id": agency.pk,
                        "area_id": area_id,
                        "address": f"حي {randint(1, 60)}، شارع {randint(1, 200)}",
                        "phone": f"07{randint(70000000, 99999999)}",
                    }
                )
                W[cm.HouseholdMember].add(
                    {
                        "id": uid(),
                        "created_at": identified,
                        "updated_at": identified,
                        "household_id": hh_id,
                        "name": f"{choice(choice(N.FEMALE))} {family}",
                        "relation": "mother",
                        "sex": "f",
                        "is_caregiver": True,
                        "works": rand() < 0.3,
                        "in_school": False,
                    }
                )
            child_id = uid()
            crow: dict[str, Any] = {
                "id": child_id,
                "created_at": identified,
                "updated_at": identified,
                "household_id": hh_id,
                "agency_id": agency.pk,
                "given_name": given,
                "father_name": father,
                "grandfather_name": grandfather,
                "family_name": family,
                "sex": sex,
                "birth_date": birth,
                "birth_date_estimated": rand() < 0.2,
                "nationality": nat,
                "legal_status": legal,
                "disability": rand() < 0.04,
                "languages": "ar",
            }
            if has_key:
                crow["name_key"] = normalize_name(full)
            if has_digest:
                crow["name_digest"] = name_digest(full)
            W[cm.Child].add(crow)

            case_id = uid()
            seq_per_agency[ai] += 1
            crow = {
                "id": case_id,
                "created_at": identified,
                "case_number": f"{agency.code}-{seq_per_agency[ai]:07d}",
                "child_id": child_id,
                "agency_id": agency.pk,
                "area_id": area_id,
                "caseworker_id": cw,
                "created_by_id": creator,
                "status": status.value,
                "sop_version_id": sop_id,
                "concerns": CONCERNS,
                "source": choice(("outreach", "outreach", "helpline", "referral", "walk-in")),
                "immediate_needs": [],
                "eligibility_criteria": ELIGIBILITY,
                "eligible": status != S.NOT_ELIGIBLE,
                "identified_at": identified,
            }
            event(identified, creator, "create", "cases.case", case_id, case_id, "identified")
            if status == S.NOT_ELIGIBLE:
                crow["not_eligible_reason"] = "Not in child labour at present."
            if status == S.REFERRED_OUT:
                crow["referred_out_to"] = "Partner agency"
            last_t = identified
            level = RiskLevel.NONE
            if stage >= 1:
                t = at(day[0])
                crow["registered_at"] = t
                for purpose in ("services", "information_sharing"):
                    cid = uid()
                    W[cm.Consent].add(
                        {
                            "id": cid,
                            "created_at": t,
                            "updated_at": t,
                            "case_id": case_id,
                            "purpose": purpose,
                            "giver": "caregiver",
                            "giver_name": f"{choice(choice(N.FEMALE))} {family}",
                            "giver_relation": "mother",
                            "given": purpose == "services" or rand() < 0.8,
                            "method": "verbal",
                            "recorded_by_id": cw,
                            "recorded_on": day[0],
                        }
                    )
                event(t, cw, "consent", "cases.consent", cid, case_id, "consent")
                W[cm.Registration].add(
                    {
                        "id": uid(),
                        "created_at": t,
                        "updated_at": t,
                        "case_id": case_id,
                        "work_type": choice(work_types),
                        "hours_per_day": randint(3, 11),
                        "days_per_week": randint(4, 7),
                        "concern_hazardous_work": rand() < 0.4,
                        "education_status": choice(("enrolled", "dropped_out", "never_enrolled")),
                        "registered_by_id": cw,
                        "sop_version_id": sop_id,
                    }
                )
                event(
                    t,
                    cw,
                    "transition",
                    "cases.case",
                    case_id,
                    case_id,
                    "registered",
                    CH_REGISTERED,
                )
                last_t = t
            if stage >= 2:
                for kind, di, done in (("initial", 1, True), ("comprehensive", 2, stage >= 3)):
                    if not done:
                        break
                    t = at(day[di])
                    facts, lvl, factors = patterns[randint(0, len(patterns) - 1)]
                    aid = uid()
                    W[cm.Assessment].add(
                        {
                            "id": aid,
                            "created_at": t,
                            "updated_at": t,
                            "case_id": case_id,
                            "kind": kind,
                            "assessed_on": day[di],
                            **facts,
                            "narrative": NARRATIVE,
                            "risk_level": lvl.value,
                            "risk_factors": factors,
                            "sop_version_id": sop_id,
                            "recorded_by_id": cw,
                        }
                    )
                    event(t, cw, "assessment", "cases.assessment", aid, case_id, kind)
                    if lvl != level:
                        W[cm.RiskChange].add(
                            {
                                "id": uid(),
                                "created_at": t,
                                "updated_at": t,
                                "case_id": case_id,
                                "kind": "computed",
                                "from_level": level.value,
                                "to_level": lvl.value,
                                "computed_level": lvl.value,
                                "reason": "Computed from the assessment.",
                                "factors": factors,
                                "assessment_id": aid,
                                "sop_version_id": sop_id,
                                "changed_by_id": cw,
                            }
                        )
                        event(
                            t,
                            cw,
                            "risk_change",
                            "cases.case",
                            case_id,
                            case_id,
                            "risk",
                            _risk_change(level.value, lvl.value),
                        )
                        level = lvl
                    crow[f"{kind}_assessed_at"] = t
                    crow[f"{kind}_assessed_on"] = day[di]
                    last_t = t
            tf = tfs.get(level.value) or tfs["low"]
            if stage >= 4:
                t = at(day[3])
                pid = uid()
                approved = stage >= 5
                t2 = at(day[4]) if approved else None
                W[cm.CasePlan].add(
                    {
                        "id": pid,
                        "created_at": t,
                        "updated_at": t2 or t,
                        "case_id": case_id,
                        "status": "approved" if approved else "submitted",
                        "root_causes": "دخل الأسرة غير كافٍ.",
                        "safety_contacts": "الأم" if level == RiskLevel.HIGH else "",
                        "warning_signs": "غياب عن المدرسة" if level == RiskLevel.HIGH else "",
                        "due_on": day[3],
                        "submitted_at": t,
                        "submitted_by_id": cw,
                        "decided_at": t2,
                        "decided_by_id": sup if approved else None,
                        "sop_version_id": sop_id,
                    }
                )
                for g in range(randint(2, 3)):
                    gid = uid()
                    W[cm.PlanGoal].add(
                        {
                            "id": gid,
                            "created_at": t,
                            "updated_at": t,
                            "plan_id": pid,
                            "position": g,
                            "horizon": horizons[g % len(horizons)],
                            "description": "العودة إلى التعليم" if g == 0 else "دعم دخل الأسرة",
                        }
                    )
                    for a in range(randint(1, 2)):
                        done_a = stage >= 6 and rand() < 0.5
                        W[cm.PlanAction].add(
                            {
                                "id": uid(),
                                "created_at": t,
                                "updated_at": t,
                                "goal_id": gid,
                                "position": a,
                                "description": "إحالة إلى خدمة",
                                "responsible": "الأخصائي",
                                "due_on": day[3] + timedelta(days=30),
                                "status": "done" if done_a else "open",
                                "completed_on": day[5] if done_a else None,
                            }
                        )
                crow["plan_submitted_at"] = t
                crow["plan_due_on"] = day[2] + timedelta(days=tf["plan_due_days"])
                event(t, cw, "plan", "cases.caseplan", pid, case_id, "submitted")
                if approved and t2 is not None:
                    crow["plan_approved_at"] = t2
                    crow["follow_up_started_on"] = day[4]
                    event(
                        t2,
                        sup,
                        "transition",
                        "cases.case",
                        case_id,
                        case_id,
                        "plan approved",
                        CH_PLAN_APPROVED,
                    )
                last_t = t2 or t
            if stage >= 6:
                n_fu = randint(1, 6)
                fu_days = sorted(
                    day[4] + timedelta(days=randint(0, max(1, (day[6] - day[4]).days)))
                    for _ in range(n_fu)
                )
                for d in fu_days:
                    t = at(d)
                    fid = uid()
                    W[cm.FollowUp].add(
                        {
                            "id": fid,
                            "created_at": t,
                            "updated_at": t,
                            "case_id": case_id,
                            "kind": choice(fu_kinds),
                            "happened_on": d,
                            "child_seen": rand() < 0.8,
                            "checks": CHECKS_YES if rand() < 0.5 else CHECKS_NO,
                            "notes": "",
                            "sop_version_id": sop_id,
                            "recorded_by_id": cw,
                        }
                    )
                    event(t, cw, "follow_up", "cases.followup", fid, case_id, "follow-up")
                crow["last_follow_up_on"] = fu_days[-1]
                if rand() < 0.35:
                    prov, stype = choice(self.providers[choice(range(self.k))])
                    t = at(day[5])
                    rst = choice(ref_statuses)
                    rid = uid()
                    W[Referral].add(
                        {
                            "id": rid,
                            "created_at": t,
                            "updated_at": t,
                            "case_id": case_id,
                            "number": 1,
                            "provider_id": prov,
                            "kind": choice(self.referral_types),
                            "urgent": level == RiskLevel.HIGH,
                            "service_type": stype,
                            "reason": "يحتاج الطفل إلى الخدمة.",
                            "sections": SECTIONS,
                            "shared": {},
                            "basis": "consent",
                            "accompaniment": [],
                            "status": rst,
                            "sender_id": cw,
                            "sender_agency_id": agency.pk,
                            "sent_at": t,
                            "acknowledge_by": t + timedelta(hours=72),
                            "respond_by": t + timedelta(hours=168),
                            "deliver_by": t + timedelta(days=30),
                            "acknowledged_at": t + timedelta(hours=30) if rst != "sent" else None,
                            "sop_version_id": sop_id,
                        }
                    )
                    event(t, cw, "referral", "referrals.referral", rid, case_id, "sent")
                last_t = at(fu_days[-1])
            if stage >= 7:
                t = at(day[7])
                closed = stage == 8
                W[cm.ClosureRequest].add(
                    {
                        "id": uid(),
                        "created_at": t,
                        "updated_at": t,
                        "case_id": case_id,
                        "reason": "goals_met",
                        "requested_from": "implementation",
                        "flags": [],
                        "justification": "تحققت أهداف الخطة.",
                        "requested_by_id": cw,
                        "decision": "approved" if closed else "pending",
                        "decided_by_id": sup if closed else None,
                        "decided_at": t if closed else None,
                        "sop_version_id": sop_id,
                    }
                )
                crow["closure_requested_at"] = t
                event(t, cw, "closure", "cases.case", case_id, case_id, "closure requested")
                if closed:
                    crow["closed_at"] = t
                    crow["closure_reason"] = "goals_met"
                    event(
                        t,
                        sup,
                        "transition",
                        "cases.case",
                        case_id,
                        case_id,
                        "closed",
                        CH_CLOSED,
                    )
                last_t = t
            # Risk in effect, and the next deadline of the current step.
            override = ""
            if stage >= 2 and rand() < 0.02 and level != RiskLevel.HIGH:
                override = RiskLevel.from_rank(level.rank + 1).value
            effective = RiskLevel(override) if override else level
            crow["risk_computed"] = level.value
            crow["risk_override"] = override
            crow["risk_level"] = effective.value
            crow["risk_rank"] = effective.rank
            risk_counter[effective.value] += 1
            due: date | None = None
            if status == S.IDENTIFIED:
                due = day[0] + timedelta(days=3)
            elif stage in (1, 2):
                due = day[0] + timedelta(days=tf["assessment_due_days"])
                crow["assessment_due_on"] = due
            elif stage in (3, 4):
                due = crow.get("plan_due_on") or day[2] + timedelta(days=tf["plan_due_days"])
                crow["plan_due_on"] = due
            elif stage in (5, 6, 7):
                period = tf["follow_up_initial"]["period_days"]
                base = crow.get("last_follow_up_on") or day[4]
                due = base + timedelta(days=period)
                crow["next_follow_up_on"] = due
            crow["next_due_on"] = due if status in OPEN else None
            crow["updated_at"] = last_t
            W[cm.Case].add(crow)
        return pieces
