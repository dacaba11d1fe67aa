"""Builds the demo world through the services, as if over the last four months."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from fanous.accounts.access import Actor
from fanous.accounts.models import Agency, Area, Team, TeamMembership, User
from fanous.cases import services
from fanous.cases.models import Case
from fanous.domain.roles import Role
from fanous.domain.workflow import CaseStatus
from fanous.sop.services import sop_install_default

PASSWORD = "fanous-demo-2026"
TZ = ZoneInfo("Asia/Amman")

BOYS = [
    "أحمد",
    "محمد",
    "عمر",
    "يوسف",
    "خالد",
    "علي",
    "حسن",
    "إبراهيم",
    "مصطفى",
    "عبد الله",
    "محمود",
    "سامر",
    "باسل",
    "زياد",
    "طارق",
    "آدم",
    "حمزة",
    "كريم",
    "مالك",
    "أنس",
]
GIRLS = [
    "فاطمة",
    "مريم",
    "زينب",
    "سارة",
    "آية",
    "نور",
    "هبة",
    "رهف",
    "جنى",
    "لين",
    "ريم",
    "سلمى",
    "دعاء",
    "إسراء",
    "رغد",
]
FATHERS = ["محمود", "أحمد", "خليل", "سليمان", "جمال", "عادل", "ناصر", "فؤاد", "رامي", "وليد"]
FAMILIES = [
    "الحمصي",
    "العلي",
    "الخطيب",
    "الحلبي",
    "الزعبي",
    "المصري",
    "الشامي",
    "النجار",
    "الحداد",
    "العبدالله",
    "الأحمد",
    "السوري",
    "الدرعاوي",
    "الإدلبي",
    "البدوي",
]
NATIONALITIES = ["SY", "SY", "SY", "JO", "IQ", "SY", "YE", "SD"]
WORK = [
    "street_vending",
    "agriculture",
    "mechanic_workshop",
    "construction",
    "shop",
    "domestic_work",
    "waste_collection",
    "begging",
]


@dataclass(frozen=True)
class Profile:
    """Facts that put a child at a risk level in the default matrix."""

    facts: dict[str, Any]
    age_range: tuple[int, int]


PROFILES = {
    "high": [
        Profile(
            {"trafficking": True, "hours_per_week": 50, "separated_from_family": True}, (12, 17)
        ),
        Profile(
            {
                "hazardous_by_nature": True,
                "hours_per_week": 48,
                "hazard.heavy_loads": True,
                "hazard.sharp_or_unguarded_tools": True,
            },
            (13, 17),
        ),
        Profile({"abuse_at_work": True, "hours_per_week": 40, "night_work": True}, (10, 16)),
    ],
    "medium": [
        Profile(
            {"night_work": True, "hours_per_week": 30, "lives_with_caregivers": True}, (14, 17)
        ),
        Profile({"hours_per_week": 45, "hazard.weather_exposure": True}, (15, 17)),
        Profile({"hours_per_week": 25, "pay_to_others": True}, (15, 17)),
    ],
    "low": [
        Profile({"hours_per_week": 20, "hazard.dust_fumes_noise": True}, (15, 17)),
        Profile({"hours_per_week": 15, "family_meets_basic_needs": True}, (15, 17)),
    ],
    "none": [
        Profile(
            {"hours_per_week": 0, "lives_with_caregivers": True, "attends_school": True}, (8, 14)
        ),
    ],
}

# Target stage for each of the 50 children (SPEC §3-§9), with the risk band to give it.
STAGES: list[tuple[str, str]] = (
    [("identified", "medium")] * 3
    + [("not_eligible", "none")] * 2
    + [("referred_out", "none")] * 2
    + [("registered", "medium"), ("registered", "low"), ("registered", "high")]
    + [("initial_assessment", r) for r in ("high", "medium", "low", "medium", "high")]
    + [("comprehensive_assessment", r) for r in ("high", "medium", "low", "medium", "low")]
    + [("plan_pending_approval", r) for r in ("high", "medium", "low", "medium")]
    + [("plan_approved", r) for r in ("high", "medium", "low")]
    + [
        ("implementation", r)
        for r in (
            "high",
            "high",
            "high",
            "medium",
            "medium",
            "medium",
            "medium",
            "low",
            "low",
            "low",
            "low",
            "high",
            "medium",
        )
    ]
    + [("closure_requested", r) for r in ("low", "medium", "low")]
    + [("closed", r) for r in ("low", "low", "medium", "none")]
    + [("initial_assessment", "none")]
)


def _noon(d: date) -> datetime:
    return datetime.combine(d, time(9, 30), tzinfo=TZ).astimezone(UTC)


class Clock:
    """Runs each step of a case's story at a moment in the past."""

    def __init__(self, start: date) -> None:
        self.day = start

    def at(self, days_later: int, fn: Callable[[], Any]) -> Any:
        self.day = self.day + timedelta(days=days_later)
        with time_machine.travel(_noon(self.day), tick=False):
            return fn()


