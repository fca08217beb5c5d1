"""Working days on the Chinese public calendar: weekends, holidays and make-up working days as data.

Deadlines in the policy (R2: 2 working days; R11) are working days counted from the day after the
record is opened, as Chinese administrative time limits are (次日起算).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot import yaml_files

CALENDAR_FILE = Path(__file__).resolve().parent / "data" / "calendar.yaml"


class CalendarError(ValueError):
    """The calendar file is inconsistent; the message lists every problem found."""


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date]
    workdays: frozenset[date]  # make-up working days on a weekend
    years: frozenset[int]

    def covers(self, day: date) -> bool:
        """Whether the official arrangement for this day's year is in the data."""
        return day.year in self.years

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself never counts)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day, left = start, days
        while left:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


def _as_date(value: Any, where: str, errors: list[str]) -> date | None:
    if isinstance(value, date):
        return value
    errors.append(f"{where}: {value!r} is not a date (YYYY-MM-DD)")
    return None


def parse_calendar(doc: Any) -> WorkCalendar:
    """Validate a calendar document; every problem is reported at once."""
    errors: list[str] = []
    holidays: set[date] = set()
    workdays: set[date] = set()
    years: set[int] = set()
    if not isinstance(doc, dict) or not isinstance(doc.get("years"), dict) or not doc.get("source"):
        raise CalendarError("calendar: needs `source` and a `years` mapping")
    for year, block in doc["years"].items():
        if not isinstance(year, int) or not isinstance(block, dict):
            errors.append(f"years.{year}: must be a year mapping to holidays and workdays")
            continue
        unknown = set(block) - {"holidays", "workdays"}
        if unknown:
            errors.append(f"years.{year}: unknown fields {sorted(unknown)}")
        years.add(year)
        for i, h in enumerate(block.get("holidays") or []):
            where = f"years.{year}.holidays[{i}]"
            if not isinstance(h, dict) or not h.get("name"):
                errors.append(f"{where}: needs from, to and name")
                continue
            start, end = _as_date(h.get("from"), where, errors), _as_date(h.get("to"), where, errors)
            if start is None or end is None:
                continue
            if end < start or start.year != year or end.year != year:
                errors.append(f"{where}: {start}..{end} is not a range within {year}")
                continue
            day = start
            while day <= end:
                holidays.add(day)
                day += timedelta(days=1)
        for i, w in enumerate(block.get("workdays") or []):
            where = f"years.{year}.workdays[{i}]"
            d = _as_date(w, where, errors)
            if d is None:
                continue
            if d.year != year or d.weekday() < 5:
                errors.append(f"{where}: {d} must be a weekend day of {year} (a make-up working day)")
            workdays.add(d)
    clash = holidays & workdays
    if clash:
        errors.append(f"days both holiday and working day: {sorted(map(str, clash))}")
    if errors:
        raise CalendarError("calendar:\n  " + "\n  ".join(errors))
    return WorkCalendar(frozenset(holidays), frozenset(workdays), frozenset(years))


@lru_cache(maxsize=4)
def load_calendar(path: Path = CALENDAR_FILE) -> WorkCalendar:
    return parse_calendar(yaml_files.safe_load(path.read_text(encoding="utf-8")))
