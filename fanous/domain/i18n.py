"""Translation markers for the domain core.

The domain never translates: it returns English msgids with ``%(name)s``
placeholders (in :class:`~fanous.domain.errors.Reason` and
:class:`~fanous.domain.errors.DomainError`) and the Django layer translates them
with ``gettext(message) % params`` in the user's language. Wrapping the msgids in
:func:`gettext_noop` lets ``makemessages`` find them.
"""

from __future__ import annotations

__all__ = ["gettext_noop"]


def gettext_noop(message: str) -> str:
    """Mark ``message`` for extraction by ``makemessages`` and return it unchanged."""
    return message
