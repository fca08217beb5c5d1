"""The WeChat door in safe mode (AES) with a reply budget so small that every turn is late: ``success``
at once and the answer through 客服消息 at a fake WeChat API, the token shared, refreshed on expiry,
WeChat's errors retried; a dispute's TJ number over WeChat, and the applicant told when R12 moves it."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest

from bot.adapters.wechat.inbound import signature_of
from bot.records.db import make_engine
from bot.records.escalations import OFFICE
from bot.records.store import APPLICANT, RecordStore
from bot.vocabulary import Topic
from bot.wechat import wire
from tests.server.conftest import ROOT, Running
from tests.server.wechat_door import PATH, WeChatDoor, http, launch_door, options
from tests.wechat import signing
from tests.wechat.fake_api import FakeWeChat

pytestmark = pytest.mark.server
TEMPLATE = "tmpl-progress-0001"
ANSWERS = {
    "ground": "材料不全，要我补材料",
    "material_on_list": "不在清单内",
    "rejecting_tier": "窗口（前台）",
    "extra": "都不是",
    "notice": "有书面通知",
    "date": "不记得了",
}


@pytest.fixture(scope="module")
def running(fake: FakeWeChat, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    server = launch_door(
        tmp_path_factory.mktemp("wechat-aes"),
        fake,
        SHOUZI_WECHAT_AES_KEY=signing.AES_KEY,
        SHOUZI_WECHAT_REPLY_BUDGET="0.001",
        SHOUZI_WECHAT_OUTBOX_SECONDS="0.5",
        SHOUZI_WECHAT_TEMPLATE_ID=TEMPLATE,
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def door(running: Running, fake: FakeWeChat) -> WeChatDoor:
    return WeChatDoor(running.assistant.base, fake, safe_mode=True)


def test_safe_mode_passive_reply_is_encrypted(door: WeChatDoor) -> None:
    sender = signing.openid()
    status, body = door.post(signing.event(sender, "subscribe"))
    assert status == 200 and "<Encrypt>" in body and "欢迎" not in body
    assert "欢迎关注" in door.passive(body)["Content"]  # fixed answers need no turn: passive even here


def test_safe_mode_refuses_plaintext_bad_signatures_and_undecryptable_bodies(door: WeChatDoor) -> None:
    sender = signing.openid()
    message = signing.text(sender, "补办身份证要带什么材料")
    assert http(f"{door.base}{PATH}?{signing.query()}", message.encode())[0] == 400  # plaintext refused
    body, query = signing.encrypted(message)
    tampered = re.sub(r"msg_signature=\w+", "msg_signature=" + "0" * 40, query)
    assert http(f"{door.base}{PATH}?{tampered}", body.encode())[0] == 403
    ts, nonce, junk = str(int(time.time())), "n0nce", "bm90IGEgcmVhbCBjaXBoZXJ0ZXh0"
    q = urlencode(
        {
            "signature": signature_of(signing.TOKEN, ts, nonce),
            "timestamp": ts,
            "nonce": nonce,
            "encrypt_type": "aes",
            "msg_signature": signature_of(signing.TOKEN, ts, nonce, junk),
        }
    )
    assert http(f"{door.base}{PATH}?{q}", f"<xml><Encrypt><![CDATA[{junk}]]></Encrypt></xml>".encode())[0] == 400


def test_a_late_turn_answers_success_at_once_and_arrives_by_customer_service(
    door: WeChatDoor, fake: FakeWeChat
) -> None:
    sender = signing.openid()
    started = time.monotonic()
    assert door.post(signing.text(sender, "补办身份证要带什么材料")) == (200, wire.SUCCESS)
    assert time.monotonic() - started < 1.0
    texts = fake.wait_for(lambda: fake.texts_to(sender))
    assert "身份证" in texts[0] and all(len(t.encode()) <= wire.TEXT_LIMIT_BYTES for t in texts)
    # More conversations: the token is fetched once and shared.
    for _ in range(3):
        other = signing.openid()
        door.post(signing.text(other, "你好"))
        fake.wait_for(lambda other=other: fake.texts_to(other))
    assert len(fake.token_requests) == 1


def test_an_expired_token_is_refreshed_and_the_answer_still_arrives(door: WeChatDoor, fake: FakeWeChat) -> None:
    before = len(fake.token_requests)
    fake.expire_tokens()
    sender = signing.openid()
    assert "身份证" in door.say(sender, "补办身份证要带什么材料")
    assert (wire.CUSTOM_SEND_PATH, wire.EXPIRED_TOKEN) in fake.calls
    assert len(fake.token_requests) == before + 1 and fake.token_requests[-1]["force_refresh"] is True


def test_wechat_errors_are_retried_and_the_answer_sent_once(door: WeChatDoor, fake: FakeWeChat) -> None:
    fake.fail_next = 2
    sender = signing.openid()
    door.post(signing.text(sender, "你好"))
    fake.wait_for(lambda: fake.texts_to(sender))
    time.sleep(3)
    assert len(fake.texts_to(sender)) == 1
    assert fake.fail_next == 0


def _tell_dispute(door: WeChatDoor) -> tuple[str, str]:
    sender = signing.openid()
    said = door.say(sender, "我去办建筑工程施工许可，窗口话我材料不全唔肯受理，但佢要嘅嘢办事指南入面根本冇写")
    for _ in range(6):
        if "请核对以下情况" in said:
            break
        answer = next(a for a in ANSWERS.values() if a in options(said))
        said = door.say(sender, options(said)[answer])  # typed as its number
    assert "请核对以下情况" in said, said
    said = door.say(sender, options(said)["确认提交"])
    number = re.search(r"TJ\d{12}", said)
    assert number and "已为您提交提级处理" in said, said
    return sender, number.group(0)


def test_dispute_gets_its_number_and_the_applicant_hears_of_the_automatic_escalation(
    door: WeChatDoor, fake: FakeWeChat, running: Running
) -> None:
    sender, number = _tell_dispute(door)
    closed, closed_number = _tell_dispute(door)
    fake.closed_window.add(closed)  # this applicant has not written for more than 48 hours
    # Two weeks on: past the acknowledgement deadline, well inside the retention period (a far-future date
    # would also purge the applicants' last-contact rows, closing everyone's 48-hour window).
    later = (datetime.now() + timedelta(days=14)).replace(hour=9, minute=0, second=0, microsecond=0)
    env = dict(os.environ, DATABASE_URL=running.assistant.database_url, SHOUZI_NOW=later.isoformat())
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "bot.records.scheduler", "--once"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    told = fake.wait_for(lambda: [t for t in fake.texts_to(sender) if number in t and "自动提级" in t])
    assert "第4层级" in told[0]
    template = fake.wait_for(lambda: [t for t in fake.templates if t["touser"] == closed])
    assert template[0]["template_id"] == TEMPLATE and template[0]["data"]["keyword1"]["value"] == closed_number
    time.sleep(2)  # further outbox passes send nothing more
    assert len([t for t in fake.texts_to(sender) if "自动提级" in t]) == 1
    assert len([t for t in fake.templates if t["touser"] == closed]) == 1
    store = RecordStore(make_engine(running.assistant.database_url))
    try:
        assert store.notifications(number=number, recipient=APPLICANT) == []  # delivered
        assert [n["topic"] for n in store.notifications(number=number, recipient=OFFICE)] == ["escalated"]  # staff
    finally:
        store.engine.dispose()


def test_a_wechat_applicant_who_asks_for_a_person_gets_the_desks_answer_by_customer_service(
    door: WeChatDoor, fake: FakeWeChat, running: Running
) -> None:
    """转人工 over WeChat queues the conversation; the first unit's answer from the desk arrives as a
    客服 message, once, and the desk's second try with the old version is refused."""
    from bot.records.clock import clock_from_env
    from bot.staff.auth import StaffDirectory

    sender = signing.openid()
    assert "12345" in door.say(sender, "转人工")
    password = "desk-password-2026"
    StaffDirectory(make_engine(running.process.database_url), clock_from_env()).add_user(
        "wx-desk", password, "first_unit", None, "首咨窗口"
    )
    status, body = running.assistant.post("/webhooks/staff/login", {"username": "wx-desk", "password": password})
    assert status == 200, body
    desk = str(body["token"])
    status, body = running.assistant.post("/webhooks/staff/handovers", None, token=desk)
    waiting = [h for h in body["handovers"] if h["channel"] == wire.CHANNEL]
    assert status == 200 and waiting, body
    h = waiting[-1]
    status, talk = running.assistant.post(f"/webhooks/staff/handovers/{h['id']}/conversation", None, token=desk)
    assert status == 200 and talk["can_reply"]
    text = "您好，我是区行政服务中心的工作人员，请问您想办理什么事项？"
    before = len(fake.texts_to(sender))
    reply = {"text": text, "version": h["version"]}
    status, done = running.assistant.post(f"/webhooks/staff/handovers/{h['id']}/reply", reply, token=desk)
    assert status == 200 and done["handover"]["state"] == "answered", done
    assert running.assistant.post(f"/webhooks/staff/handovers/{h['id']}/reply", reply, token=desk)[0] == 409
    fake.wait_for(lambda: fake.texts_to(sender)[before:], 20)
    time.sleep(1.5)  # three outbox passes: nothing is sent twice
    sent = fake.texts_to(sender)[before:]
    assert len(sent) == 1 and text in sent[0] and "首咨窗口" in sent[0]
    store = RecordStore(make_engine(running.process.database_url))
    assert not [n for n in store.notifications() if n["topic"] == Topic.STAFF_REPLY]  # delivered, none pending
