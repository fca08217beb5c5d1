from __future__ import annotations

from datetime import date

import pytest

from bot.records.numbers import find_malformed, find_numbers, format_number, normalise


def test_format_matches_the_contract() -> None:
    assert format_number("coordination", date(2026, 11, 28), 7) == "XT202611280007"
    assert format_number("escalation", date(2026, 11, 28), 3) == "TJ202611280003"
    with pytest.raises(ValueError):
        format_number("coordination", date(2026, 11, 28), 10000)


def test_numbers_are_found_however_they_are_typed() -> None:
    assert find_numbers("帮我查下 xt 20261128 0007 进度") == ["XT202611280007"]
    assert find_numbers("TJ202611280003和HP202611280001") == ["TJ202611280003", "HP202611280001"]
    assert normalise("xt-2026-1128-0007") == "XT202611280007"


def test_near_misses_are_reported_not_looked_up() -> None:
    assert find_numbers("XT2026112800") == []
    assert find_malformed("我的单号是XT2026112800") == ["XT2026112800"]
    assert find_malformed("XT202611280007") == []
    assert find_malformed("我想咨询营业执照") == []
