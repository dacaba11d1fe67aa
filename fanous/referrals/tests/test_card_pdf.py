"""The urgent action referral card (SPEC §2): one printable page, Arabic and English.

Issue 3 must-show: the card renders Arabic correctly (shaped, right-to-left); the text
extracted from the PDF holds the expected Arabic words in logical order.
"""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from fanous.audit.models import Event
from fanous.conftest import ApiClient, World, assessed_case, ok
from fanous.referrals.card import _url_fetcher
from fanous.referrals.models import ServiceProvider

pytestmark = pytest.mark.django_db

CHILD_NAME = "أحمد محمود الخطيب"
SERVICE_AR = "عيادة الأمل"
WORKPLACE = "ورشة الحدادة"
TITLE_AR = "بطاقة إحالة الإجراء العاجل"


@pytest.fixture
def clinic(world: World) -> ServiceProvider:
    """A health service of agency B; sam (service provider of B) receives its referrals."""
    world.users["alice"].phone = "+962 79 111 2233"
    world.users["alice"].save(update_fields=["phone"])
    world.users["bob"].phone = "0791234567"
    world.users["bob"].save(update_fields=["phone"])
    return ServiceProvider.objects.create(
        agency=world.agency_b,
        area=world.area,
        name_ar=SERVICE_AR,
        name_en="Hope Clinic",
        sector="health",
        service_types=["primary_health", "emergency_medical"],
        address="جبل النصر، شارع الأمير حسن 14",
        phone="06 555 1234",
        contact_person="د. ليلى حداد",
        opening_hours="الأحد - الخميس 8:00-16:00",
        languages=["ar", "en"],
    )


def urgent_referral(world: World, provider: ServiceProvider, **extra: Any) -> dict[str, Any]:
    alice = world.api("alice")
    case = assessed_case(
        alice,
        {"ill_health": True},
        registration={"workplace_name": WORKPLACE, "health_wellbeing": "سعال مزمن"},
    )
    for giver in ("caregiver", "child"):
        ok(
            alice.post(
                f"/cases/{case['id']}/consents",
                {"purpose": "information_sharing", "giver": giver, "given": True},
            ),
            201,
        )
    body = {
        "case_id": case["id"],
        "provider_id": str(provider.id),
        "service_type": "emergency_medical",
        "kind": "urgent",
        "need": "urgent_medical",
        "reason": "جرح في اليد من آلة القص، يحتاج إلى فحص وعلاج اليوم",
        "accompaniment": ["transport", "escort"],
        **extra,
    }
    return ok(alice.post("/referrals", body), 201)


def arabic_title() -> str:
    """The Arabic title; English until the catalogue has the new msgid (then it must match)."""
    with translation.override("ar"):
        title = gettext("Urgent action referral card")
    if title != "Urgent action referral card":
        assert title == TITLE_AR
    return title


def card(api: ApiClient, referral: dict[str, Any], lang: str) -> Any:
    return api.get(f"/referrals/{referral['id']}/card.pdf?lang={lang}")


def pdf_text(pdf: bytes) -> tuple[str, PdfReader]:
    """The PDF's text in logical order, presentation forms folded, whitespace collapsed."""
    reader = PdfReader(io.BytesIO(pdf))
    raw = " ".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", raw)), reader


def font_names(reader: PdfReader) -> set[str]:
    names: set[str] = set()
    for page in reader.pages:
        resources: Any = page["/Resources"].get_object()
        fonts: Any = resources.get("/Font", {})
        for ref in fonts.get_object().values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


def test_urgent_card_pdf_shows_the_arabic_words_in_logical_order_on_one_page(world, clinic):
    """§2 urgent action referral card: Arabic shaped and right-to-left, one page."""
    referral = urgent_referral(world, clinic)
    res = card(world.api("alice"), referral, "ar")
    assert res.status_code == 200, res.content[:300]
    assert res["Content-Type"] == "application/pdf"
    assert res["Content-Disposition"].startswith('inline; filename="referral-card-')
    text, reader = pdf_text(res.content)
    assert len(reader.pages) == 1
    assert arabic_title() in text
    assert CHILD_NAME in text
    assert SERVICE_AR in text
    # The SOP version and its endorsement date are on every printable SOP document.
    assert "1.0" in text
    assert "01/07/2026" in text
    assert referral["reference"] in text
    assert "+962 79 111 2233" in text  # the caseworker's phone, digits not scrambled
    assert "0791234567" in text  # her supervisor's
    # The workplace was not among the shared sections: it must not leave the agency.
    assert WORKPLACE not in text
    # A missing Arabic font must fail here instead of printing empty boxes.
    fonts = {n.replace("-", "").replace(" ", "") for n in font_names(reader)}
    assert any("NotoNaskhArabic" in n or "NotoSansArabic" in n for n in fonts), fonts


