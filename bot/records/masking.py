"""Masks what identifies an applicant before text is stored or logged: mobile numbers, resident ID numbers
(also in full-width digits, glued to letters, or split by spaces and hyphens), bank cards, e-mail addresses,
passports and the permits of Hong Kong, Macao and Taiwan residents.

Records keep what the matter needs — the request in the applicant's words — but a clerk reading a
queue, or an operator reading a log, never needs the full number to do their job. Other numbers
(record numbers, application numbers, dates, landlines) stay readable: ID numbers must carry a valid
birth date, bank cards a valid Luhn check digit, and bare-digit permits the word that names them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

# Full-width digits, letters and separators fold to their ASCII forms one character for one, so spans
# found in the folded text are spans of the original.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: 0x20, 0x2010: 0x2D, 0x2011: 0x2D, 0x2012: 0x2D, 0x2013: 0x2D, 0x2014: 0x2D, 0x2212: 0x2D})

SEP = r"[ \-]?"
_DATE = r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
# A resident ID: 6 digits of area, a birth date, 3 digits and a check character; separators allowed
# between any two characters (written 6-8-4, 6-4-4-4 or digit by digit). The old 15-digit form too.
_SPACED_ID = SEP.join([r"\d"] * 17) + SEP + r"[\dXx]"
ID_RE = re.compile(rf"(?<![\d])(?:{_SPACED_ID}|\d{{6}}\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{{3}})(?![\d])")
_ID18 = re.compile(rf"\d{{6}}{_DATE}\d{{3}}[\dXx]")
MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
# Bank cards: 16–19 digits starting 3–6, grouped by spaces or hyphens or not, with a valid Luhn digit.
CARD_RE = re.compile(r"(?<![\d])[3-6]\d{3}(?:[ \-]?\d){12,15}(?![\d])")
EMAIL_RE = re.compile(r"([A-Za-z0-9._%+\-]{1,64})@([A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63})+)")
# Passports (E/G + 8 digits, E + letter + 7 digits, official P/S/D), Home Return Permits (H/M + 8 or 10
# digits), mainland permits for Hong Kong/Macao (C + 8 characters) and Taiwan (L + 8 digits), Hong Kong ID
# cards (one or two letters, 6 digits, a check character in brackets or not).
DOC_RE = re.compile(
    r"(?<![A-Za-z0-9])(?:[EG]\d{8}|E[A-HJ-NP-Z]\d{7}|[PSD]E?\d{7}|[HM]\d{8}(?:\d{2})?|C[A-Z0-9]\d{7}|L\d{8}"
    r"|[A-Z]{1,2}\d{6}\(?[\dA]\)?)(?![A-Za-z0-9])"
)
# Numbers that are only identifying next to the word naming them: Taiwan compatriot permits (8 or 10 digits),
# Macao ID (7 digits + check), and any number right after 证件号/护照/通行证.
NAMED_RE = re.compile(
    r"(台胞证|台湾居民来往大陆通行证|通行证|回乡证|护照|证件号码?|身份证号?码?|澳门身份证|香港身份证)"
    r"(\D{0,6}?)([A-Za-z]?[\d][\d\- ()]{5,16}[\dA-Za-z)])"
)


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _keep(whole: str, head: int, tail: int) -> str:
    chars = [c for c in whole if c not in " -"]
    return "".join(chars[:head]) + "*" * max(1, len(chars) - head - tail) + "".join(chars[-tail:] if tail else [])


def _id(m: re.Match[str]) -> str | None:
    compact = re.sub(r"[ \-]", "", m.group(0))
    if len(compact) == 18 and not _ID18.fullmatch(compact):
        return None
    if len(compact) not in (15, 18):
        return None
    return _keep(compact, 4, 3)


def _card(m: re.Match[str]) -> str | None:
    compact = re.sub(r"[ \-]", "", m.group(0))
    if not 16 <= len(compact) <= 19 or not _luhn(compact):
        return None
    return _keep(compact, 4, 4)


def _mobile(m: re.Match[str]) -> str:
    return f"{m.group(1)}****{m.group(3)}"


def _email(m: re.Match[str]) -> str:
    return f"{m.group(1)[:1]}***@{m.group(2)}"


def _doc(m: re.Match[str]) -> str:
    return _keep(m.group(0).replace("(", "").replace(")", ""), 1, 2)


def _named(m: re.Match[str]) -> str:
    number = m.group(3)
    if "*" in number:
        return m.group(0)
    return m.group(1) + m.group(2) + _keep(number, 1, 2)


_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str | None]], ...] = (
    (EMAIL_RE, _email),
    (ID_RE, _id),
    (CARD_RE, _card),
    (MOBILE_RE, _mobile),
    (DOC_RE, _doc),
    (NAMED_RE, _named),
)


def mask(text: str) -> str:
    """Identifying numbers replaced by masked forms (mobile 3 + 4 digits, ID numbers their first 4 and
    last 3 characters, cards first and last 4, e-mail the first letter and the domain)."""
    if not text:
        return text
    for pattern, replace in _RULES:
        folded = text.translate(_FOLD)
        out: list[str] = []
        last = 0
        for m in pattern.finditer(folded):
            masked = replace(m)
            if masked is None:
                continue
            out.append(text[last : m.start()])
            out.append(masked)
            last = m.end()
        if out:
            text = "".join(out) + text[last:]
    return text


def mask_excerpt(text: str, limit: int = 300) -> str:
    """A masked, bounded excerpt of what the applicant said, for records."""
    flat = " ".join(text.split())
    return mask(flat[:limit] + ("…" if len(flat) > limit else ""))


def mask_value(value: Any, depth: int = 0) -> Any:
    """Every string inside a JSON-like value masked (slots, metadata, facts); other values unchanged."""
    if isinstance(value, str):
        return mask(value)
    if depth > 20:
        return None
    if isinstance(value, dict):
        return {k: mask_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(v, depth + 1) for v in value]
    return value


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
