"""Two instances behind one WeChat server URL, sharing PostgreSQL and Redis: a message WeChat retries
onto both is answered once and opens one record; the access token is fetched once for both."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.records.db import make_engine
from bot.records.tables import consultations, records
from bot.wechat import wire
from tests.conftest import fresh_postgres_database
from tests.server.conftest import launch, model_under_test
from tests.server.wechat_door import WeChatDoor
from tests.wechat import signing
from tests.wechat.fake_api import FakeWeChat

pytestmark = pytest.mark.server


def test_a_retry_on_the_other_instance_is_answered_once_with_one_record(
    postgres_url: str, redis_address: tuple[str, int], tmp_path: Path
) -> None:
    database = fresh_postgres_database(postgres_url)
    host, port = redis_address
    fake = FakeWeChat().start()
    shared = {
        "SHOUZI_REDIS_HOST": host,
        "SHOUZI_REDIS_PORT": str(port),
        "SHOUZI_WECHAT_TOKEN": signing.TOKEN,
        "SHOUZI_WECHAT_APPID": signing.APP_ID,
        "SHOUZI_WECHAT_SECRET": "test-secret",
        "SHOUZI_WECHAT_API_BASE": fake.base,
        "SHOUZI_WECHAT_REPLY_BUDGET": "0.001",  # every answer through 客服消息, so both need the token
    }
    a = launch(model_under_test(), tmp_path / "a", database, **shared)
    try:
        b = launch(model_under_test(), tmp_path / "b", database, **shared)
        try:
            doors = [WeChatDoor(x.assistant.base, fake) for x in (a, b, a)]
            sender = signing.openid()
            message = signing.text(sender, "我去咗税务局问，佢哋话唔归佢哋管，叫我去第二个部门问")
            answers: list[tuple[int, str]] = []
            threads = [threading.Thread(target=lambda d=d: answers.append(d.post(message))) for d in doors]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert answers == [(200, wire.SUCCESS)] * 3
            texts = fake.wait_for(lambda: fake.texts_to(sender))
            time.sleep(2)
            assert fake.texts_to(sender) == texts and any("协调单" in t for t in texts)
            # More applicants on both instances: still one token for the account.
            for d in doors[:2]:
                other = signing.openid()
                d.post(signing.text(other, "补办身份证要带什么材料"))
                fake.wait_for(lambda other=other: fake.texts_to(other))
            assert len(fake.token_requests) == 1
            engine = make_engine(database)
            with engine.connect() as conn:
                mine = conn.execute(select(records.c.number).where(records.c.conversation_id == sender)).all()
                matters = conn.execute(
                    select(consultations.c.id).where(consultations.c.conversation_id == sender)
                ).all()
            engine.dispose()
            assert len(mine) == 1 and len(matters) == 1
        finally:
            b.stop()
    finally:
        a.stop()
        fake.stop()
