from __future__ import annotations

from datetime import date

import pytest

from bot.records.workdays import CalendarError, load_calendar, parse_calendar


def test_weekends_holidays_and_make_up_days() -> None:
    cal = load_calendar()
    assert cal.is_working_day(date(2026, 11, 27))  # Friday
    assert not cal.is_working_day(date(2026, 11, 28))  # Saturday
    assert not cal.is_working_day(date(2026, 10, 5))  # 国庆, a Monday
    assert cal.is_working_day(date(2026, 10, 10))  # Saturday made a working day
    assert cal.covers(date(2026, 5, 1)) and not cal.covers(date(2030, 1, 1))


def test_counting_starts_the_day_after() -> None:
    cal = load_calendar()
    # Opened on a Friday: Monday is the first working day, Tuesday the second.
    assert cal.add_working_days(date(2026, 11, 27), 2) == date(2026, 12, 1)
    # Opened on a Saturday: same.
    assert cal.add_working_days(date(2026, 11, 28), 2) == date(2026, 12, 1)
    # Across 国庆: 30 Sep (Wed) + 2 → 8 Oct (Thu) is the first, 9 Oct (Fri) the second.
    assert cal.add_working_days(date(2026, 9, 30), 2) == date(2026, 10, 9)
    # Across 春节 with its make-up Saturday (28 Feb).
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert cal.add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)
    assert cal.working_days_between(date(2026, 11, 27), date(2026, 12, 1)) == 2


def test_years_not_in_the_data_count_weekends_only() -> None:
    cal = load_calendar()
    assert cal.add_working_days(date(2030, 1, 4), 1) == date(2030, 1, 7)


def test_bad_calendars_are_rejected_with_every_problem() -> None:
    doc = {
        "source": "test",
        "years": {
            2026: {
                "holidays": [{"from": date(2026, 10, 7), "to": date(2026, 10, 1), "name": "反了"}],
                "workdays": [date(2026, 10, 12), "not a date"],
                "extra": [],
            }
        },
    }
    with pytest.raises(CalendarError) as err:
        parse_calendar(doc)
    message = str(err.value)
    for problem in ("is not a range", "must be a weekend day", "is not a date", "unknown fields"):
        assert problem in message
    with pytest.raises(CalendarError):
        parse_calendar({"years": {}})
