"""The WeChat door through the real servers, in plaintext mode: URL verification, every message type
and event, numbered options, bad input, exactly once, and the openid kept out of the logs."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import xmltodict

from bot.records.db import make_engine
from bot.records.store import RecordStore
from bot.wechat import wire
from tests.server.conftest import Assistant, Running
from tests.server.wechat_door import PATH, WeChatDoor, http, launch_door, options
from tests.wechat import signing
from tests.wechat.fake_api import FakeWeChat

pytestmark = pytest.mark.server
FIRST_UNIT = "南海区桂城街道行政服务中心"
openids: list[str] = []


def _sender() -> str:
    openids.append(signing.openid())
    return openids[-1]


@pytest.fixture(scope="module")
def running(fake: FakeWeChat, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    server = launch_door(tmp_path_factory.mktemp("wechat"), fake, SHOUZI_FIRST_UNIT_WECHAT=FIRST_UNIT)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def door(running: Running, fake: FakeWeChat) -> WeChatDoor:
    return WeChatDoor(running.assistant.base, fake)


def _store(running: Running) -> RecordStore:
    return RecordStore(make_engine(running.assistant.database_url))


def test_url_verification(door: WeChatDoor, running: Running) -> None:
    echo = "1234567890abcdef"
    assert http(f"{door.base}{PATH}?{signing.query(echostr=echo)}") == (200, echo)
    status, _ = http(f"{door.base}{PATH}?{signing.query(token='wrong', echostr=echo)}")
    assert status == 403
    assert http(f"{door.base}{PATH}?echostr={echo}")[0] == 403
    log = (running.process.data_dir / "logs" / "rasa.log").read_text(encoding="utf-8")
    assert "URL verification refused (bad_signature)" in log


def test_a_question_gets_a_passive_xml_reply(door: WeChatDoor) -> None:
    sender = _sender()
    status, body = door.post(signing.text(sender, "补办身份证要带什么材料"))
    assert status == 200 and body.startswith("<xml>")
    reply = xmltodict.parse(body)["xml"]
    assert (reply["ToUserName"], reply["FromUserName"], reply["MsgType"]) == (sender, signing.ACCOUNT, "text")
    content = reply["Content"]
    assert "身份证" in content and len(content.encode("utf-8")) <= wire.TEXT_LIMIT_BYTES
    assert "**" not in content and "回复数字即可选择" in content


def test_numbered_options_select_their_payload(door: WeChatDoor) -> None:
    sender = _sender()
    welcome = door.answer(signing.event(sender, "subscribe"), sender)[0]
    assert "首咨助手" in welcome
    number = options(welcome)["户籍与身份证"]
    assert "身份证" in door.say(sender, number)  # "补办身份证要带什么材料"
    # The option's own words select it too.
    again = _sender()
    door.answer(signing.event(again, "subscribe"), again)
    assert "身份证" in door.say(again, "户籍与身份证")


@pytest.mark.parametrize(
    ("msg_type", "fields", "expected"),
    [
        ("voice", {"MediaId": "m1", "Format": "amr", "Recognition": "补办身份证要带什么材料"}, "身份证"),
        ("voice", {"MediaId": "m1", "Format": "amr"}, "没能识别"),
        ("image", {"PicUrl": "http://127.0.0.1/x.jpg", "MediaId": "m2"}, "只能阅读文字"),
        ("location", {"Location_X": "23.03", "Location_Y": "113.14", "Scale": "15", "Label": "桂城"}, "只能阅读文字"),
        ("link", {"Title": "t", "Description": "d", "Url": "http://127.0.0.1/"}, "只能阅读文字"),
        ("video", {"MediaId": "m3", "ThumbMediaId": "t3"}, "只能阅读文字"),
        ("shortvideo", {"MediaId": "m4", "ThumbMediaId": "t4"}, "只能阅读文字"),
        ("file", {"Title": "a.pdf", "FileKey": "k", "FileMd5": "0", "FileTotalLen": "10"}, "只能阅读文字"),
        ("miniprogrampage", {"Title": "x"}, "无法处理这种类型"),
    ],
)
def test_every_message_type_is_answered(door: WeChatDoor, msg_type: str, fields: dict[str, str], expected: str) -> None:
    sender = _sender()
    reply = door.answer(signing.xml(sender, msg_type, msg_id=signing.next_id(), **fields), sender)
    assert expected in "\n".join(reply)


@pytest.mark.parametrize(
    ("event", "key", "expected"),
    [
        ("subscribe", None, "欢迎关注"),
        ("subscribe", "qrscene_guicheng", "欢迎关注"),
        ("SCAN", "guicheng", "首咨助手"),
        ("CLICK", "我要咨询", "请直接告诉我"),
        ("CLICK", "查询进度", "请发送您的单号"),
        ("CLICK", "退件异议", "提级"),
        ("CLICK", "评价服务", "评价"),
        ("CLICK", "no-longer-in-the-menu", "首咨助手"),
    ],
)
def test_events_and_menu_clicks(door: WeChatDoor, event: str, key: str | None, expected: str) -> None:
    sender = _sender()
    assert expected in "\n".join(door.answer(signing.event(sender, event, key), sender))


@pytest.mark.parametrize("event", ["unsubscribe", "VIEW", "LOCATION", "TEMPLATESENDJOBFINISH"])
def test_events_that_need_no_answer_get_success(door: WeChatDoor, fake: FakeWeChat, event: str) -> None:
    sender = _sender()
    assert door.post(signing.event(sender, event, "https://www.gdzwfw.gov.cn/")) == (200, wire.SUCCESS)
    time.sleep(0.5)
    assert fake.texts_to(sender) == []


def _consultations(running: Running, sender: str) -> int:
    store = _store(running)
    try:
        return len(store.consultations(sender))
    finally:
        store.engine.dispose()


def test_bad_input_gets_the_right_status_and_stores_nothing(door: WeChatDoor, running: Running) -> None:
    sender = _sender()
    message = signing.text(sender, "补办身份证要带什么材料").encode()
    url = f"{door.base}{PATH}?"
    assert http(url + signing.query(token="wrong"), message)[0] == 403
    assert http(url + "timestamp=1&nonce=2", message)[0] == 403  # no signature
    assert http(url + signing.query(timestamp=int(time.time()) - 3600), message)[0] == 403  # a replay
    assert http(url + signing.query(), b"<xml><MsgType>text</MsgType>")[0] == 400
    laughs = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><xml>&b;</xml>'
    assert http(url + signing.query(), laughs)[0] == 400
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml>&e;</xml>'
    assert http(url + signing.query(), xxe)[0] == 400
    assert http(url + signing.query(), b"<xml>" + b"a" * 200_000 + b"</xml>")[0] == 413
    body, query = signing.encrypted(message.decode())  # safe mode is off on this server
    assert http(url + query, body.encode())[0] == 400
    assert _consultations(running, sender) == 0
    # From a real user, odd content gets a polite answer.
    assert "没有收到文字内容" in door.say(sender, "   ")
    assert "留言较长" in door.say(sender, "我" * 10_000)


def test_the_same_message_three_times_is_answered_once_with_one_record(
    door: WeChatDoor, running: Running, fake: FakeWeChat
) -> None:
    sender = _sender()
    message = signing.text(sender, "我去咗税务局问，佢哋话唔归佢哋管，叫我去第二个部门问")
    bodies: list[tuple[int, str]] = []
    threads = [threading.Thread(target=lambda: bodies.append(door.post(message))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    bodies.append(door.post(message))  # a late retry repeats the passive reply WeChat may have lost
    assert all(status == 200 for status, _ in bodies)
    contents = {xmltodict.parse(b)["xml"]["Content"] for _, b in bodies if b != wire.SUCCESS}
    time.sleep(1)
    # One answer: one passive reply (repeated only to retries), or one set of 客服 messages, not both.
    if contents:
        assert len(contents) == 1 and fake.texts_to(sender) == []
    else:
        texts = fake.texts_to(sender)
        assert texts and len(texts) == len(set(texts))
    store = _store(running)
    mine = [r for r in store.list_records(kind="coordination") if _conversation_of(store, r.number) == sender]
    assert len(mine) == 1, mine
    assert mine[0].first_unit == FIRST_UNIT
    assert len(store.consultations(sender)) == 1
    store.engine.dispose()


def _conversation_of(store: RecordStore, number: str) -> Any:
    from sqlalchemy import select

    from bot.records.tables import records

    with store.engine.connect() as conn:
        return conn.execute(select(records.c.conversation_id).where(records.c.number == number)).scalar_one()


def test_door_is_off_without_a_token(assistant: Assistant) -> None:
    assert http(f"{assistant.base}{PATH}?{signing.query(echostr='x')}")[0] == 404
    assert http(f"{assistant.base}{PATH}?{signing.query()}", b"<xml/>")[0] == 404


def test_openids_never_logged(running: Running) -> None:
    assert openids, "run with the other tests of this module"
    logs = running.process.data_dir / "logs"
    text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in logs.glob("*.log"))
    leaked = [o for o in openids if o in text]
    assert leaked == []
