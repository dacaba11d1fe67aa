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


# Sorted, unwrapped catalogues: moving code or editing one entry changes only that entry,
# so `make i18n-check` compares like with like.
STABLE = ["--sort-output", "--no-wrap"]


class Command(makemessages.Command):
    xgettext_options = [
        *makemessages.Command.xgettext_options,
        *STABLE,
        *(f"--keyword={name}" for name in ERROR_CLASSES),
    ]
    msgmerge_options = [*makemessages.Command.msgmerge_options, *STABLE]
    msguniq_options = [*makemessages.Command.msguniq_options, *STABLE]
    msgattrib_options = [*makemessages.Command.msgattrib_options, *STABLE]
