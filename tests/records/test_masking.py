from __future__ import annotations

import logging

import pytest

from bot.records.masking import MaskingFilter, mask, mask_excerpt


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("我的电话13812345678", "我的电话138****5678"),
        ("电话 +86 138-1234-5678 谢谢", "电话 138****5678 谢谢"),
        ("身份证440682199001011234", "身份证4406***********234"),
        ("身份证号44068219900101123X。", "身份证号4406***********23X。"),
        ("老证440682900101123", "老证4406********123"),
    ],
)
def test_phone_and_id_numbers_are_masked(raw: str, masked: str) -> None:
    assert mask(raw) == masked


@pytest.mark.parametrize("kept", ["XT202611280007", "受理号 20261128123456", "座机 0757-86280000", "共 3 份材料"])
def test_other_numbers_are_kept(kept: str) -> None:
    assert mask(kept) == kept


def test_excerpt_is_bounded_and_masked() -> None:
    out = mask_excerpt("联系 13812345678 " + "很长" * 500, limit=50)
    assert "13812345678" not in out and len(out) <= 51 and out.endswith("…")


def test_log_records_are_masked() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "用户 %s 来电", ("13812345678",), None)
    MaskingFilter().filter(record)
    assert record.getMessage() == "用户 138****5678 来电"
