"""History after a reload: the visitor's own words (as stored) and the replies' structure, nothing else."""

from __future__ import annotations

from typing import Any

from bot.conversation.replies import Button, Reply, greeting
from bot.web.history import MAX_SHOWN_CHARS, shape_history, shown_label


def user(text: str, **metadata: Any) -> dict[str, Any]:
    return {"event": "user", "text": text, "timestamp": 1.0, "metadata": metadata, "parse_data": {"intent": {}}}


def bot(text: str, custom: dict[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"buttons": None, "custom": custom}
    return {"event": "bot", "text": text, "timestamp": 2.0, "data": data}


def test_user_texts_and_structured_replies_in_order() -> None:
    reply = Reply("referral", "指引", (("办理部门", "公安"),), (Button("转人工", "转人工"),), data={"item": "x"})
    events = [
        {"event": "action", "name": "action_session_start", "timestamp": 0.5},
        {"event": "session_started", "timestamp": 0.6},
        user("补办身份证要带什么材料"),
        {"event": "slot", "name": "dialogue", "value": {"secret": 1}, "timestamp": 1.5},
        bot("指引\n【办理部门】公安", reply.as_dict()),
        bot("plain answer"),
        {"event": "action", "name": "action_listen", "timestamp": 3.0},
    ]
    out = shape_history(events)
    assert out == [
        {"from": "user", "text": "补办身份证要带什么材料", "at": 1.0},
        {"from": "bot", "reply": reply.as_dict(), "at": 2.0},
        {"from": "bot", "reply": Reply("text", "plain answer").as_dict(), "at": 2.0},
    ]
    assert "secret" not in str(out)


def test_button_presses_show_the_label_the_visitor_saw() -> None:
    out = shape_history([user("我想注册一间公司，要办哪些手续", shown="开办企业")])
    assert out[0]["text"] == "开办企业"


def test_shown_labels_are_cleaned_bounded_and_masked() -> None:
    assert shown_label("开办\u202e企业\u200b") == "开办企业"
    assert shown_label(None) is None and shown_label(3) is None and shown_label("\u200b") is None
    assert len(shown_label("字" * 500) or "") == MAX_SHOWN_CHARS
    assert "13812345678" not in (shown_label("我的电话13812345678") or "")


def test_unknown_or_broken_bot_data_falls_back_to_text() -> None:
    broken = bot("fallback", {"kind": "referral", "sections": [{"no_label": 1}]})
    assert shape_history([broken])[0]["reply"]["title"] == "fallback"
    assert shape_history([bot("", None)]) == []
    assert shape_history([bot("hi", {"no_kind": True})])[0]["reply"]["kind"] == "text"


def test_history_keeps_the_last_entries_only() -> None:
    events = [user(f"第{i}条") for i in range(10)]
    assert [m["text"] for m in shape_history(events, limit=3)] == ["第7条", "第8条", "第9条"]
    assert shape_history(events, limit=0) == []


def test_reply_round_trip_is_unchanged() -> None:
    g = greeting().as_dict()
    assert shape_history([bot("x", g)])[0]["reply"] == g
