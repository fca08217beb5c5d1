from __future__ import annotations

from rasa.shared.core.events import ActionExecuted, UserUttered

from bot.adapters.stores.tracker_store import masked


def test_user_messages_are_masked_for_storage_only() -> None:
    event = UserUttered("我电话13812345678", {"name": "consult_item", "confidence": 0.9})
    stored = masked(event)
    assert stored.as_dict()["text"] == "我电话138****5678"
    assert stored.as_dict()["parse_data"]["text"] == "我电话138****5678"
    assert event.text == "我电话13812345678"  # the live conversation keeps what was said
    plain = UserUttered("补办身份证")
    assert masked(plain) is plain
    action = ActionExecuted("action_respond")
    assert masked(action) is action
