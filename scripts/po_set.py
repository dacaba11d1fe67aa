"""Set translations in a .po file: `python scripts/po_set.py LANG FILE.json`.

FILE.json maps English msgids to translations (a list for the plural forms). Matching
entries get the new msgstr and lose their fuzzy flag and previous-msgid comments. Used
after `make messages` for a handful of new or changed strings.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def set_translations(po: Path, translations: dict[str, str | list[str]]) -> int:
    blocks = po.read_text(encoding="utf-8").split("\n\n")
    done = 0
    for i, block in enumerate(blocks):
        lines = block.splitlines()
        msgid, field = "", None
        for line in lines:
            if line.startswith("msgid "):
                field, msgid = "msgid", json.loads(line[6:])
            elif line.startswith("msgstr"):
                field = None
            elif line.startswith('"') and field == "msgid":
                msgid += json.loads(line)
        if msgid not in translations:
            continue
        kept = []
        for line in lines:
            if line.startswith("#|"):
                continue
            if line.startswith("#,"):
                flags = [f.strip() for f in line[2:].split(",") if f.strip() != "fuzzy"]
                if not flags:
                    continue
                line = "#, " + ", ".join(flags)
            if line.startswith("msgstr") or (line.startswith('"') and kept and kept[-1] is None):
                kept.append(None)
                continue
            kept.append(line)
        body = [ln for ln in kept if ln is not None]
        value = translations[msgid]
        if isinstance(value, list):  # plural forms: msgstr[0], msgstr[1], ...
            body.extend(f"msgstr[{n}] {quote(form)}" for n, form in enumerate(value))
        else:
            body.append(f"msgstr {quote(value)}")
        blocks[i] = "\n".join(body)
        done += 1
    po.write_text("\n\n".join(blocks), encoding="utf-8")
    return done


if __name__ == "__main__":
    lang, source = sys.argv[1], Path(sys.argv[2])
    path = Path(__file__).resolve().parent.parent / "locale" / lang / "LC_MESSAGES" / "django.po"
    count = set_translations(path, json.loads(source.read_text(encoding="utf-8")))
    sys.stdout.write(f"{lang}: {count} entries set\n")
