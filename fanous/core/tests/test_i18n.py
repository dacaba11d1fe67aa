"""Arabic first: every UI and error message is translated into Arabic and French."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LOCALE = ROOT / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def parse_po(path: Path) -> list[dict[str, object]]:
    """Entries of a .po file: msgid, msgstr, flags (enough for these checks)."""
    entries: list[dict[str, object]] = []
    current: dict[str, object] = {"flags": set()}
    field = None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if "msgid" in current:
                entries.append(current)
            current, field = {"flags": set()}, None
        elif line.startswith("#,"):
            current["flags"] = {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[")):
            field, _, value = line.partition(" ")
            current[field] = ast.literal_eval(value)
        elif line.startswith('"') and field:
            current[field] = str(current[field]) + ast.literal_eval(line)
    return entries


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_every_message_is_translated_with_its_placeholders(lang: str) -> None:
    entries = [e for e in parse_po(LOCALE / lang / "LC_MESSAGES" / "django.po") if e["msgid"]]
    assert len(entries) > 150
    problems = []
    for e in entries:
        msgid = str(e["msgid"])
        if "msgid_plural" in e:
            # Plural forms: Arabic's zero/one/two forms rightly leave the number out, so each
            # form may use fewer placeholders, but never one the English does not have.
            forms = [str(v) for k, v in e.items() if k.startswith("msgstr[")]
            allowed = set(PLACEHOLDER.findall(str(e["msgid_plural"])))
            if "fuzzy" in e["flags"] or not all(forms):  # type: ignore[operator]
                problems.append(f"untranslated: {msgid!r}")
            elif any(set(PLACEHOLDER.findall(f)) - allowed for f in forms):
                problems.append(f"placeholders differ: {msgid!r}")
            continue
        msgstr = str(e.get("msgstr", ""))
        if "fuzzy" in e["flags"] or not msgstr:  # type: ignore[operator]
            problems.append(f"untranslated: {msgid!r}")
        elif sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr)):
            problems.append(f"placeholders differ: {msgid!r}")
        elif (
            lang == "ar"
            and not re.search("[\u0600-\u06ff]", msgstr)
            and re.search("[a-z]{3}", msgid)
        ):
            problems.append(f"not Arabic: {msgid!r}")
    assert problems == []


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_compiled_catalogue_matches_the_po_file(lang: str) -> None:
    """The .mo shipped in git (so `make run` needs no gettext tools) is up to date."""
    folder = LOCALE / lang / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for e in parse_po(folder / "django.po"):
        if e["msgid"] and "msgstr" in e:
            assert compiled.gettext(str(e["msgid"])) == e["msgstr"], e["msgid"]
