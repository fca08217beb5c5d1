"""The web door over HTTP against the real servers: sessions only the server issues, one visitor
never reaching another's conversation, origins, limits and hostile text (issues 13 and 15)."""

from __future__ import annotations

import gzip
import json
import time

import pytest

from bot.web.session import SECRET_FILE, SessionSigner
from tests.server.web.conftest import LISTED_ORIGIN, WebServer, call

pytestmark = pytest.mark.server
DAY = 86400


def test_widget_script_is_cached_with_an_etag_and_gzipped(web: WebServer) -> None:
    plain = call(web.base, "widget.js")
    assert plain.status == 200 and plain.headers["content-type"].startswith("application/javascript")
    assert "max-age=86400" in plain.headers["cache-control"] and plain.headers["etag"]
    assert plain.headers["x-content-type-options"] == "nosniff"
    again = call(web.base, "widget.js", If_None_Match=plain.headers["etag"])
    assert again.status == 304
    zipped = call(web.base, "widget.js", Accept_Encoding="gzip")
    assert zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(zipped.body) == plain.body
    assert len(zipped.body) < 30 * 1024


def test_demo_page_embeds_the_widget_with_one_script_tag(web: WebServer) -> None:
    page = call(web.base, "demo")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    html = page.body.decode("utf-8")
    assert "佛山市南海区人民政府" in html
    assert html.count("<script") == 1 and 'src="/webhooks/web/widget.js" defer' in html
    for option in ("data-title=", "data-position=", "data-color=", "data-first-unit="):
        assert option in html
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_a_session_is_issued_by_the_server_and_renewed_for_the_same_conversation(web: WebServer) -> None:
    first = call(web.base, "session", {})
    assert first.status == 200 and not first.body["continued"]
    assert first.body["max_text_chars"] == 2000 and first.body["welcome"]["kind"] == "greeting"
    assert first.body["contact"]["hotline"] == "12345" and first.body["contact"]["hours"]
    assert first.headers["cache-control"] == "no-store"
    token = first.body["token"]
    renewed = call(web.base, "session", {"token": token})
    assert renewed.body["continued"] and renewed.body["token"].split(".")[1] == token.split(".")[1]
    other = call(web.base, "session", {"token": "w1.forged"})
    assert not other.body["continued"] and other.body["token"].split(".")[1] != token.split(".")[1]


def test_a_consultation_and_its_history(web: WebServer) -> None:
    token = web.session()
    replies = web.say(token, "补办身份证要带什么材料")
    assert replies[0]["kind"] == "referral"  # answered first; the town centres are offered as buttons
    town = replies[0]["buttons"][0]
    replies = web.say(token, town["payload"], shown=town["title"])
    referral = next(r for r in replies if r["kind"] == "referral")
    labels = [s["label"] for s in referral["sections"]]
    assert {"办理部门", "办理地点", "所需材料", "办理时限", "网上办理"} <= set(labels)
    history = web.history(token)
    assert [m["from"] for m in history][:2] == ["user", "bot"]
    assert history[0]["text"] == "补办身份证要带什么材料"
    assert history[2] == {"from": "user", "text": town["title"], "at": history[2]["at"]}
    assert any(m["from"] == "bot" and m["reply"]["kind"] == "referral" for m in history)


def test_personal_numbers_come_back_masked_as_stored(web: WebServer) -> None:
    token = web.session()
    web.say(token, "我的手机号是13812345678，想问补办身份证")
    texts = [m["text"] for m in web.history(token) if m["from"] == "user"]
    assert texts and "13812345678" not in texts[0] and "138****5678" in texts[0]


def _conversation(token: str) -> str:
    return token.split(".")[1]


def test_one_visitor_cannot_read_or_write_anothers_conversation(web: WebServer) -> None:
    alice, bob = web.session(), web.session()
    web.say(alice, "开奶茶店要办什么证")
    before = web.history(alice)
    assert before
    assert web.history(bob) == []  # a valid token reaches its own conversation only

    v, _, issued, sig = bob.split(".")
    with_alices_id = f"{v}.{_conversation(alice)}.{issued}.{sig}"
    secret = (web.data_dir / SECRET_FILE).read_text().strip().encode()
    expired = SessionSigner(secret, DAY).issue(int(time.time()) - 2 * DAY, _conversation(alice))
    other_key = SessionSigner(b"k" * 32, DAY).issue(int(time.time()), _conversation(alice))
    for token, code in [
        (with_alices_id, "session_invalid"),
        (other_key, "session_invalid"),
        (expired, "session_expired"),
        (_conversation(alice), "session_invalid"),
        ("", "session_missing"),
    ]:
        for path, body in [("history", {}), ("message", {"text": "我的办件进度"})]:
            answer = call(web.base, path, {"token": token, **body})
            assert answer.status == 401, (path, token, answer.body)
            assert answer.body["error"]["code"] == code
            assert set(answer.body) == {"error"}
    header = call(web.base, "history", {}, Authorization=f"Bearer {with_alices_id}")
    assert header.status == 401
    assert web.history(alice) == before  # nothing was written into Alice's conversation


def test_other_origins_are_refused_before_any_work(web: WebServer) -> None:
    token = web.session()
    web.say(token, "你好")
    for path, body in [("session", {}), ("message", {"token": token, "text": "你好"}), ("history", {"token": token})]:
        refused = call(web.base, path, body, Origin="https://evil.example")
        assert refused.status == 403 and refused.body["error"]["code"] == "origin_not_allowed"
        assert "access-control-allow-origin" not in refused.headers
        assert "messages" not in refused.body and "replies" not in refused.body and "token" not in refused.body
        assert call(web.base, path, body, Origin="null").status == 403
    listed = call(web.base, "history", {"token": token}, Origin=LISTED_ORIGIN)
    assert listed.status == 200 and listed.headers["access-control-allow-origin"] == LISTED_ORIGIN
    same = call(web.base, "history", {"token": token}, Origin=web.base)
    assert same.status == 200 and same.body["messages"]


def test_oversized_and_malformed_bodies(web: WebServer) -> None:
    token = web.session()
    huge = json.dumps({"token": token, "text": "长" * 40000}, ensure_ascii=False).encode()
    for path in ("session", "message", "history"):
        answer = call(web.base, path, huge)
        assert answer.status == 413 and answer.body["error"]["code"] == "body_too_large"
    assert call(web.base, "message", b"not json").status == 400
    assert call(web.base, "message", b"[1, 2]").status == 400
    assert call(web.base, "message", b"{" * 5000).status == 400
    assert call(web.base, "message", {"token": token, "text": 12}).status == 422
    assert call(web.base, "message", "\ud800".encode("utf-8", "surrogatepass")).status == 400


def test_long_and_hostile_text_gets_a_polite_answer_and_comes_back_as_plain_data(web: WebServer) -> None:
    token = web.session()
    replies = web.say(token, "办" * 2500)
    assert replies and replies[0]["kind"] == "too_long"
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>\u202eabc\u200b\u0000办证"
    replies = web.say(token, hostile)
    assert replies and all("<script>" not in json.dumps(r) for r in replies)
    users = [m["text"] for m in web.history(token) if m["from"] == "user"]
    # stored as text, with direction overrides, zero-width and NUL characters dropped
    assert users[-1] == "<script>alert(1)</script><img src=x onerror=alert(2)>abc办证"


def test_the_widget_health_route(web: WebServer) -> None:
    assert call(web.base, "").body == {"status": "ok"}
