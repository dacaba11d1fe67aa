"""Refusals of the domain core: a stable machine code plus a translatable message.

Services catch :class:`DomainError` and show ``gettext(message) % params`` (and
the same for each :class:`Reason`) in the user's language; API clients rely on
the codes, which never change once released.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["DomainError", "Reason"]

_EMPTY: Mapping[str, object] = MappingProxyType({})


def _freeze(params: Mapping[str, object] | None) -> Mapping[str, object]:
    if not params:
        return _EMPTY
    return MappingProxyType(dict(params))


def _render(message: str, params: Mapping[str, object]) -> str:
    if not params:
        return message
    try:
        return message % params
    except (KeyError, TypeError, ValueError):
        # A msgid that does not match its params is a programming error, but the
        # explanation of a refusal must never itself crash the request.
        return message


@dataclass(frozen=True)
class Reason:
    """Why something is refused or blocked.

    ``code`` is a stable machine code (``"consent_missing"``); ``message`` is an
    English msgid that may contain ``%(name)s`` placeholders filled from ``params``.
    """

    code: str
    message: str
    # Excluded from the hash: a read-only mapping is not hashable, and equal
    # reasons still hash equally on (code, message).
    params: Mapping[str, object] = field(default_factory=lambda: _EMPTY, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _freeze(self.params))

    def text(self) -> str:
        """The English text with its parameters filled in (logs, tests, fallbacks)."""
        return _render(self.message, self.params)


class DomainError(Exception):
    """A rule of the SOP or of the case workflow refuses an operation."""

    code: str
    message: str
    params: Mapping[str, object]
    reasons: tuple[Reason, ...]

    def __init__(
        self,
        code: str,
        message: str,
        params: Mapping[str, object] | None = None,
        reasons: Sequence[Reason] = (),
    ) -> None:
        self.code = code
        self.message = message
        self.params = _freeze(params)
        self.reasons = tuple(reasons)
        super().__init__(self.text())

    def text(self) -> str:
        """The English text, followed by the text of each reason."""
        head = _render(self.message, self.params)
        if not self.reasons:
            return head
        return head + " " + " ".join(reason.text() for reason in self.reasons)

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of the reasons, in order (handy for API payloads and tests)."""
        return tuple(reason.code for reason in self.reasons)

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, reasons={list(self.codes)!r})"
