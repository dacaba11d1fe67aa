"""Demo service map: about fifteen services in Amman's districts, across every sector.

Services that do not use Fanous (ministries, hospitals, a legal aid centre) are kept on
the map by the agency whose focal point maintains their entry (``in_app=False``): the
sender records their answers. No service offers rehabilitation, so a child with a
disability shows a service gap (SPEC §12).
"""

from __future__ import annotations

import uuid
from typing import Any

from fanous.accounts.access import Actor
from fanous.accounts.models import Agency, Area, User
from fanous.cases.models import Case
from fanous.core.errors import ServiceError
from fanous.referrals.selectors.pathways import pathway_proposals
from fanous.referrals.services.pathways import service_gap_record
from fanous.referrals.services.providers import ProviderData, provider_create

# Stable ids: loading the demo twice does not duplicate the map.
_NAMESPACE = uuid.UUID("6b0b0f3e-6a51-4d7e-9a55-2f7f9f0c5e11")

SERVICES: tuple[dict[str, Any], ...] = (
    {
        "agency": "AGN-C",
        "area": "JO-AM-MARKA",
        "name_ar": "مركز بسمة للدعم النفسي الاجتماعي",
        "name_en": "Basma Psychosocial Support Centre",
        "sector": "mhpss",
        "service_types": ("psychosocial_support", "group_activities"),
        "address": "ماركا الشمالية، شارع الملك عبدالله الأول، بجانب مسجد الهدى",
        "phone": "+962 6 489 1020",
        "email": "pss@basma.example.org",
        "contact_person": "رهف العلي",
        "languages": ("ar", "en"),
        "opening_hours": "الأحد - الخميس ٩:٠٠ - ١٦:٠٠",
        "eligibility": "أطفال من ٦ إلى ١٧ سنة ومقدمو الرعاية، دون شرط الجنسية.",
        "capacity": 30,
    },
    {
        "agency": "AGN-C",
        "area": "JO-AM-SAHAB",
        "name_ar": "عيادة بسمة الصحية المتنقلة",
        "name_en": "Basma Mobile Health Clinic",
        "sector": "health",
        "service_types": ("primary_health",),
        "address": "سحاب، المنطقة الصناعية، موقف العيادة المتنقلة أيام الأحد والثلاثاء",
        "phone": "+962 79 555 0142",
        "contact_person": "د. سامر حداد",
        "languages": ("ar",),
        "opening_hours": "الأحد والثلاثاء ٨:٠٠ - ١٤:٠٠",
        "eligibility": "الأطفال العاملون وأسرهم؛ الكشف والعلاج الأولي مجاناً.",
        "capacity": 40,
    },
    {
        "agency": "AGN-A",
        "area": "JO-AM-MARKA",
        "name_ar": "مساحة الأمل الصديقة للطفل",
        "name_en": "Al-Amal Child-Friendly Space",
        "sector": "child_protection",
        "service_types": ("group_activities", "psychosocial_support"),
        "address": "ماركا الجنوبية، حي الأمير حسن",
        "phone": "+962 6 487 3311",
        "languages": ("ar", "en"),
        "opening_hours": "السبت - الخميس ١٠:٠٠ - ١٨:٠٠",
        "eligibility": "أطفال من ٥ إلى ١٧ سنة.",
        "capacity": 60,
    },
    {
        "agency": "AGN-A",
        "area": "JO-AM-QWEISMEH",
        "name_ar": "برنامج التعليم الاستدراكي - القويسمة",
        "name_en": "Catch-up Education Programme, Al-Qweismeh",
        "sector": "education",
        "service_types": ("non_formal_education",),
        "address": "القويسمة، مدرسة القويسمة الثانوية (الفترة المسائية)",
        "phone": "+962 6 477 2080",
        "email": "catchup@amal.example.org",
        "languages": ("ar",),
        "opening_hours": "الأحد - الخميس ١٤:٠٠ - ١٧:٠٠",
        "eligibility": "أطفال من ٩ إلى ١٥ سنة منقطعون عن الدراسة لسنة أو أكثر.",
        "capacity": 25,
    },
    {
        "agency": "AGN-A",
        "area": "JO-AM-MARKA",
        "name_ar": "مديرية التربية والتعليم - لواء ماركا",
        "name_en": "Marka Directorate of Education",
        "sector": "education",
        "service_types": ("formal_education",),
        "address": "ماركا، شارع الجيش",
        "phone": "+962 6 489 0000",
        "languages": ("ar",),
        "opening_hours": "الأحد - الخميس ٨:٠٠ - ١٥:٠٠",
        "eligibility": "إعادة التسجيل في المدرسة الحكومية؛ تُطلب شهادة الميلاد أو ما يقوم مقامها.",
        "in_app": False,
    },
    {
        "agency": "AGN-B",
        "area": "JO-AM-SAHAB",
        "name_ar": "مؤسسة النور - التدريب المهني وسبل العيش للأسر",
        "name_en": "Al-Nour Vocational Training and Family Livelihoods",
        "sector": "livelihoods",
        "service_types": ("caregiver_livelihoods", "vocational_training"),
        "address": "سحاب، شارع الأمير حمزة",
        "phone": "+962 6 402 5566",
        "email": "livelihoods@alnour.example.org",
        "contact_person": "منى الزعبي",
        "languages": ("ar", "en"),
        "eligibility": "مقدمو الرعاية للأطفال العاملين؛ يافعون من ١٦ سنة للتدريب المهني.",
        "capacity": 0,
        "notes": "الدورة الحالية مكتملة؛ تبدأ الدورة القادمة بعد شهرين.",
    },
    {
        "agency": "AGN-B",
        "area": "JO-AM",
        "name_ar": "مؤسسة النور - المساعدات النقدية",
        "name_en": "Al-Nour Cash Assistance",
        "sector": "livelihoods",
        "service_types": ("cash_assistance",),
        "phone": "+962 6 402 5500",
        "languages": ("ar", "en"),
        "eligibility": "أسر تعتمد على دخل طفل عامل؛ بعد التقييم الاقتصادي للأسرة.",
        "capacity": 50,
    },
    {
        "agency": "AGN-A",
        "area": "JO-AM",
        "name_ar": "مستشفى البشير الحكومي - قسم الطوارئ",
        "name_en": "Al-Bashir Government Hospital, Emergency",
        "sector": "health",
        "service_types": ("emergency_medical",),
        "address": "عمّان، جبل الأشرفية",
        "phone": "+962 6 477 5111",
        "languages": ("ar", "en"),
        "opening_hours": "على مدار الساعة",
        "in_app": False,
    },
    {
        "agency": "AGN-B",
        "area": "JO-AM",
        "name_ar": "مركز العدل للمساعدة القانونية",
        "name_en": "Justice Centre for Legal Aid",
        "name_fr": "Centre de la justice pour l'aide juridique",
        "sector": "legal",
        "service_types": ("legal_aid", "civil_documentation"),
        "address": "عمّان، جبل اللويبدة",
        "phone": "+962 6 461 8000",
        "email": "aid@justice.example.org",
        "languages": ("ar", "en", "fr"),
        "opening_hours": "الأحد - الخميس ٩:٠٠ - ١٧:٠٠",
        "eligibility": "استخراج الوثائق المدنية وتسجيل المواليد، والتمثيل أمام المحاكم.",
        "in_app": False,
        "capacity": 15,
    },
    {
        "agency": "AGN-C",
        "area": "JO-AM-QWEISMEH",
        "name_ar": "وحدة بسمة لإدارة حالات العنف القائم على النوع الاجتماعي",
        "name_en": "Basma GBV Case Management Unit",
        "sector": "gbv",
        "service_types": ("gbv_case_management",),
        "phone": "+962 79 555 0199",
        "languages": ("ar", "en"),
        "opening_hours": "الأحد - الخميس ٩:٠٠ - ١٧:٠٠؛ خط الطوارئ على مدار الساعة",
        "eligibility": "ناجيات وناجون من العنف؛ الإحالة بموافقة مستنيرة فقط.",
        "accepts_from": ("AGN-A", "AGN-C"),
        "capacity": 10,
    },
    {
        "agency": "AGN-B",
        "area": "JO-AM-QWEISMEH",
        "name_ar": "بنك الطعام - توزيع الطرود الغذائية",
        "name_en": "Food Bank Parcel Distribution",
        "sector": "basic_needs",
        "service_types": ("food_assistance",),
        "address": "القويسمة، مستودع الجمعية الخيرية",
        "phone": "+962 6 477 9090",
        "languages": ("ar",),
        "opening_hours": "السبت ٩:٠٠ - ١٣:٠٠",
        "in_app": False,
    },
    {
        "agency": "AGN-A",
        "area": "JO-AM",
        "name_ar": "مديرية العمل - قسم مكافحة عمل الأطفال",
        "name_en": "Directorate of Labour, Child Labour Unit",
        "sector": "labour",
        "service_types": ("labour_inspection",),
        "address": "عمّان، العبدلي",
        "phone": "+962 6 580 2666",
        "languages": ("ar",),
        "opening_hours": "الأحد - الخميس ٨:٣٠ - ١٥:٠٠",
        "eligibility": "تفتيش أماكن العمل وسحب الأطفال من الأعمال الخطرة.",
        "in_app": False,
    },
    {
        "agency": "AGN-C",
        "area": "JO-AM",
        "name_ar": "مركز بسمة للصحة النفسية المتخصصة",
        "name_en": "Basma Specialised Mental Health Centre",
        "sector": "mhpss",
        "service_types": ("specialised_mental_health",),
        "phone": "+962 6 465 7700",
        "languages": ("ar", "en"),
        "eligibility": "بعد تقييم أولي من الدعم النفسي الاجتماعي.",
        "capacity": 8,
    },
    {
        "agency": "AGN-B",
        "area": "JO-AM",
        "name_ar": "برنامج الرعاية البديلة ولمّ شمل الأسر",
        "name_en": "Alternative Care and Family Reunification Programme",
        "sector": "child_protection",
        "service_types": ("alternative_care", "family_tracing"),
        "phone": "+962 6 402 5588",
        "languages": ("ar", "en"),
        "eligibility": "أطفال منفصلون أو غير مصحوبين؛ بقرار أفضل مصلحة.",
        "in_app": True,
        "capacity": 6,
    },
    {
        "agency": "AGN-A",
        "area": "JO-AM-SAHAB",
        "name_ar": "دار الإيواء المؤقت للأسر",
        "name_en": "Temporary Family Shelter",
        "sector": "basic_needs",
        "service_types": ("shelter",),
        "phone": "+962 79 555 0123",
        "languages": ("ar",),
        "eligibility": "أسر مهددة بالإخلاء أو بلا مأوى؛ حتى ٣٠ يوماً.",
        "capacity": 5,
    },
)


def load(
    *, area: Area, agencies: dict[str, Agency], users: dict[str, User], cases: list[Case]
) -> None:
    """Put the demo services on the map; record the gaps of a few children with a disability."""
    coord = Actor.of(users["coord"])
    known = {a.code for a in Area.objects.all()}
    for spec in SERVICES:
        data = dict(spec)
        if data["area"] not in known:
            data["area"] = area.code
        if data["agency"] not in agencies:
            continue
        provider_create(
            actor=coord,
            data=ProviderData(**data),
            provider_id=uuid.uuid5(_NAMESPACE, str(spec["name_ar"])),
        )
    recorded = 0
    for case in cases:
        if recorded >= 3 or case.caseworker_id is None:
            continue
        if not any(n.gap for n in pathway_proposals(case).needs):
            continue
        caseworker = next((u for u in users.values() if u.pk == case.caseworker_id), None)
        if caseworker is None:
            continue
        try:
            if service_gap_record(actor=Actor.of(caseworker), case_id=case.pk):
                recorded += 1
        except ServiceError:
            continue