def _world() -> dict[str, Any]:
    amman = Area.objects.create(
        code="JO-AM", kind=Area.Kind.GOVERNORATE, name_ar="عمّان", name_en="Amman", name_fr="Amman"
    )
    districts = [
        Area.objects.create(
            code=code, kind=Area.Kind.DISTRICT, parent=amman, name_ar=ar, name_en=en, name_fr=en
        )
        for code, ar, en in (
            ("JO-AM-MARKA", "ماركا", "Marka"),
            ("JO-AM-SAHAB", "سحاب", "Sahab"),
            ("JO-AM-QWEISMEH", "القويسمة", "Al-Qweismeh"),
        )
    ]
    sop_install_default(area=amman)
    agencies = {
        code: Agency.objects.create(code=code, name_ar=ar, name_en=en, name_fr=fr, area=amman)
        for code, ar, en, fr in (
            (
                "AGN-A",
                "جمعية الأمل لحماية الطفل",
                "Al-Amal Child Protection Society",
                "Société Al-Amal pour la protection de l'enfance",
            ),
            (
                "AGN-B",
                "مؤسسة النور للتنمية",
                "Al-Nour Development Foundation",
                "Fondation Al-Nour pour le développement",
            ),
            ("AGN-C", "جمعية بسمة", "Basma Association", "Association Basma"),
        )
    }

    def user(username: str, role: Role, agency: str | None, first: str, last: str) -> User:
        return User.objects.create_user(
            username=username,
            password=PASSWORD,
            role=role.value,
            agency=agencies[agency] if agency else None,
            first_name=first,
            last_name=last,
            language="ar",
        )

    u = {
        "amal": user("amal", Role.CASEWORKER, "AGN-A", "أمل", "حداد"),
        "omar": user("omar", Role.CASEWORKER, "AGN-A", "عمر", "سالم"),
        "huda": user("huda", Role.CASEWORKER, "AGN-A", "هدى", "منصور"),
        "samir": user("samir", Role.SUPERVISOR, "AGN-A", "سمير", "خوري"),
        "rania": user("rania", Role.SUPERVISOR, "AGN-A", "رانيا", "عيسى"),
        "khaled": user("khaled", Role.CASEWORKER, "AGN-B", "خالد", "يوسف"),
        "layla": user("layla", Role.SUPERVISOR, "AGN-B", "ليلى", "حسين"),
        "nour": user("nour", Role.CASEWORKER, "AGN-C", "نور", "قاسم"),
        "yousef": user("yousef", Role.SUPERVISOR, "AGN-C", "يوسف", "داود"),
        "admin_a": user("admin_a", Role.AGENCY_ADMIN, "AGN-A", "مدير", "النظام"),
        "coord": user("coord", Role.COORDINATOR, None, "منسق", "إجراءات العمل"),
        "provider": user("provider", Role.SERVICE_PROVIDER, "AGN-C", "مقدم", "الخدمة"),
        "helpline": user("helpline", Role.HELPLINE_COUNSELLOR, "AGN-A", "مستشار", "خط المساعدة"),
    }
    User.objects.create_superuser(username="root", password=PASSWORD, role=Role.COORDINATOR.value)
    teams = [
        ("AGN-A", "فريق ماركا", "samir", ["amal", "omar"]),
        ("AGN-A", "فريق سحاب", "rania", ["huda"]),
        ("AGN-B", "فريق القويسمة", "layla", ["khaled"]),
        ("AGN-C", "فريق بسمة", "yousef", ["nour"]),
    ]
    for agency, name, sup, members in teams:
        team = Team.objects.create(agency=agencies[agency], name=name, supervisor=u[sup])
        for m in members:
            TeamMembership.objects.create(team=team, user=u[m])
    return {"districts": districts, "users": u, "area": amman, "agencies": agencies}


