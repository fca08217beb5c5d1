"""Record numbers as applicants read them out: two letters, the date, a 4-digit sequence."""

from __future__ import annotations

import re
from datetime import date

from bot.vocabulary import RecordKind

KIND_OF_PREFIX = {kind.prefix: kind for kind in RecordKind}
NUMBER_RE = re.compile(r"(?<![A-Za-z0-9])((?:XT|TJ|HP)\s?\d{8}\s?\d{4})(?![0-9])", re.IGNORECASE)
# Something that looks like a record number but is not one (too short, too long, a typo).
NEAR_MISS_RE = re.compile(r"(?<![A-Za-z0-9])(?:XT|TJ|HP)[\s\-_]?\d[\d\s\-_]{2,}", re.IGNORECASE)
MAX_SEQUENCE = 9999


def format_number(kind: str, day: date, sequence: int) -> str:
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"sequence {sequence} out of range for a 4-digit record number")
    return f"{RecordKind(kind).prefix}{day:%Y%m%d}{sequence:04d}"


def normalise(raw: str) -> str:
    """``xt 20261128 0007`` → ``XT202611280007``."""
    return re.sub(r"[\s\-_]", "", raw).upper()


def find_numbers(text: str) -> list[str]:
    return list(dict.fromkeys(normalise(m.group(1)) for m in NUMBER_RE.finditer(text)))


def find_malformed(text: str) -> list[str]:
    """Number-like strings that are not valid record numbers, for a polite format hint."""
    good = {m.span() for m in NUMBER_RE.finditer(text)}
    out = []
    for m in NEAR_MISS_RE.finditer(text):
        if not any(s <= m.start() < e for s, e in good):
            out.append(normalise(m.group(0)))
    return out
