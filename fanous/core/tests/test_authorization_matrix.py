"""Authorization matrix (issue 4, must-show): every web URL and every API operation × every
persona × the object being their own, another team's or another agency's.

Generated, not hand-listed: the web URLs come from Django's resolver and the API operations
from the OpenAPI document, so a page or endpoint added later is covered without touching this
file (a path parameter this file cannot fill fails the test, on purpose).

Oracles
- no request answers 5xx;
- a persona who must not read a case never gets a 200 whose body carries that child's given
  name, family name or case number (HTML and JSON; a binary 200 on a case-scoped URL counts
  as a leak too). The service provider (sam) may see the child's identity on the referral's
  shared snapshot (identity is shared by default), but never the case itself;
- a POST/PUT/PATCH/DELETE with an empty or minimal body by a persona who must not act on the
  object changes nothing (row counts, versions, flags of every model are compared).

Each request runs inside a savepoint that is rolled back, so the world stays the same for
every request and the order of the matrix does not matter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from config.api import api
from fanous.accounts.access import Actor
from fanous.accounts.models import ApiToken
from fanous.cases.models import Case, PlanAction
from fanous.conftest import World, local_today, ok, registered_case
from fanous.exports.models import ExportJob
from fanous.exports.services import export_job_create
from fanous.notifications.models import Notification
from fanous.protection.models import CaseAccessGrant
from fanous.referrals.models import CaseTransfer, CashDisbursement, EmergencyBudget, Referral
from fanous.referrals.tests.cash_support import ask, year_budget
from fanous.sop.models import SopVersion
from fanous.web.tests.followup_support import plan_approved
from fanous.web.tests.referrals_support import consent_sharing, make_clinic, send

pytestmark = pytest.mark.django_db

PERSONAS = ("alice", "bob", "carol", "dave", "dora", "cora", "sam", "adam", "hana")

# Unusual names, so that finding them in a response can only mean the case leaked.
ALICE_CHILD = {"given_name": "ميسلون", "family_name": "البرغوثي"}
DAVE_CHILD = {"given_name": "شهرزاد", "family_name": "الطنطاوي"}

# Who may read each case (need to know: the assigned caseworker and her supervisor).
READERS = {"alice_case": {"alice", "bob"}, "dave_case": {"dave", "dora"}}
# Sam (service provider of agency B) receives the referral of alice's case: the referral's
# snapshot (which shares the identity by default) is his to read, the case is not.
SNAPSHOT_READERS = {"alice_case": {"sam"}}
# URLs whose 200 may carry the referral snapshot (for SNAPSHOT_READERS only).
SNAPSHOT_URL = re.compile(r"^(api/v1/)?(referrals|notifications)")

# By design, the agency admin's audit viewer and export list the case numbers of the agency's
# audit trail (who read or changed which case), never the child's name.
CASE_NUMBER_ONLY = {"adam": re.compile(r"^(audit/|api/v1/audit)")}

# Who may act on each kind of object; everyone else must change nothing.
ACTORS: dict[str, set[str]] = {
    "case": {"alice", "bob"},
    "referral": {"alice", "bob", "sam"},
    "transfer": {"alice", "bob", "dora"},
    "cash": {"alice", "bob"},
    "budget": {"adam"},
    "provider": {"cora", "adam", "dora"},
    "sop": {"cora"},
    "user": {"adam"},
    "notification": set(),  # filled with the recipient
    "job": {"bob"},  # an export job is its requester's only
}
# The persona's own settings, session, token or notifications: anyone may change them.
SELF_SERVICE = re.compile(
    r"^(language|preferences/|notifications/(badge|read-all)"
    r"|api/v1/(auth/(token|logout)|notifications/read-all))$"
)
# Creating new rows that belong to the persona (a new case, provider, budget, SOP draft…)
# is not a change to someone else's object; those URLs carry no object parameter.
CREATE_ONLY = re.compile(
    r"^(register/new/|services/(new|import)/|cash/budgets/|api/v1/(cases|services|services/import"
    r"|services/pathways/gaps|cash/budgets|cash/requests|referrals|transfers|sop/versions))$"
)
SKIP = re.compile(r"^(admin/|static/|accounts/(login|logout)/|api/v1/)")


@dataclass
class Objects:
    """The fixture world's objects, by the name of the path parameter that takes them."""

    params: dict[str, str]
    kinds: dict[str, str]  # path parameter -> kind of object (ACTORS key)
    versions: dict[str, int]
    secrets: dict[str, list[str]] = field(default_factory=dict)
    notification_recipient: str = ""


