"""Find English UI text left on a page rendered in Arabic (compare against the catalogue)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from fanous.core.tests.test_i18n import parse_po

LOCALE = Path(__file__).resolve().parents[3] / "locale"
# Words that are the same in every language (brand, codes shown on purpose).
SAME_IN_EVERY_LANGUAGE = {"Fanous", "English", "Français"}


@lru_cache(maxsize=4)
def ui_msgids(lang: str) -> tuple[str, ...]:
    """English msgids worth looking for: whole words, and translated differently in `lang`."""
    found = []
    for e in parse_po(LOCALE / lang / "LC_MESSAGES" / "django.po"):
        msgid = str(e.get("msgid", ""))
        msgstr = str(e.get("msgstr", e.get("msgstr[0]", "")))
        if "%" in msgid or msgid in SAME_IN_EVERY_LANGUAGE or msgid == msgstr:
            continue
        if len(msgid) >= 4 and re.search(r"[A-Za-z]{3}", msgid):
            found.append(msgid)
    return tuple(sorted(found, key=len, reverse=True))


def untranslated(text: str, lang: str = "ar") -> list[str]:
    """Msgids of the catalogue that appear in English, as whole phrases, in `text`."""
    hits = []
    for msgid in ui_msgids(lang):
        if re.search(rf"(?<![A-Za-z]){re.escape(msgid)}(?![A-Za-z])", text):
            hits.append(msgid)
            text = text.replace(msgid, " ")
    return hits
