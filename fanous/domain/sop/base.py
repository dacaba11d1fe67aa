"""Building blocks of the SOP schemas: frozen models, codes, labels, risk levels."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum, StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic_core import PydanticCustomError

from fanous.domain.i18n import gettext_noop

__all__ = [
    "Code",
    "Frozen",
    "Labels",
    "Lang",
    "NonEmpty",
    "RiskLevel",
    "duplicates",
    "invalid",
    "plain",
]

Lang = Literal["ar", "en", "fr"]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_.]*$", max_length=80)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Frozen(BaseModel):
    """Base of every SOP model: immutable, and unknown keys are errors, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def duplicates(codes: Iterable[str]) -> list[str]:
    """The codes that appear more than once, in order of first repeat."""
    seen: set[str] = set()
    dupes: list[str] = []
    for code in codes:
        if code in seen and code not in dupes:
            dupes.append(code)
        seen.add(code)
    return dupes


def plain(value: object) -> str | int | float:
    """A value named in an error message, as text or a number (lists become "a, b")."""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(plain(item)) for item in value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    return str(value)


def invalid(code: str, message: str, **params: object) -> PydanticCustomError:
    """A refusal of the SOP schemas: a stable ``code`` and an English msgid.

    ``message`` is marked with ``gettext_noop`` by the caller and has ``%(name)s``
    placeholders filled from ``params``; :func:`fanous.domain.sop.parse_sop` turns it
    into a :class:`~fanous.domain.errors.Reason` that the Django layer translates.
    Validators raise it instead of a plain ``ValueError`` so no English sentence is
    ever the only form of a refusal.
    """
    return PydanticCustomError(code, message, {k: plain(v) for k, v in params.items()})


# --------------------------------------------------------------------------- labels


class Labels(Frozen):
    """A text in the SOP's languages. Arabic is the users' first language: it is required."""

    ar: NonEmpty
    en: str
    fr: str | None = None

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``"ar"``, ``"fr-FR"``...), else English, else Arabic."""
        code = lang.split("-")[0].split("_")[0].lower()
        requested = {"ar": self.ar, "en": self.en, "fr": self.fr}.get(code)
        return requested or self.en or self.ar


# --------------------------------------------------------------------------- risk levels


class RiskLevel(StrEnum):
    """The four risk levels of SPEC §4. Levels compare by severity, not alphabetically."""

    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """0 for NONE up to 3 for HIGH."""
        return _RANKS[self]

    @property
    def label(self) -> str:
        """English msgid of the level's name."""
        return _LEVEL_LABELS[self]

    @classmethod
    def from_rank(cls, rank: int) -> RiskLevel:
        """The level of ``rank``, clamped to NONE..HIGH."""
        return _BY_RANK[max(0, min(rank, len(_BY_RANK) - 1))]

    @classmethod
    def highest(cls, levels: Iterable[RiskLevel]) -> RiskLevel:
        """The most severe of ``levels``; NONE if there are none."""
        return max(levels, key=lambda level: level.rank, default=cls.NONE)

    def step(self, n: int) -> RiskLevel:
        """``n`` steps up (negative: down), clamped to NONE..HIGH."""
        return RiskLevel.from_rank(self.rank + n)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, RiskLevel):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, RiskLevel):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, RiskLevel):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, RiskLevel):
            return NotImplemented
        return self.rank >= other.rank


_BY_RANK: tuple[RiskLevel, ...] = (RiskLevel.NONE, RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH)
_RANKS: dict[RiskLevel, int] = {level: rank for rank, level in enumerate(_BY_RANK)}
_LEVEL_LABELS: dict[RiskLevel, str] = {
    RiskLevel.NONE: gettext_noop("No risk"),
    RiskLevel.LOW: gettext_noop("Low risk"),
    RiskLevel.MEDIUM: gettext_noop("Medium risk"),
    RiskLevel.HIGH: gettext_noop("High risk"),
}