def build_objects(world: World) -> Objects:
    for user in world.users.values():
        user.language = "en"
        user.save(update_fields=["language"])
    alice, bob = world.api("alice"), world.api("bob")
    case = plan_approved(world, name=ALICE_CHILD["given_name"])
    cid = case["id"]
    child = Case.objects.get(pk=cid).child
    child.family_name = ALICE_CHILD["family_name"]
    child.save()
    case = ok(
        alice.post(
            f"/cases/{cid}/follow-ups",
            {"kind": "home_visit", "happened_on": local_today().isoformat()},
        ),
        201,
    )
    consent_sharing(alice, cid)
    clinic = make_clinic(world)
    referral = send(world, ok(alice.get(f"/cases/{cid}")), clinic)
    year_budget(world)
    item = ok(ask(alice, cid, "20.00"), 201)
    case = ok(alice.get(f"/cases/{cid}"))
    transfer = ok(
        alice.post(
            "/transfers",
            {
                "case_id": cid,
                "version": case["version"],
                "to_agency_id": str(world.agency_b.pk),
                "reason": "Livelihood programme in agency B's area.",
                "note_to_receiver": "A boy working in a workshop; needs vocational support.",
            },
        ),
        201,
    )
    transfer = ok(
        bob.post(f"/transfers/{transfer['id']}/approve", {"version": transfer["version"]})
    )
    # A share of alice's case with carol that has ended: the access pages have a grant to
    # act on, and nobody's visibility changes (READERS stays as it is).
    expired_grant = CaseAccessGrant.objects.create(
        case_id=cid,
        user=world.users["carol"],
        kind=CaseAccessGrant.Kind.SHARE,
        reason="Cover during leave (ended)",
        granted_by=world.users["alice"],
        starts_at=timezone.now() - timedelta(days=10),
        expires_at=timezone.now() - timedelta(days=3),
        sop_version=Case.objects.get(pk=cid).sop_version,
    )
    dave_case = registered_case(world.api("dave"), child=DAVE_CHILD)
    # bob's identified export of his team's cases: only bob may see or download it.
    job = export_job_create(
        actor=Actor.of(world.users["bob"]),
        kind=ExportJob.Kind.CASE_LIST_CSV,
        params={"identified": True},
        lang="en",
    )
    row = Case.objects.get(pk=cid)
    plan_action = PlanAction.objects.filter(goal__plan__case=row).first()
    assert plan_action is not None
    notification = Notification.objects.order_by("created_at").first()
    assert notification is not None
    consent = row.consents.first()
    sop = SopVersion.objects.order_by("-created_at").first()
    assert consent is not None
    assert sop is not None
    secrets = {
        key: [names["given_name"], names["family_name"], number]
        for key, names, number in (
            ("alice_case", ALICE_CHILD, row.case_number),
            ("dave_case", DAVE_CHILD, Case.objects.get(pk=dave_case["id"]).case_number),
        )
    }
    return Objects(
        params={
            "case_id": cid,
            "referral_id": referral["id"],
            "transfer_id": transfer["id"],
            "item_id": item["id"],
            "budget_id": str(EmergencyBudget.objects.get().pk),
            "provider_id": str(clinic.pk),
            "notification_id": str(notification.pk),
            "consent_id": str(consent.pk),
            "action_id": str(plan_action.pk),
            "sop_id": str(sop.pk),
            "user_id": str(world.users["alice"].pk),
            "grant_id": str(expired_grant.pk),
            "job_id": str(job.pk),
            "concern": "child_labour",
            "action": "accept",
        },
        kinds={
            "case_id": "case",
            "consent_id": "case",
            "action_id": "case",
            "grant_id": "case",
            "referral_id": "referral",
            "transfer_id": "transfer",
            "item_id": "cash",
            "budget_id": "budget",
            "provider_id": "provider",
            "sop_id": "sop",
            "user_id": "user",
            "notification_id": "notification",
            "job_id": "job",
        },
        versions={
            "case": row.version,
            "referral": Referral.objects.get(pk=referral["id"]).version,
            "transfer": CaseTransfer.objects.get(pk=transfer["id"]).version,
            "cash": CashDisbursement.objects.get(pk=item["id"]).version,
        },
        secrets=secrets,
        notification_recipient=notification.user.username,
    )


