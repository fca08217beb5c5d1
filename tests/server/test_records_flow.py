"""R2, R4, R13 and 好差评 through the REST channel, on SQLite and on a real PostgreSQL, across a restart."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from bot.records.db import make_engine
from bot.records.tables import consultations, records
from tests.conftest import fresh_postgres_database
from tests.server.conftest import Assistant, launch, model_under_test

pytestmark = pytest.mark.server

BOUNCED = "我去社保局问灵活就业参保，佢哋话唔关佢哋事，叫我去税务局，税务局又叫我返社保局问，电话13812345678"


def _sender() -> str:
    return f"r-{uuid.uuid4().hex[:10]}"


def _cards(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]


def _card(messages: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [c for c in _cards(messages) if c["kind"] == kind]
    assert found, f"no {kind} in {[c['kind'] for c in _cards(messages)]}"
    return found[0]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shouzi.db'}"
    return fresh_postgres_database(request.getfixturevalue("postgres_url"))


def test_a_bounced_matter_is_owned_recorded_and_remembered_after_a_restart(database: str, tmp_path: Path) -> None:
    model = model_under_test()
    applicant, waiting = _sender(), _sender()
    first = launch(model, tmp_path / "first", database)
    try:
        bot: Assistant = first.assistant
        opened = _card(bot.say(applicant, BOUNCED), "coordination_opened")
        number = opened["data"]["number"]
        assert number.startswith("XT") and len(number) == 14
        assert any(number in s["text"] for s in opened["sections"])
        # Delivered twice (a client retry): the same record.
        again = _card(bot.say(applicant, BOUNCED), "coordination_opened")
        assert again["data"]["number"] == number
        # A conversation with a matter under discussion (answered first, the town still to come).
        assert _card(bot.say(waiting, "开奶茶店要办食品经营许可证"), "referral")
    finally:
        first.stop()

    second = launch(model, tmp_path / "second", database)
    try:
        bot = second.assistant
        status = _card(bot.say(_sender(), f"你好，帮我查下 {number.lower()} 办成点"), "record_status")
        assert status["data"]["number"] == number and status["data"]["state"] == "opened"
        assert status["data"]["next_deadline"] == opened["data"]["due_on"]
        assert _card(bot.say(_sender(), "XT209901010001 到边了"), "record_not_found")
        assert _card(bot.say(_sender(), "单号 XT20261"), "malformed_number")
        # The waiting conversation continues where it stopped.
        referral = _card(bot.say(waiting, "西樵镇"), "referral")
        assert referral["data"]["town"] == "西樵镇"
    finally:
        second.stop()

    engine = make_engine(database)
    with engine.connect() as conn:
        rows = conn.execute(select(records).where(records.c.number == number)).mappings().all()
        assert len(rows) == 1
        assert rows[0]["summary"] and "13812345678" not in rows[0]["summary"]
        matters = (
            conn.execute(select(consultations).where(consultations.c.conversation_id == applicant)).mappings().all()
        )
        assert [(m["outcome"], m["record_number"]) for m in matters] == [("coordination_opened", number)]
        assert matters[0]["channel"] == "rest" and matters[0]["first_unit"]
        # Rasa's conversation history, in the same database, holds the masked text only.
        history = conn.execute(text("SELECT data FROM events WHERE sender_id = :s"), {"s": applicant}).scalars().all()
        assert history and not any("13812345678" in row for row in history)
        assert any("138****5678" in row for row in history)
    engine.dispose()


def test_rating_at_the_end_and_follow_up_for_a_poor_one(assistant: Assistant) -> None:
    sender = _sender()
    assistant.say(sender, "我喺桂城，补办身份证要带什么材料")
    out = assistant.say(sender, "唔该晒")  # 好差评 once, at the end
    rating = _card(out, "rating_request")
    assert [b["title"] for b in rating["buttons"]] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    follow_up = _card(assistant.say(sender, "非常不满意"), "follow_up_opened")
    assert follow_up["data"]["number"].startswith("HP")
    saved = _card(assistant.say(sender, "材料清单同窗口讲的唔一样"), "comment_saved")
    assert follow_up["data"]["number"] in saved["title"]
    status = _card(assistant.say(_sender(), follow_up["data"]["number"]), "record_status")
    assert status["data"]["kind"] == "follow_up"
