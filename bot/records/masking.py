"""Masks what identifies an applicant (mobile and ID numbers) before text is stored or logged.

Records keep what the matter needs — the request in the applicant's words — but a clerk reading a
queue, or an operator reading a log, never needs the full number to do their job.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

# A resident ID: 18 characters with a birth date (19xx/20xx) in 7–14, or the old 15-digit form.
# Requiring the date keeps other long numbers (application numbers, orders) readable.
ID_RE = re.compile(
    r"(?<![0-9A-Za-z])\d{6}(?:(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]"
    r"|\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})(?![0-9A-Za-z])"
)
MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")


def _id(m: re.Match[str]) -> str:
    whole = m.group(0)
    return whole[:4] + "*" * (len(whole) - 7) + whole[-3:]


def mask(text: str) -> str:
    """Mobile numbers keep 3 + 4 digits, ID numbers their first 4 and last 3 characters."""
    text = ID_RE.sub(_id, text)
    return MOBILE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


def mask_excerpt(text: str, limit: int = 300) -> str:
    """A masked, bounded excerpt of what the applicant said, for records."""
    flat = " ".join(text.split())
    return mask(flat[:limit] + ("…" if len(flat) > limit else ""))


class MaskingFilter(logging.Filter):
    """Masks log messages in place, whatever logger wrote them (Rasa's included)."""

    def __init__(self, masker: Callable[[str], str] = mask) -> None:
        super().__init__()
        self.masker = masker

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            try:
                record.msg = record.getMessage()
            except (TypeError, ValueError):
                return True
            record.args = None
        if isinstance(record.msg, str):
            record.msg = self.masker(record.msg)
        return True


def install_log_masking(masker: Callable[[str], str] = mask) -> None:
    """Attach a filter applying ``masker`` to every root handler (idempotent per masker); the servers
    call it at start, and a door with identifiers of its own (WeChat's openids) adds its masker."""
    handlers: list[logging.Handler] = list(logging.getLogger().handlers)
    if not handlers and logging.lastResort is not None:
        handlers = [logging.lastResort]
    for handler in handlers:
        if not any(isinstance(f, MaskingFilter) and f.masker is masker for f in handler.filters):
            handler.addFilter(MaskingFilter(masker))