# ----------------------------------------------------------------------------- generation

_WEB_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
_API_PARAM = re.compile(r"{(\w+)}")
CASE_PARAMS = {"case_id", "consent_id", "action_id", "grant_id"}


@dataclass(frozen=True)
class Route:
    """One URL pattern or API operation, with its path parameters filled from the world."""

    key: (
        str  # the pattern, without leading slash: "cases/<uuid:case_id>/", "api/v1/cases/{case_id}"
    )
    url: str
    params: tuple[str, ...]
    methods: tuple[str, ...]
    api: bool

    @property
    def kinds(self) -> set[str]:
        return {p for p in self.params if p not in ("action", "concern")}


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _fill(
    pattern: re.Pattern[str], key: str, params: dict[str, str]
) -> tuple[str, tuple[str, ...]]:
    names = tuple(pattern.findall(key))
    missing = [n for n in names if n not in params]
    assert not missing, (
        f"{key}: no object in the matrix world for {missing}; add one to build_objects"
    )
    return pattern.sub(lambda m: params[m.group(1)], key), names


def web_routes(params: dict[str, str]) -> list[Route]:
    routes = []
    for key in _walk(get_resolver()):
        if SKIP.match(key):
            continue
        url, names = _fill(_WEB_PARAM, key, params)
        routes.append(Route(key, "/" + url, names, ("get", "post"), api=False))
    return routes


def api_routes(params: dict[str, str]) -> list[Route]:
    routes = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        key = path.lstrip("/")
        url, names = _fill(_API_PARAM, key, params)
        methods = tuple(m for m in operations if m in ("get", "post", "put", "patch", "delete"))
        routes.append(Route(key, "/" + url, names, methods, api=True))
    return routes


# ----------------------------------------------------------------------------- oracles


def _body_text(res: Any) -> str:
    content = b"".join(res.streaming_content) if res.streaming else res.content
    text = content.decode("utf-8", "replace")
    if "json" in res.get("Content-Type", ""):
        try:
            text += json.dumps(json.loads(content), ensure_ascii=False)
        except ValueError:
            pass
    return text


def _is_text(res: Any) -> bool:
    ctype = res.get("Content-Type", "")
    return ctype.startswith("text/") or "json" in ctype


def _snapshot() -> list[tuple[str, int, tuple[Any, ...]]]:
    """Row counts, versions, statuses and flags of every model (the audit and sessions
    excepted: refusals may be audited, and logging in writes a session)."""
    out = []
    tables = set(connection.introspection.table_names())
    for model in apps.get_models():
        if model._meta.app_label in ("audit", "sessions", "admin", "contenttypes"):
            continue
        if model._meta.db_table not in tables:
            continue
        names = {f.attname for f in model._meta.concrete_fields}
        cols = [
            c for c in ("version", "status", "is_active", "read_at", "caseworker_id") if c in names
        ]
        qs = model._default_manager.all()
        rows = tuple(qs.order_by("pk").values_list("pk", *cols)) if cols else ()
        out.append((model._meta.label, qs.count(), rows))
    return out