SUPERVISOR_OF = {
    "amal": "samir",
    "omar": "samir",
    "huda": "rania",
    "khaled": "layla",
    "nour": "yousef",
}
CASEWORKERS = ["amal", "amal", "omar", "huda", "khaled", "nour", "amal", "omar"]


def _story(
    clock: Clock,
    stage: str,
    band: str,
    worker: Actor,
    supervisor: Actor,
    case: Case,
    rng: random.Random,
) -> None:
    """Walk one case to its target stage, one service call per step, days apart."""
    cid = case.pk

    def v() -> int:
        return Case.objects.get(pk=cid).version

    if stage in ("not_eligible", "referred_out"):
        clock.at(
            0,
            lambda: services.case_declare_not_eligible(
                actor=worker,
                case_id=cid,
                expected_version=v(),
                reason="الطفل لا يعمل ويعيش مع أسرته ومسجل في المدرسة؛ شرحنا ذلك للأسرة.",
            ),
        )
        if stage == "referred_out":
            clock.at(
                1,
                lambda: services.case_refer_out(
                    actor=worker,
                    case_id=cid,
                    expected_version=v(),
                    referred_to="مركز الدعم المجتمعي - برنامج التوعية الأسرية",
                    feedback="أُبلغت الجهة المحيلة",
                ),
            )
        return
    if stage == "identified":
        return
    for purpose in ("services", "information_sharing"):
        for giver in ("caregiver", "child"):
            clock.at(
                0,
                partial(
                    services.consent_record,
                    actor=worker,
                    case_id=cid,
                    record_id=None,
                    purpose=purpose,
                    giver=giver,
                    given=True,
                    giver_name="الأم" if giver == "caregiver" else "",
                    giver_relation="mother" if giver == "caregiver" else "",
                ),
            )
    clock.at(
        0,
        lambda: services.case_register(
            actor=worker,
            case_id=cid,
            expected_version=v(),
            data={
                "workplace_name": rng.choice(
                    ["ورشة تصليح سيارات", "سوق الخضار", "مزرعة", "محل حلويات", "موقع بناء"]
                ),
                "workplace_location": rng.choice(["ماركا الشمالية", "سحاب الصناعية", "القويسمة"]),
                "work_type": rng.choice(WORK),
                "tasks": "حمل البضائع والتنظيف",
                "hours_per_day": rng.choice([4, 6, 8, 10]),
                "days_per_week": rng.choice([5, 6, 7]),
                "whereabouts_when_not_working": "في المنزل",
                "education_status": rng.choice(["out_of_school", "irregular", "enrolled"]),
            },
        ),
    )
    if stage == "registered":
        return
    profile = rng.choice(PROFILES[band])
    clock.at(
        rng.randint(1, 3),
        lambda: services.assessment_record(
            actor=worker,
            case_id=cid,
            record_id=None,
            expected_version=None,
            kind="initial",
            assessed_on=clock.day,
            facts=profile.facts,
            narrative={},
        ),
    )
    if stage == "initial_assessment":
        return
    clock.at(
        rng.randint(1, 5),
        lambda: services.assessment_record(
            actor=worker,
            case_id=cid,
            record_id=None,
            expected_version=None,
            kind="comprehensive",
            assessed_on=clock.day,
            facts=profile.facts,
            narrative={
                "child_wishes": "أريد أن أتعلم مهنة وأن أساعد أهلي",
                "family_environment": "الأسرة لاجئة، الأب مريض ولا يعمل",
            },
        ),
    )
    if stage == "comprehensive_assessment":
        return
    case_now = Case.objects.get(pk=cid)
    if case_now.risk_level == "high":
        clock.at(
            0,
            lambda: services.review_record(
                actor=supervisor,
                case_id=cid,
                record_id=None,
                kind="supervision",
                held_on=clock.day,
                summary="نوقشت الحالة عالية الخطورة قبل أي إجراء",
                decisions="خطة سلامة فورية وزيارة مكان العمل",
            ),
        )
    due = clock.day + timedelta(days=14)
    plan = services.PlanData(
        goals=(
            services.GoalData(
                horizon="immediate",
                description="الحد من المخاطر في مكان العمل",
                actions=(
                    services.ActionData(
                        description="وساطة مع صاحب العمل لتقليل ساعات العمل",
                        responsible="الأخصائي الاجتماعي",
                        due_on=due,
                    ),
                ),
            ),
            services.GoalData(
                horizon="medium",
                description="العودة إلى التعليم",
                actions=(
                    services.ActionData(
                        description="التسجيل في برنامج التعليم غير النظامي",
                        responsible="مقدم خدمة التعليم",
                        due_on=due + timedelta(days=30),
                        service_type="education",
                    ),
                ),
            ),
            services.GoalData(
                horizon="long",
                kind="want",
                description="تعلم مهنة",
                actions=(
                    services.ActionData(
                        description="إحالة إلى تدريب مهني",
                        responsible="مقدم خدمة سبل العيش",
                        due_on=due + timedelta(days=60),
                        service_type="livelihoods",
                    ),
                ),
            ),
        ),
        root_causes="أسباب اقتصادية: دخل الأسرة لا يكفي",
        child_views="يريد أن يتعلم مهنة",
        caregiver_views="الأم تريد أن يعود إلى المدرسة",
        safety_contacts="الأخصائية 0790000000، خط نجدة الطفل 110",
        safe_places="المركز المجتمعي في ماركا",
        warning_signs="تهديد صاحب العمل، العمل ليلاً",
        protective_equipment="قفازات وحذاء آمن",
    )
    clock.at(
        1,
        lambda: services.plan_save_draft(
            actor=worker, case_id=cid, expected_version=v(), data=plan
        ),
    )
    clock.at(0, lambda: services.plan_submit(actor=worker, case_id=cid, expected_version=v()))
    if stage == "plan_pending_approval":
        return
    clock.at(
        1,
        lambda: services.plan_approve(
            actor=supervisor, case_id=cid, expected_version=v(), note="موافق"
        ),
    )
    if stage == "plan_approved":
        return
    kinds = ["home_visit", "workplace", "school", "phone", "home_visit", "service_provider"]
    visits = rng.randint(2, 6)
    for i in range(visits):
        gap = rng.randint(2, 9)
        if clock.day + timedelta(days=gap) >= timezone.localdate() - timedelta(days=1):
            break
        clock.day += timedelta(days=gap)
        clock.at(
            0,
            partial(
                services.follow_up_record,
                actor=worker,
                case_id=cid,
                record_id=None,
                kind=kinds[i % len(kinds)],
                happened_on=clock.day,
                child_seen=kinds[i % len(kinds)] != "phone",
                checks={
                    "school_enrolment_attendance": rng.choice(["yes", "no", "partly"]),
                    "safety_equipment_used": rng.choice(["yes", "no"]),
                },
                notes="زيارة متابعة",
            ),
        )
    if stage == "implementation":
        return
    # Closure: the plan's actions are done, then the caseworker asks the supervisor.
    for act in Case.objects.get(pk=cid).plans.get(status="approved").goals.all():
        for a in act.actions.all():
            clock.at(
                0,
                partial(
                    services.plan_action_set_status,
                    actor=worker,
                    case_id=cid,
                    action_id=a.pk,
                    status="done",
                ),
            )
    clock.at(
        1,
        lambda: services.closure_request(
            actor=worker,
            case_id=cid,
            expected_version=v(),
            reason="plan_goals_achieved",
            flags=[],
            justification="تحققت أهداف الخطة: الطفل عاد إلى التعليم وترك العمل الخطر",
            transition_plan="متابعة عبر المدرسة",
        ),
    )
    if stage == "closure_requested":
        return
    clock.at(
        1,
        lambda: services.closure_approve(
            actor=supervisor, case_id=cid, expected_version=v(), note="موافقة على الإغلاق"
        ),
    )


