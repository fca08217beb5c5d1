"""Builds what WeChat posts: signed query strings, message and event XML, safe-mode envelopes."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import urlencode

from wechatpy.crypto import WeChatCrypto

from bot.adapters.wechat.inbound import signature_of

TOKEN = "shouzi-test-token"
APP_ID = "wx0123456789abcdef"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat issues them
ACCOUNT = "gh_0123456789ab"


def openid() -> str:
    """A fresh openid of the real shape: 28 characters starting with "o"."""
    return "o" + uuid.uuid4().hex[:27]


def query(token: str = TOKEN, timestamp: int | None = None, **extra: str) -> str:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    nonce = uuid.uuid4().hex[:10]
    return urlencode({"signature": signature_of(token, ts, nonce), "timestamp": ts, "nonce": nonce, **extra})


def xml(sender: str, msg_type: str, *, msg_id: int | None = None, created: int | None = None, **fields: Any) -> str:
    created = int(time.time()) if created is None else created
    body = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items())
    mid = f"<MsgId>{msg_id}</MsgId>" if msg_id is not None else ""
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{sender}]]></FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>{body}{mid}</xml>"
    )


def text(sender: str, content: str, msg_id: int | None = None) -> str:
    return xml(sender, "text", msg_id=msg_id if msg_id is not None else next_id(), Content=content)


def event(sender: str, name: str, key: str | None = None, created: int | None = None) -> str:
    fields: dict[str, Any] = {"Event": name} | ({"EventKey": key} if key is not None else {})
    return xml(sender, "event", created=created, **fields)


_ids = iter(range(int(time.time() * 1000) * 1000, 2**62))


def next_id() -> int:
    return next(_ids)


def encrypted(inner: str, token: str = TOKEN, aes_key: str = AES_KEY, app_id: str = APP_ID) -> tuple[str, str]:
    """A safe-mode body and its query string (signature, msg_signature, encrypt_type=aes)."""
    ts, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
    envelope = WeChatCrypto(token, aes_key, app_id).encrypt_message(inner, nonce, ts)
    encrypt = envelope.split("<Encrypt><![CDATA[")[1].split("]]></Encrypt>")[0]
    body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    q = urlencode(
        {
            "signature": signature_of(token, ts, nonce),
            "timestamp": ts,
            "nonce": nonce,
            "encrypt_type": "aes",
            "msg_signature": signature_of(token, ts, nonce, encrypt),
        }
    )
    return body, q


def decrypt_reply(reply: str, token: str = TOKEN, aes_key: str = AES_KEY, app_id: str = APP_ID) -> str:
    """The inner XML of a safe-mode passive reply, its msg_signature checked."""
    import xmltodict

    outer = xmltodict.parse(reply)["xml"]
    crypto = WeChatCrypto(token, aes_key, app_id)
    return str(crypto.decrypt_message(reply, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"]))
