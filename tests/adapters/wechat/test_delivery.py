"""bot.adapters.wechat.delivery: applicant notifications reach WeChat users once — by 客服消息 inside the 48-hour
window, by template outside it — with backoff on errors; staff notifications and other channels stay."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy.engine import Engine

from bot.adapters.wechat.api import WeChatApi
from bot.adapters.wechat.delivery import Messenger, OutboxDelivery
from bot.adapters.wechat.tokens import TokenCache
from bot.policy import get_policy
from bot.policy.engine import Facts, decide
from bot.records.clock import LOCAL_TZ, FixedClock
from bot.records.escalations import OFFICE, EscalationDesk
from bot.records.store import APPLICANT, MatterRef, RecordStore
from bot.wechat import wire
from bot.wechat.notices import backoff
from bot.wechat.state import DoorState
from tests.wechat import signing
from tests.wechat.fake_api import FakeWeChat

NOW = 1_800_000_000.0


@pytest.fixture
def fake() -> Iterator[FakeWeChat]:
    api = FakeWeChat().start()
    yield api
    api.stop()


def _escalated(engine: Engine, clock: FixedClock, openid: str, channel: str = wire.CHANNEL) -> str:
    desk = EscalationDesk(RecordStore(engine, clock), get_policy())
    facts = Facts(rejecting_tier=1, ground="G1")
    record, _ = desk.open(MatterRef(openid, channel, 1), facts, decide(facts, get_policy()), item_id=None,
                          department="hcw", summary="施工许可被退")  # fmt: skip
    desk.escalate(record.number, "scheduler", "第2层级未按时确认，自动提级")
    return record.number


def _delivery(engine: Engine, clock: FixedClock, fake: FakeWeChat, template: str = "") -> OutboxDelivery:
    api = WeChatApi(fake.base, signing.APP_ID, "secret")
    messenger = Messenger(api, TokenCache(engine, signing.APP_ID, api.stable_token), pauses=())
    return OutboxDelivery(RecordStore(engine, clock), DoorState(engine), messenger, template, clock=lambda: NOW)


async def _run(*deliveries: OutboxDelivery) -> list[int]:
    try:
        return list(await asyncio.gather(*(d.run_once() for d in deliveries)))
    finally:
        for d in deliveries:
            await d.messenger.api.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 30, 9, 0, tzinfo=LOCAL_TZ))


def test_delivered_once_by_customer_service_and_staff_notices_stay(
    engine: Engine, clock: FixedClock, fake: FakeWeChat
) -> None:
    openid = signing.openid()
    number = _escalated(engine, clock, openid)
    DoorState(engine).seen_user(openid, NOW - 3600)
    rest_number = _escalated(engine, clock, "rest-user", channel="rest")
    # Two instances deliver at once: the applicant is told once.
    assert sorted(asyncio.run(_run(_delivery(engine, clock, fake), _delivery(engine, clock, fake)))) == [0, 1]
    texts = fake.texts_to(openid)
    assert len(texts) == 1 and number in texts[0] and "第3层级" in texts[0]
    store = RecordStore(engine, clock)
    assert store.notifications(number=number, recipient=APPLICANT) == []
    assert [n["topic"] for n in store.notifications(number=number, recipient=OFFICE)] == ["escalated"]
    assert len(store.notifications(number=rest_number, recipient=APPLICANT)) == 1  # not WeChat's to send
    assert asyncio.run(_run(_delivery(engine, clock, fake))) == [0]  # nothing more
    assert len(fake.token_requests) == 1


def test_errors_back_off_and_retry(engine: Engine, clock: FixedClock, fake: FakeWeChat) -> None:
    openid = signing.openid()
    number = _escalated(engine, clock, openid)
    DoorState(engine).seen_user(openid, NOW)
    fake.fail_next = 1
    assert asyncio.run(_run(_delivery(engine, clock, fake))) == [0]
    pending = RecordStore(engine, clock).notifications(number=number, recipient=APPLICANT)
    assert pending[0]["attempts"] == 1 and "-1" in pending[0]["last_error"]
    assert asyncio.run(_run(_delivery(engine, clock, fake))) == [0]  # not yet: backing off
    clock.advance(seconds=backoff(0) + 1)
    assert asyncio.run(_run(_delivery(engine, clock, fake))) == [1]
    assert len(fake.texts_to(openid)) == 1
    assert [backoff(n) for n in range(4)] == [30.0, 60.0, 120.0, 240.0] and backoff(50) == 3600.0


def test_outside_the_window_a_template_or_a_wait(engine: Engine, clock: FixedClock, fake: FakeWeChat) -> None:
    quiet, closed = signing.openid(), signing.openid()
    n1 = _escalated(engine, clock, quiet)  # never wrote within 48 hours (no contact known)
    n2 = _escalated(engine, clock, closed)
    DoorState(engine).seen_user(closed, NOW - 60)
    fake.closed_window.add(closed)  # WeChat says the window closed (45015) although we saw a message
    assert asyncio.run(_run(_delivery(engine, clock, fake))) == [0]  # no template configured: both wait
    store = RecordStore(engine, clock)
    assert len(store.notifications(number=n1, recipient=APPLICANT)) == 1
    assert len(store.notifications(number=n2, recipient=APPLICANT)) == 1
    clock.advance(hours=1)
    assert asyncio.run(_run(_delivery(engine, clock, fake, template="tmpl-1"))) == [2]
    sent = {t["touser"]: t for t in fake.templates}
    assert set(sent) == {quiet, closed}
    assert sent[quiet]["template_id"] == "tmpl-1" and sent[quiet]["data"]["keyword1"]["value"] == n1
    assert fake.custom == []
