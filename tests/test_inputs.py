from __future__ import annotations

import json

import pytest

from bot.inputs import ClientError, clean_text, parse_analyze_request


def parse(body: bytes) -> tuple[str, str | None]:
    req = parse_analyze_request(body, max_chars=50, max_bytes=1024)
    return req.text, req.town


def test_good_request_is_cleaned() -> None:
    assert parse(json.dumps({"text": "  开餐馆\x00要办咩证 ", "town": "西樵镇"}).encode()) == (
        "开餐馆要办咩证",
        "西樵镇",
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"not json", 400, "invalid_json"),
        (b"\xff\xfe", 400, "invalid_json"),
        (b"[1, 2]", 400, "invalid_json"),
        (b"{}", 422, "missing_text"),
        (json.dumps({"text": 5}).encode(), 422, "missing_text"),
        (json.dumps({"text": "  \u200b "}).encode(), 422, "empty_text"),
        (json.dumps({"text": "长" * 51}).encode(), 413, "text_too_long"),
        (b"{" + b" " * 2000 + b"}", 413, "body_too_large"),
        (json.dumps({"text": "hi", "town": 3}).encode(), 422, "invalid_town"),
    ],
)
def test_bad_requests_get_chinese_errors(body: bytes, status: int, code: str) -> None:
    with pytest.raises(ClientError) as err:
        parse(body)
    assert (err.value.status, err.value.code) == (status, code)
    message = err.value.body()["error"]["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_clean_text_folds_full_width() -> None:
    assert clean_text("ＸＴ２０２６") == "XT2026"
