"""One log line per event, whatever a user typed: control characters are escaped.

Kept apart from accounts.security because settings.LOGGING loads the filter before the
apps (and their models) are ready.
"""

import logging


def clean(value: object) -> str:
    """A value fit for one log line: newlines and other control characters escaped."""
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in str(value)
    )


class EscapeControlCharacters(logging.Filter):
    """Escape the message of every record a handler writes, its arguments included.

    Third-party lines carry user input too: django-axes writes the username it was sent
    into its own warning. The traceback of an error is formatted apart and kept as it is.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        escaped = clean(message)
        if escaped != message:
            record.msg, record.args = escaped, None
        return True
