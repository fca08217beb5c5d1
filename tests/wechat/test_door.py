"""bot.wechat.door: what happens to each message type and event, without the assistant."""

from __future__ import annotations

from bot.adapters.wechat import inbound
from bot.wechat.door import plan
from bot.wechat.menu import load_menu
from bot.wechat.render import Option
from tests.wechat import signing

MENU = load_menu()


def _plan(xml: str, options: list[Option] | None = None, limit: int = 2000):  # type: ignore[no-untyped-def]
    return plan(inbound.parse(xml), MENU, options or [], limit)


def test_text_goes_to_the_assistant_and_choices_become_payloads() -> None:
    s = signing.openid()
    assert _plan(signing.text(s, "补办身份证")).say == "补办身份证"
    chosen = _plan(signing.text(s, "１"), [Option(1, "开办企业", "我想注册一间公司")])
    assert chosen.say == "我想注册一间公司"  # full-width digits count


def test_empty_and_over_long_text_are_answered_politely_without_the_assistant() -> None:
    s = signing.openid()
    empty = _plan(signing.text(s, " \u200b "))
    assert empty.say is None and empty.replies[0].kind == "empty"
    long = _plan(signing.text(s, "我" * 10_000))
    assert long.say is None and long.replies[0].kind == "too_long"


def test_voice_media_unknown() -> None:
    s = signing.openid()
    assert _plan(signing.xml(s, "voice", msg_id=1, Recognition="开奶茶店")).say == "开奶茶店"
    assert _plan(signing.xml(s, "voice", msg_id=2)).replies == (MENU.answers["voice_unrecognised"],)
    for kind in ("image", "location", "link", "video", "shortvideo", "file"):
        assert _plan(signing.xml(s, kind, msg_id=3)).replies == (MENU.answers["media"],)
    assert _plan(signing.xml(s, "hologram", msg_id=4)).replies == (MENU.answers["unknown"],)


def test_events() -> None:
    s = signing.openid()
    assert _plan(signing.event(s, "subscribe")).replies == (MENU.answers["welcome"],)
    assert _plan(signing.event(s, "SCAN", "1")).replies == (MENU.answers["welcome"],)
    assert _plan(signing.event(s, "unsubscribe")).silent
    assert _plan(signing.event(s, "VIEW", "https://www.gdzwfw.gov.cn/")).silent
    assert _plan(signing.event(s, "CLICK", "退件异议")).say == MENU.clicks["退件异议"].say
    for key in ("我要咨询", "查询进度", "评价服务"):
        assert _plan(signing.event(s, "CLICK", key)).replies == (MENU.clicks[key].reply,)
