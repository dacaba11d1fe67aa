from fanous.web.tests.untranslated import untranslated


def test_the_untranslated_check_finds_english_left_on_an_arabic_page() -> None:
    assert untranslated("فانوس حالاتي Overdue only بحث") == ["Overdue only"]
    assert untranslated("فانوس حالاتي المتأخرة فقط AGN-A-2026-000001 Fanous") == []
