"""The applicant's openid is their conversation id: it is never shown and never logged in full."""

from __future__ import annotations

import hashlib
import re

from bot.records.masking import install_log_masking

# Official Account openids: 28 characters of [A-Za-z0-9_-], starting with "o".
OPENID_RE = re.compile(r"(?<![A-Za-z0-9_-])o[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-])")


def masked(openid: str) -> str:
    """A stable, non-reversible tag for logs: ``wx:`` and 8 hex digits of a hash."""
    return "wx:" + hashlib.sha256(openid.encode("utf-8")).hexdigest()[:8]


def mask_openids(text: str) -> str:
    return OPENID_RE.sub(lambda m: masked(m.group(0)), text)


def install_openid_masking() -> None:
    """Every log handler also masks openids (idempotent)."""
    install_log_masking(mask_openids)
