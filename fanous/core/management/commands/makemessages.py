"""makemessages that also collects the messages of the service errors.

Services raise `ValidationFailed("English message %(x)s", {...})`; the message is a msgid
translated at the edge (fanous.core.errors.translate), so xgettext must know these names.
"""

from django.core.management.commands import makemessages

ERROR_CLASSES = (
    "ServiceError",
    "ValidationFailed",
    "ConflictError",
    "PermissionDeniedError",
    "NotFoundError",
    "BadCredentials",
)


class Command(makemessages.Command):
    xgettext_options = [
        *makemessages.Command.xgettext_options,
        *(f"--keyword={name}" for name in ERROR_CLASSES),
    ]
