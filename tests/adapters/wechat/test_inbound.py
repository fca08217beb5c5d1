"""bot.adapters.wechat.inbound: signatures, replays, hostile XML, safe mode and parsing."""

from __future__ import annotations

import time
from urllib.parse import parse_qs

import pytest

from bot.adapters.wechat import inbound
from bot.inputs import ClientError
from bot.wechat import wire
from tests.wechat import signing

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><xml><Content>&lol3;</Content></xml>'
)
EXTERNAL = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><C>&xxe;</C></xml>'


def _q(query: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(query).items()}


def test_signature_checked_and_compared_in_full() -> None:
    q = _q(signing.query())
    inbound.check_signature(signing.TOKEN, q["signature"], q["timestamp"], q["nonce"])
    last = q["signature"][-1]
    changed = q["signature"][:-1] + ("1" if last == "0" else "0")  # differs in the last character only
    for bad in ("", changed, "x" * 40):
        with pytest.raises(ClientError) as err:
            inbound.check_signature(signing.TOKEN, bad, q["timestamp"], q["nonce"])
        assert err.value.status == 403
    with pytest.raises(ClientError):
        inbound.check_signature("another-token", q["signature"], q["timestamp"], q["nonce"])


def test_old_or_future_timestamps_are_replays() -> None:
    now = time.time()
    inbound.check_timestamp(str(int(now) - 60), now, 300)
    for ts in (str(int(now) - 301), str(int(now) + 600), "", "abc", "9" * 30):
        with pytest.raises(ClientError) as err:
            inbound.check_timestamp(ts, now, 300)
        assert err.value.code == "stale_timestamp"


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL, "<!DOCTYPE xml><xml><a>1</a></xml>"])
def test_entities_and_dtds_are_refused_before_parsing(body: str) -> None:
    with pytest.raises(ClientError) as err:
        inbound.guard_xml(body.encode(), 65536)
    assert (err.value.status, err.value.code) == (400, "forbidden_xml")


@pytest.mark.parametrize("body", [b"", b"<xml>", b"not xml", b"\xff\xfe<xml/>", b"<a><b></a>"])
def test_malformed_xml_is_400(body: bytes) -> None:
    with pytest.raises(ClientError) as err:
        inbound.guard_xml(body, 65536)
    assert err.value.status == 400


def test_size_is_checked_before_anything_else() -> None:
    with pytest.raises(ClientError) as err:
        inbound.guard_xml(b"<xml>" + b"a" * 70000 + b"</xml>", 65536)
    assert err.value.status == 413


def test_parse_text_voice_and_events() -> None:
    sender = signing.openid()
    m = inbound.parse(signing.text(sender, "补办身份证要带什么", msg_id=42))
    assert (m.msg_type, m.openid, m.content, m.msg_id) == (wire.TEXT, sender, "补办身份证要带什么", "42")
    voice = inbound.parse(signing.xml(sender, "voice", msg_id=43, MediaId="m", Format="amr", Recognition="开奶茶店"))
    assert voice.recognised and voice.content == "开奶茶店"
    mute = inbound.parse(signing.xml(sender, "voice", msg_id=44, MediaId="m", Format="amr"))
    assert not mute.recognised
    scan = inbound.parse(signing.event(sender, "subscribe", "qrscene_guicheng"))
    assert (scan.event, scan.event_key) == (wire.SUBSCRIBE, "guicheng")
    click = inbound.parse(signing.event(sender, "CLICK", "查询进度"))
    assert (click.event, click.event_key) == (wire.CLICK, "查询进度")
    empty = inbound.parse(signing.xml(sender, "text", msg_id=45, Content=""))
    assert empty.content == ""


@pytest.mark.parametrize(
    "xml", ["<xml><a>1</a></xml>", "<other><MsgType>text</MsgType></other>", "<xml><MsgType>text</MsgType></xml>"]
)
def test_parse_refuses_what_is_not_a_wechat_message(xml: str) -> None:
    with pytest.raises(ClientError):
        inbound.parse(xml)


def test_dedup_keys_message_id_or_sender_and_time() -> None:
    sender = signing.openid()
    a = inbound.parse(signing.text(sender, "你好", msg_id=7))
    b = inbound.parse(signing.text(sender, "另一句", msg_id=7))
    assert a.dedup_key == b.dedup_key and sender not in a.dedup_key
    e1 = inbound.parse(signing.event(sender, "subscribe", created=1_700_000_000))
    e2 = inbound.parse(signing.event(sender, "subscribe", created=1_700_000_000))
    e3 = inbound.parse(signing.event(sender, "subscribe", created=1_700_000_001))
    other = inbound.parse(signing.event(signing.openid(), "subscribe", created=1_700_000_000))
    assert e1.dedup_key == e2.dedup_key != e3.dedup_key != other.dedup_key


def test_safe_mode_round_trip_and_failures() -> None:
    sender = signing.openid()
    body, query = signing.encrypted(signing.text(sender, "你好", msg_id=9))
    q = _q(query)
    xml = inbound.guard_xml(body.encode(), 65536)
    inner = inbound.decrypt(
        signing.TOKEN, signing.AES_KEY, signing.APP_ID, xml, q["msg_signature"], q["timestamp"], q["nonce"]
    )
    assert inbound.parse(inner).content == "你好"
    with pytest.raises(ClientError) as err:  # body changed after signing
        inbound.decrypt(signing.TOKEN, signing.AES_KEY, signing.APP_ID, xml, "0" * 40, q["timestamp"], q["nonce"])
    assert err.value.status == 403
    garbage = "<xml><Encrypt><![CDATA[bm90IGEgcmVhbCBjaXBoZXJ0ZXh0]]></Encrypt></xml>"
    sig = inbound.signature_of(signing.TOKEN, q["timestamp"], q["nonce"], "bm90IGEgcmVhbCBjaXBoZXJ0ZXh0")
    with pytest.raises(ClientError) as err:
        inbound.decrypt(signing.TOKEN, signing.AES_KEY, signing.APP_ID, garbage, sig, q["timestamp"], q["nonce"])
    assert (err.value.status, err.value.code) == (400, "decrypt_failed")
    with pytest.raises(ClientError):  # another account's app id
        inbound.decrypt(signing.TOKEN, signing.AES_KEY, "wxother", xml, q["msg_signature"], q["timestamp"], q["nonce"])
    reply = inbound.encrypt(signing.TOKEN, signing.AES_KEY, signing.APP_ID, "<xml>hi</xml>", "n1", "1700000000")
    assert signing.decrypt_reply(reply) == "<xml>hi</xml>"