def test_card_carries_only_the_shared_sections(world, clinic):
    """§12: the card shows what the referral shares, never more of the case."""
    referral = urgent_referral(
        world, clinic, sections=["identity", "contact", "caregiver", "work", "safety_plan"]
    )
    text, _ = pdf_text(card(world.api("sam"), referral, "ar").content)
    assert WORKPLACE in text
    assert "سعال مزمن" not in text  # health was not shared


def test_longest_texts_and_every_section_still_fit_one_page(world, clinic):
    """The card is one page whatever the sender wrote: long free texts are cut short."""
    sections = ["identity", "contact", "caregiver", "risk_level", "work", "education", "health"]
    referral = urgent_referral(
        world,
        clinic,
        kind="specialised",
        sections=[*sections, "safety_plan", "sensitive_disclosures"],
        reason="يحتاج الطفل إلى فحص طبي عاجل. " * 130,
        accompaniment=["transport", "translation", "forms", "escort"],
        accompaniment_notes="ترافق المرشدة الطفل. " * 90,
    )
    for lang in ("ar", "en"):
        res = card(world.api("sam"), referral, lang)
        assert len(pdf_text(res.content)[1].pages) == 1, lang


def test_english_card_has_the_english_title_and_the_arabic_names(world, clinic):
    referral = urgent_referral(world, clinic)
    res = card(world.api("alice"), referral, "en")
    text, reader = pdf_text(res.content)
    assert len(reader.pages) == 1
    assert "Urgent action referral card" in text
    assert "Hope Clinic" in text
    assert CHILD_NAME in text


def test_non_urgent_referral_is_titled_referral_form(world, clinic):
    referral = urgent_referral(world, clinic, kind="standard", service_type="primary_health")
    text, _ = pdf_text(card(world.api("alice"), referral, "en").content)
    assert "Referral form" in text
    assert "Urgent action referral card" not in text


def test_only_the_sending_side_and_the_receiving_service_may_print_it(world, clinic):
    """Need to know: another agency and an unassigned colleague get 404, nothing audited."""
    referral = urgent_referral(world, clinic)
    for name in ("dave", "carol", "cora"):
        assert card(world.api(name), referral, "ar").status_code == 404, name
    assert not Event.objects.filter(summary="referral card printed").exists()
    assert card(world.api("sam"), referral, "en").status_code == 200
    assert card(world.api("bob"), referral, "ar").status_code == 200


def test_printing_is_audited_with_the_language(world, clinic):
    """Printing case data is an access: who printed which card, in which language."""
    referral = urgent_referral(world, clinic)
    assert card(world.api("sam"), referral, "fr").status_code == 200
    event = Event.objects.get(summary="referral card printed")
    assert event.action == Event.Action.REFERRAL
    assert event.actor == world.users["sam"]
    assert event.object_id == referral["id"]
    assert event.changes == {"lang": "fr"}


def test_unknown_language_is_refused(world, clinic):
    referral = urgent_referral(world, clinic)
    assert card(world.api("alice"), referral, "de").status_code == 422


def test_web_door_serves_the_pdf_and_hides_it_from_outsiders(world, clinic, client):
    referral = urgent_referral(world, clinic)
    url = f"/referrals/{referral['id']}/card.pdf"
    client.force_login(world.users["dave"])
    assert client.get(url).status_code == 404
    client.force_login(world.users["carol"])
    assert client.get(url).status_code == 404
    client.force_login(world.users["sam"])
    res = client.get(url)  # sam's language (Arabic by default)
    assert res.status_code == 200
    assert res["Content-Type"] == "application/pdf"
    assert arabic_title() in pdf_text(res.content)[0]
    res = client.get(url + "?lang=en")
    assert "Urgent action referral card" in pdf_text(res.content)[0]
    assert Event.objects.filter(summary="referral card printed").count() == 2


def test_anonymous_user_is_sent_to_log_in(world, clinic, client):
    referral = urgent_referral(world, clinic)
    res = client.get(f"/referrals/{referral['id']}/card.pdf")
    assert res.status_code == 302
    assert "login" in res["Location"]


def test_the_renderer_never_fetches_a_remote_url():
    """No network access from a print: a remote image or font is refused, not fetched."""
    fetcher = _url_fetcher()
    for url in ("https://example.org/logo.png", "http://10.0.0.1/x.css", "ftp://h/f"):
        with pytest.raises(ValueError, match="no external resources"):
            fetcher.fetch(url)


def test_bidi_filters_escape_the_text_and_isolate_number_runs():
    """WeasyPrint ignores <bdi>: the isolates are in the text, and the text stays escaped."""
    from fanous.web.templatetags.card_bidi import FSI, LRI, PDI, isolate, ltr, ltr_numbers

    assert ltr("+962 79") == f"{LRI}+962 79{PDI}"
    assert isolate("<b>أحمد</b>") == f"{FSI}&lt;b&gt;أحمد&lt;/b&gt;{PDI}"
    hours = ltr_numbers("الأحد - الخميس 8:00-16:00 & O'Neil")
    assert hours == f"{FSI}الأحد - الخميس {LRI}8:00-16:00{PDI} &amp; O&#x27;Neil{PDI}"
    assert ltr(None) == ""