def _diff(before: list[Any], after: list[Any]) -> list[str]:
    return [b[0] for b, a in zip(before, after, strict=True) if b != a]


@dataclass
class Matrix:
    world: World
    objects: Objects
    clients: dict[str, Client] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    requests: int = 0

    @classmethod
    def build(cls, world: World) -> Matrix:
        objects = build_objects(world)
        matrix = cls(world=world, objects=objects)
        for name in PERSONAS:
            client = Client()
            client.force_login(world.users[name])
            matrix.clients[name] = client
            matrix.tokens[name] = ApiToken.issue(world.users[name])[1]
        return matrix

    def call(self, persona: str, route: Route, method: str, url: str, body: dict[str, Any]) -> Any:
        client = self.clients[persona]
        self.requests += 1
        if route.api:
            kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[persona]}"}
            if method != "get":
                kwargs.update(data=json.dumps(body), content_type="application/json")
            return getattr(client, method)(url, **kwargs)
        return getattr(client, method)(url, body) if method == "post" else client.get(url)

    def fail(self, persona: str, method: str, url: str, what: str) -> None:
        self.failures.append(f"{persona:6} {method.upper():6} {url}: {what}")

    # --- reads -------------------------------------------------------------------------

    def secrets_hidden_from(self, persona: str, route: Route) -> dict[str, list[str]]:
        hidden = {}
        for case_key, secrets in self.objects.secrets.items():
            if persona in READERS[case_key]:
                continue
            if persona in SNAPSHOT_READERS.get(case_key, set()) and SNAPSHOT_URL.match(route.key):
                continue
            rule = CASE_NUMBER_ONLY.get(persona)
            if rule and rule.match(route.key) and case_key == "alice_case":
                secrets = secrets[:2]  # the names stay hidden; the case number may show
            hidden[case_key] = secrets
        return hidden

    def check_get(self, persona: str, route: Route, url: str, case_key: str) -> None:
        try:
            with transaction.atomic():
                res = self.call(persona, route, "get", url, {})
                transaction.set_rollback(True)
        except Exception as exc:  # the test client re-raises a view's exception (a 500)
            self.fail(persona, "get", url, f"raised {exc!r}")
            return
        if res.status_code >= 500:
            self.fail(persona, "get", url, f"status {res.status_code}")
            return
        hidden = self.secrets_hidden_from(persona, route)
        if res.status_code != 200:
            return
        scoped = bool(CASE_PARAMS & set(route.params))
        if scoped and case_key in hidden:
            self.fail(persona, "get", url, "200 on a case the persona may not read")
        if not _is_text(res):
            if hidden and set(route.params) & {"referral_id", "transfer_id", "item_id"}:
                if case_key in hidden and not (
                    persona in SNAPSHOT_READERS.get(case_key, set())
                    and SNAPSHOT_URL.match(route.key)
                ):
                    self.fail(persona, "get", url, "binary 200 about a case not theirs")
            return
        text = _body_text(res)
        for key, secrets in hidden.items():
            seen = [s for s in secrets if s in text]
            if seen:
                self.fail(persona, "get", url, f"leaks {key}: {seen}")

    # --- writes ------------------------------------------------------------------------

    def may_act(self, persona: str, route: Route) -> bool:
        if SELF_SERVICE.match(route.key) or (not route.params and CREATE_ONLY.match(route.key)):
            return True
        allowed = set(PERSONAS)
        for param in route.params:
            kind = self.objects.kinds.get(param)
            if kind == "notification":
                allowed &= {self.objects.notification_recipient}
            elif kind:
                allowed &= ACTORS[kind]
        if not route.params:
            # Lists and queues: acting on them (read-all, …) is per persona.
            return True
        return persona in allowed

    def minimal_body(self, route: Route) -> dict[str, Any]:
        kind = next(
            (self.objects.kinds[p] for p in reversed(route.params) if p in self.objects.kinds),
            "case",
        )
        version = self.objects.versions.get(kind, self.objects.versions["case"])
        return {"version": version, "note": "x", "reason": "x", "justification": "x"}

    def check_write(self, persona: str, route: Route, method: str, baseline: list[Any]) -> None:
        # Those who may act send an empty body (no 5xx); the others a minimal valid-looking
        # one (the right version, a note), which only the access rules can refuse.
        check = not self.may_act(persona, route)
        for body in (self.minimal_body(route),) if check else ({},):
            changed: list[str] = []
            try:
                with transaction.atomic():
                    res = self.call(persona, route, method, route.url, body)
                    if check and res.status_code < 500:
                        changed = _diff(baseline, _snapshot())
                    transaction.set_rollback(True)
            except Exception as exc:
                self.fail(persona, method, route.url, f"raised {exc!r} with {body}")
                continue
            if res.status_code >= 500:
                self.fail(persona, method, route.url, f"status {res.status_code} with {body}")
            if changed:
                self.fail(
                    persona, method, route.url, f"{res.status_code} changed {changed} with {body}"
                )


