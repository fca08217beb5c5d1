"""The REST door checks a request before any language understanding: sizes, shapes and types get a 4xx
with a Chinese message, an over-long text a polite answer, and nothing gets a 500 or silence."""

from __future__ import annotations

import http.client
import json
import uuid

import pytest

from tests.server.conftest import Assistant

pytestmark = pytest.mark.server
WEBHOOK = "/webhooks/rest/webhook"


def _sender() -> str:
    return f"lim-{uuid.uuid4().hex[:10]}"


def _chinese(body: object) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in json.dumps(body, ensure_ascii=False))


def test_a_huge_message_is_answered_politely_and_quickly(assistant: Assistant) -> None:
    """60,000 characters of catalog phrases (the matcher's worst case) within the body limit."""
    sender = _sender()
    status, body = assistant.post(WEBHOOK, {"sender": sender, "message": "开奶茶店办营业执照" * 3000}, timeout=60)
    assert status == 413 or (status == 200 and any(m.get("custom", {}).get("kind") == "too_long" for m in body))
    assert _chinese(body)
    # The server is still answering everyone else.
    assert "首咨助手" in "".join(str(m.get("text")) for m in assistant.say(_sender(), "你好"))


def test_text_just_over_the_limit_gets_the_too_long_reply(assistant: Assistant) -> None:
    out = assistant.say(_sender(), "我想问一下" * 500)  # 2,500 characters, under the body limit
    assert any(m.get("custom", {}).get("kind") == "too_long" for m in out)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"[1, 2, 3]", 400),
        (b'"just a string"', 400),
        (b"not json at all", 400),
        (b"\xff\xfe\x00", 400),
        (b"[" * 5000 + b"]" * 5000, 400),
        (json.dumps({"sender": {"a": [{"b": 1}]}, "message": "你好"}).encode(), 422),
        (json.dumps({"message": "你好"}).encode(), 422),
        (json.dumps({"sender": "x" * 300, "message": "你好"}).encode(), 422),
        (json.dumps({"sender": "u", "message": 12345}).encode(), 422),
        (json.dumps({"sender": "u", "message": ["你好"]}).encode(), 422),
        (json.dumps({"sender": "u", "message": "你好", "metadata": [1]}).encode(), 422),
        (b'{"sender": "u", "message": "' + b"a" * 70000 + b'"}', 413),
    ],
)
def test_malformed_requests_get_a_4xx_in_chinese(assistant: Assistant, body: bytes, status: int) -> None:
    got, answer = assistant.post(WEBHOOK, body)
    assert got == status, answer
    assert isinstance(answer, dict) and _chinese(answer)


@pytest.mark.parametrize("message", ["\u0000\u0000", "你好\ud800", "\u202e\u200b补办身份证\u0000要带什么"])
def test_control_characters_and_lone_surrogates_are_cleaned(assistant: Assistant, message: str) -> None:
    raw = json.dumps({"sender": _sender(), "message": message}).encode()  # \\ud800 stays escaped in JSON
    status, body = assistant.post(WEBHOOK, raw)
    assert status == 200 and isinstance(body, list) and body


def test_a_body_over_the_server_limit_is_refused_before_it_is_read(assistant: Assistant) -> None:
    """Only the headers are sent: the server answers 413 from the declared length, reading nothing."""
    host, port = assistant.base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.putrequest("POST", WEBHOOK)
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(2 * 1024 * 1024))
    conn.endheaders()
    assert conn.getresponse().status == 413
    conn.close()
