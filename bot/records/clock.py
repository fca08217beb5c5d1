"""The time the service centre lives in (Asia/Shanghai), behind a clock that tests can control.

Deadlines are counted on the local calendar, so every module asks a :class:`Clock` for "now"
instead of calling ``datetime.now()``; a deployment can pin the time with ``SHOUZI_NOW`` for
demonstrations and server tests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


@dataclass
class FixedClock:
    """A clock that only moves when told to (tests, demos)."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current = self.current + timedelta(**delta)


def local_date(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def to_db(moment: datetime) -> datetime:
    """Naive UTC, the one form both SQLite and PostgreSQL columns store the same way."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def from_db(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def clock_from_env() -> Clock:
    """``SHOUZI_NOW`` (ISO 8601, local time when no offset) pins the clock; otherwise system time."""
    raw = os.environ.get("SHOUZI_NOW", "").strip()
    if not raw:
        return SystemClock()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValueError(f"SHOUZI_NOW must be an ISO 8601 time, got {raw!r}") from exc
    return FixedClock(moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ))
