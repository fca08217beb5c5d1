"""Two instances behind one address: one PostgreSQL, conversation locks in Redis. A conversation
moves freely between them, a message delivered to both at once is handled once, and records stay
unique."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from bot.records.db import make_engine
from bot.records.store import RecordStore
from tests.conftest import fresh_postgres_database
from tests.server.conftest import launch, model_under_test

pytestmark = pytest.mark.server


def _kinds(messages: list[dict[str, Any]]) -> list[str]:
    return [m["custom"]["kind"] for m in messages if isinstance(m.get("custom"), dict)]


def test_two_instances_share_conversations_and_records(
    postgres_url: str, redis_address: tuple[str, int], tmp_path: Path
) -> None:
    database = fresh_postgres_database(postgres_url)
    host, port = redis_address
    shared = {"SHOUZI_REDIS_HOST": host, "SHOUZI_REDIS_PORT": str(port)}
    a = launch(model_under_test(), tmp_path / "a", database, **shared)
    try:
        b = launch(model_under_test(), tmp_path / "b", database, **shared)
        try:
            sender = f"m-{uuid.uuid4().hex[:10]}"
            assert _kinds(a.assistant.say(sender, "开奶茶店要办食品经营许可证")) == ["referral"]
            assert _kinds(b.assistant.say(sender, "西樵镇"))[0] == "referral"  # picked up where A left off

            bounced = f"b-{uuid.uuid4().hex[:10]}"
            text = "我去咗税务局问，佢哋话唔归佢哋管，叫我去第二个部门问"
            replies: list[list[dict[str, Any]]] = []
            threads = [
                threading.Thread(target=lambda x=x: replies.append(x.assistant.say(bounced, text))) for x in (a, b)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            numbers = {
                m["custom"]["data"]["number"]
                for r in replies
                for m in r
                if m.get("custom", {}).get("kind") == "coordination_opened"
            }
            assert len(numbers) == 1, replies
            engine = make_engine(database)
            mine = [r for r in RecordStore(engine).list_records(kind="coordination") if r.number in numbers]
            assert len(mine) == 1
            engine.dispose()
        finally:
            b.stop()
    finally:
        a.stop()