class Writer(Protocol):
    def write(self, msg: str) -> Any: ...


def load_demo(*, seed: int, out: Writer) -> bool:
    if User.objects.filter(username="amal").exists():
        return False
    rng = random.Random(seed)
    world = _world()
    users: dict[str, User] = world["users"]
    today = timezone.localdate()
    for n, (stage, band) in enumerate(STAGES):
        worker_name = CASEWORKERS[n % len(CASEWORKERS)]
        worker = Actor.of(users[worker_name])
        supervisor = Actor.of(users[SUPERVISOR_OF[worker_name]])
        profile = rng.choice(PROFILES[band])
        age = rng.randint(*profile.age_range)
        girl = rng.random() < 0.3
        born = today - timedelta(days=age * 365 + rng.randint(0, 300))
        late_stage = stage in ("implementation", "closure_requested", "closed")
        start = today - timedelta(days=rng.randint(25, 110) if late_stage else rng.randint(1, 14))
        clock = Clock(start)
        child = services.ChildData(
            given_name=rng.choice(GIRLS if girl else BOYS),
            father_name=rng.choice(FATHERS),
            family_name=rng.choice(FAMILIES),
            sex="f" if girl else "m",
            birth_date=born,
            birth_date_estimated=rng.random() < 0.2,
            nationality=rng.choice(NATIONALITIES),
            legal_status=rng.choice(["refugee", "refugee", "host", "asylum_seeker"]),
        )
        if stage in ("not_eligible", "referred_out"):
            criteria = []
        elif band == "none":
            criteria = ["at_risk_of_child_labour"]
        else:
            criteria = ["in_child_labour"]
        if band == "high":
            criteria.append("hazardous_work")
        case, _ = clock.at(
            0,
            partial(
                services.case_identify,
                actor=worker,
                case_id=None,
                child=child,
                area=rng.choice(world["districts"]),
                concerns=["child_labour"],
                eligibility_criteria=criteria,
                immediate_needs=rng.sample(["food", "medical", "psychosocial"], rng.randint(0, 2)),
                source=rng.choice(["outreach", "helpline", "referral", "walk_in"]),
                household_address="ماركا الشمالية - قرب المسجد",
                household_phone="0790000000",
            ),
        )
        _story(clock, stage, band, worker, supervisor, case, rng)
        final = Case.objects.get(pk=case.pk)
        if final.status != CaseStatus(stage).value:
            raise RuntimeError(f"demo case {n} ended at {final.status}, wanted {stage}")
    from fanous.referrals.demo import load as load_referrals

    load_referrals(area=world["area"], agencies=world["agencies"], users=users)
    out.write(
        f"Demo loaded: {Case.objects.count()} cases, {User.objects.count()} users. "
        f"Password for every demo user: {PASSWORD}\n"
    )
    return True
