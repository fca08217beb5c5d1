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


@pytest.mark.parametrize(
    ("raw", "hidden", "kept"),
    [
        ("身份证４４０６８２１９９００１０１１２３４", "１９９００１０１", "4406"),  # full-width digits
        ("证件ID440682199001011234abc", "19900101", "abc"),  # glued to letters
        ("身份证 440682 19900101 1234", "19900101", "身份证"),  # split by spaces
        ("身份证 4406-8219-9001-0112-34", "9001-0112", "身份证"),  # split by hyphens
        ("电话１３８１２３４５６７８", "１２３４", "138"),
        ("卡号 6222 0212 3456 7890 128", "3456 7890", "6222"),  # bank card (Luhn-valid)
        ("卡号6222021234567890128", "21234567890", "6222"),
        ("邮箱 zhang.san@example.com", "zhang.san", "example.com"),
        ("护照E12345678", "123456", "护照"),
        ("护照号 EA1234567", "123456", "护照号"),
        ("回乡证H1234567801", "12345678", "回乡证"),
        ("港澳通行证C12345678", "123456", "港澳通行证"),
        ("台湾通行证L12345678", "123456", "通行证"),
        ("台胞证 12345678", "234567", "台胞证"),
        ("香港身份证A123456(7)", "23456", "香港身份证"),
    ],
)
def test_identifying_numbers_in_every_written_form_are_masked(raw: str, hidden: str, kept: str) -> None:
    out = mask(raw)
    assert hidden not in out and kept in out, out


@pytest.mark.parametrize(
    "kept",
    [
        "订单号 6222021234567890127",
        "TJ202611280003 和 HP202611280001",
        "2026年11月28日 14:30",
        "事项编号 11440605MB2C12345X",
    ],
)
def test_look_alikes_are_kept(kept: str) -> None:
    assert mask(kept) == kept


def test_mask_value_reaches_nested_strings() -> None:
    from bot.records.masking import mask_value

    assert mask_value({"a": ["13812345678", {"b": "x@y.cn"}], "n": 3}) == {
        "a": ["138****5678", {"b": "x***@y.cn"}],
        "n": 3,
    }
