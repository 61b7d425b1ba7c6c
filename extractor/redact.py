"""The one place error text is cleaned before anyone sees it: one line, no secret.

Providers echo keys back in error bodies, whole or in part ("Incorrect API key provided:
sk-ab***wxyz", "invalid token tok-..."). Every message built from a provider's error goes through
:func:`one_line`, which removes the configured key's exact value (whatever it looks like, and so
also its ``Bearer`` form) as well as anything shaped like an OpenAI key or a key echo.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

REDACTED = "[redacted]"
#: Shorter "keys" (a placeholder for a local server) are not secrets worth mangling text for.
MIN_SECRET_LENGTH = 4
#: What a provider says before echoing part of a rejected key.
_KEY_ECHO = re.compile(r"(api key provided:?\s*)\S+", re.IGNORECASE)
_KEY_LIKE = re.compile(r"\bsk-[A-Za-z0-9_\-*.]{6,}")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret's exact value, and anything key-like, replaced by ``[redacted]``."""
    for secret in sorted(
        {s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True
    ):
        text = text.replace(secret, REDACTED)
    return _KEY_LIKE.sub(REDACTED, _KEY_ECHO.sub(rf"\1{REDACTED}", text))


def one_line(text: str, secrets: Iterable[str] = (), limit: int = 300) -> str:
    """``text`` redacted (see :func:`redact`) on one line of at most ``limit`` characters."""
    text = redact(" ".join(text.split()), secrets)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _RedactingFilter(logging.Filter):
    """Rewrites a log record's message without the secrets it was given (see :func:`redact_logs`)."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage(), self.secrets), None
        return True


_FILTER = _RedactingFilter()


def redact_logs(logger_names: Iterable[str], secrets: Iterable[str]) -> None:
    """Redact ``secrets`` from every record these loggers emit (an SDK logging an error body).

    A filter on a logger sees only that logger's own records, so name each logger that logs.
    """
    _FILTER.secrets.update(secrets)
    for name in logger_names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
