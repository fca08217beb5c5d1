from __future__ import annotations

import json

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


def test_metadata_slots_and_replies_are_masked_and_transport_keys_dropped() -> None:
    from rasa.shared.core.events import BotUttered, SlotSet

    from bot.vocabulary import CLIENT_KEY

    said = UserUttered("身份证 440682 19900101 1234", metadata={CLIENT_KEY: "abc", "note": "邮箱 zhang@example.com"})
    stored = masked(said).as_dict()
    assert "19900101" not in json.dumps(stored, ensure_ascii=False)
    assert CLIENT_KEY not in stored["metadata"] and stored["metadata"]["note"] == "邮箱 z***@example.com"
    slot = masked(SlotSet("dialogue", {"dispute": {"item": "卡号 6222021234567890128"}})).as_dict()
    assert "6222021234567890128" not in json.dumps(slot, ensure_ascii=False)
    reply = masked(BotUttered("您的电话 13812345678", {"custom": {"title": "13812345678"}})).as_dict()
    assert "13812345678" not in json.dumps(reply, ensure_ascii=False)


def test_the_tracker_store_pings_its_pooled_connections(tmp_path: object) -> None:
    """After a database restart a stale connection is replaced before a save, not failed on."""
    from bot.adapters.stores.tracker_store import MaskingSQLTrackerStore

    store = MaskingSQLTrackerStore(dialect="sqlite", db=f"{tmp_path}/tracker.db")
    assert store.engine.pool._pre_ping is True
