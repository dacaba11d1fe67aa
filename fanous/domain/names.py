"""Arabic-aware name normalisation for search and duplicate detection.

Caseworkers write the same name in many ways: with or without hamza
(أحمد / احمد), taa marbuta or haa (فاطمة / فاطمه), alif maqsura or yaa
(مصطفى / مصطفي), vowel marks (مُحَمَّد), Persian letter forms from a
Farsi or Urdu keyboard (ک / ی), and "عبد الله" in one word or two. Normalising
both sides makes them compare equal; the stored name is never changed.
"""

from __future__ import annotations

import unicodedata

__all__ = ["name_tokens", "names_match", "normalize_name"]

_LETTERS = str.maketrans(
    {
        "\u0623": "\u0627",  # أ -> ا
        "\u0625": "\u0627",  # إ -> ا
        "\u0622": "\u0627",  # آ -> ا
        "\u0671": "\u0627",  # ٱ -> ا
        "\u0629": "\u0647",  # ة -> ه
        "\u0649": "\u064a",  # ى -> ي
        "\u0624": "\u0648",  # ؤ -> و
        "\u0626": "\u064a",  # ئ -> ي
        "\u06a9": "\u0643",  # ک -> ك
        "\u06cc": "\u064a",  # ی -> ي
        "\u06c0": "\u0647",  # ۀ -> ه
        "\u06be": "\u0647",  # ھ -> ه
    }
)

# Apostrophes inside transliterated names join (Sa'id = Said); other
# punctuation separates words (Al-Hassan = Al Hassan).
_JOINING = frozenset("'\u2019\u2018\u02bc\u02bb`\u00b4")
_ABD = "\u0639\u0628\u062f"  # عبد


def _is_arabic_mark(char: str) -> bool:
    code = ord(char)
    return 0x064B <= code <= 0x065F or code in (0x0670, 0x0640)


def _clean(char: str) -> str:
    if _is_arabic_mark(char) or char in _JOINING:
        return ""
    category = unicodedata.category(char)
    if category in ("Mn", "Cf"):  # other combining marks, bidi and zero-width controls
        return ""
    if category[0] in ("P", "S", "Z", "C"):
        return " "
    return char


def normalize_name(text: str) -> str:
    """The comparable form of a name (Arabic or Latin script).

    NFKC; Latin case folded and accents dropped; Arabic diacritics and tatweel
    removed; alif, taa marbuta, alif maqsura, hamza seats and Persian letter
    forms unified; punctuation dropped; "عبد" joined to the next word; spaces
    collapsed.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    # Decompose to drop accents of Latin letters (é -> e); Arabic letters with
    # hamza or madda decompose too, which the letter table then makes moot.
    text = unicodedata.normalize("NFD", text)
    text = "".join(_clean(char) for char in text)
    text = unicodedata.normalize("NFC", text).translate(_LETTERS)
    words = text.split()
    joined: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word == _ABD and index + 1 < len(words):
            word += words[index + 1]
            index += 1
        joined.append(word)
        index += 1
    return " ".join(joined)


def name_tokens(text: str) -> list[str]:
    """The words of the normalised name."""
    return normalize_name(text).split()


def names_match(a: str, b: str) -> bool:
    """Whether two names have the same words after normalisation, in any order.

    Two empty names do not match: an absent name is not evidence of a duplicate.
    """
    tokens_a, tokens_b = sorted(name_tokens(a)), sorted(name_tokens(b))
    return bool(tokens_a) and tokens_a == tokens_b