def _report(matrix: Matrix) -> str:
    return f"{len(matrix.failures)} failures in {matrix.requests} requests:\n" + "\n".join(
        matrix.failures
    )


def _gets(matrix: Matrix, routes: list[Route], dave_case_id: str) -> None:
    for route in routes:
        if "get" not in route.methods:
            continue
        targets = [(route.url, "alice_case")]
        if "case_id" in route.params and not (set(route.params) - {"case_id"}):
            targets.append(
                (route.url.replace(matrix.objects.params["case_id"], dave_case_id), "dave_case")
            )
        for url, case_key in targets:
            for persona in PERSONAS:
                matrix.check_get(persona, route, url, case_key)


def _writes(matrix: Matrix, routes: list[Route]) -> None:
    baseline = _snapshot()
    for route in routes:
        for method in route.methods:
            if method == "get":
                continue
            for persona in PERSONAS:
                matrix.check_write(persona, route, method, baseline)


def _dave_case_id() -> str:
    return str(Case.objects.get(created_by__username="dave").pk)


# ----------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("case_scoped", [True, False], ids=["case-pages", "other-pages"])
def test_web_pages_leak_no_case_data_and_never_fail(world: World, case_scoped: bool) -> None:
    matrix = Matrix.build(world)
    routes = [
        r for r in web_routes(matrix.objects.params) if ("case_id" in r.params) == case_scoped
    ]
    _gets(matrix, routes, _dave_case_id())
    assert not matrix.failures, _report(matrix)


def test_web_posts_by_outsiders_change_nothing_and_never_fail(world: World) -> None:
    matrix = Matrix.build(world)
    _writes(matrix, web_routes(matrix.objects.params))
    assert not matrix.failures, _report(matrix)


def test_api_reads_leak_no_case_data_and_never_fail(world: World) -> None:
    matrix = Matrix.build(world)
    _gets(matrix, api_routes(matrix.objects.params), _dave_case_id())
    assert not matrix.failures, _report(matrix)


def test_api_writes_by_outsiders_change_nothing_and_never_fail(world: World) -> None:
    matrix = Matrix.build(world)
    _writes(matrix, api_routes(matrix.objects.params))
    assert not matrix.failures, _report(matrix)


def test_the_matrix_covers_every_url_and_operation(world: World) -> None:
    """Generated coverage: every web URL (but admin, static, log in/out) and API operation."""
    objects = build_objects(world)
    web, ops = web_routes(objects.params), api_routes(objects.params)
    assert len(web) >= 60
    assert sum(len(r.methods) for r in ops) >= 70
    assert {"cases/<uuid:case_id>/", "api/v1/cases/{case_id}/history"} <= {r.key for r in web + ops}
