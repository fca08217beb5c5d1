"""Conversations through Rasa's REST channel, the way an integrator or the widget talks to it."""

from __future__ import annotations

import uuid

import pytest

from tests.server.conftest import Assistant

pytestmark = pytest.mark.server


def _sender() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


def _text(messages: list[dict[str, object]]) -> str:
    return "\n".join(str(m.get("text", "")) for m in messages)


def test_greeting_is_answered_in_chinese_with_suggestions(assistant: Assistant) -> None:
    out = assistant.say(_sender(), "你好")
    assert "首咨助手" in _text(out)
    assert out[0].get("buttons")


def test_consult_gets_a_complete_referral(assistant: Assistant) -> None:
    out = assistant.say(_sender(), "我喺九江，护照过期了想换个新的，要带什么？")
    text = _text(out)
    for part in ("办理部门", "办理地点", "所需材料", "办理时限", "12345"):
        assert part in text
    assert "南海分局" in text
    card = next((m["custom"] for m in out if "custom" in m), None)
    assert isinstance(card, dict) and card["kind"] == "referral" and card["data"]["department"] == "psb"


def test_town_question_then_town_centre(assistant: Assistant) -> None:
    sender = _sender()
    first = assistant.say(sender, "开奶茶店要办食品经营许可证")
    if "镇街" in _text(first):  # asked for the town (R3)
        titles = [b["title"] for b in first[0]["buttons"]]
        assert "西樵镇" in titles
        second = assistant.say(sender, "西樵镇")
        assert "西樵镇行政服务中心" in _text(second)
    else:
        pytest.fail("a town-level item without a town should ask for the town: " + _text(first))


def test_out_of_scope_and_human(assistant: Assistant) -> None:
    assert "服务范围" in _text(assistant.say(_sender(), "讲个笑话听听"))
    assert "12345" in _text(assistant.say(_sender(), "转人工"))


def test_report_names_department(assistant: Assistant) -> None:
    text = _text(assistant.say(_sender(), "隔离工地半夜三点仲喺度打桩，嘈到瞓唔着"))
    assert "负责" in text


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "😀",
        "<script>alert(1)</script>",
        "长" * 3000,
        "XT202611280001' OR '1'='1",
        "'; DROP TABLE records; --",
    ],
)
def test_odd_messages_never_break_the_conversation(assistant: Assistant, message: str) -> None:
    sender = _sender()
    status, _ = assistant.post("/webhooks/rest/webhook", {"sender": sender, "message": message})
    assert status == 200
    assert "首咨助手" in _text(assistant.say(sender, "你好"))
