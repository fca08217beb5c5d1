"""The applicant's openid is their conversation id: it is never shown and never logged in full."""

from __future__ import annotations

import hashlib
import logging
import re

# Official Account openids: 28 characters of [A-Za-z0-9_-], starting with "o".
OPENID_RE = re.compile(r"(?<![A-Za-z0-9_-])o[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-])")


def masked(openid: str) -> str:
    """A stable, non-reversible tag for logs: ``wx:`` and 8 hex digits of a hash."""
    return "wx:" + hashlib.sha256(openid.encode("utf-8")).hexdigest()[:8]


def mask_openids(text: str) -> str:
    return OPENID_RE.sub(lambda m: masked(m.group(0)), text)


class OpenidFilter(logging.Filter):
    """Replaces anything shaped like an openid in every log record, whoever wrote it (Rasa included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            try:
                record.msg = record.getMessage()
            except (TypeError, ValueError):
                return True
            record.args = None
        if isinstance(record.msg, str):
            record.msg = mask_openids(record.msg)
        return True


def install_openid_masking() -> None:
    """Attach the filter to every root handler (idempotent)."""
    handlers: list[logging.Handler] = list(logging.getLogger().handlers)
    if not handlers and logging.lastResort is not None:
        handlers = [logging.lastResort]
    for handler in handlers:
        if not any(isinstance(f, OpenidFilter) for f in handler.filters):
            handler.addFilter(OpenidFilter())
