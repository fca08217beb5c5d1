"""What WeChat posts, checked in the order that costs least: size, signature, timestamp, hostile
XML (entities, DTDs), decryption (safe mode), then wechatpy's parser.

Each refusal is a :class:`bot.inputs.ClientError` with the status the door answers; nothing here
touches the assistant, so a refused request never reaches NLU or the database.
"""

from __future__ import annotations

import hmac
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.messages import BaseMessage
from wechatpy.parser import parse_message
from wechatpy.utils import WeChatSigner

from bot.inputs import ClientError, ascii_int, too_large
from bot.wechat import wire
from bot.wechat.message import Inbound

BAD_SIGNATURE = ClientError(403, "bad_signature", "签名校验失败。")
STALE = ClientError(403, "stale_timestamp", "请求时间戳已过期或无效。")
BAD_XML = ClientError(400, "malformed_xml", "XML 格式有误。")
HOSTILE_XML = ClientError(400, "forbidden_xml", "XML 不得包含 DTD 或实体声明。")
UNDECRYPTABLE = ClientError(400, "decrypt_failed", "消息解密失败。")


def signature_of(token: str, *parts: str) -> str:
    """WeChat's SHA-1 over the sorted parts (token, timestamp, nonce[, encrypted body])."""
    signer = WeChatSigner()
    signer.add_data(token, *parts)
    return str(signer.signature)


def _plain(value: str, limit: int = 64) -> bool:
    """WeChat's signature, timestamp and nonce are short ASCII letters and digits; anything else is forged
    (and must not reach the hasher or compare_digest, which refuse non-ASCII text with an error)."""
    return 0 < len(value) <= limit and value.isascii() and value.isalnum()


def check_signature(token: str, signature: str, timestamp: str, nonce: str, *extra: str) -> None:
    if not (_plain(signature) and _plain(timestamp) and _plain(nonce)):
        raise BAD_SIGNATURE
    if not hmac.compare_digest(signature_of(token, timestamp, nonce, *extra).encode(), signature.encode()):
        raise BAD_SIGNATURE


def check_timestamp(timestamp: str, now: float, max_skew: float) -> None:
    """Refuses a replay: a signed request is valid only within ``max_skew`` seconds of now."""
    stamp = ascii_int(timestamp)
    if stamp is None or abs(now - stamp) > max_skew:
        raise STALE


def guard_xml(raw: bytes | str, max_bytes: int) -> str:
    """The XML as text once defusedxml has seen it parse with no DTD, entity or external reference."""
    if len(raw) > max_bytes:
        raise too_large(max_bytes)
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise BAD_XML from exc
    try:
        SafeET.fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise HOSTILE_XML from exc
    except Exception as exc:  # ParseError and friends: not well-formed
        raise BAD_XML from exc
    return text


def decrypt(token: str, aes_key: str, app_id: str, body: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    """Safe mode: the inner XML, after wechatpy checked ``msg_signature`` and decrypted it."""
    try:
        crypto = WeChatCrypto(token, aes_key, app_id)
        return str(crypto.decrypt_message(body, msg_signature, timestamp, nonce))
    except InvalidSignatureException as exc:
        raise BAD_SIGNATURE from exc
    except Exception as exc:  # bad base64, bad padding, wrong app id, missing Encrypt
        raise UNDECRYPTABLE from exc


def encrypt(token: str, aes_key: str, app_id: str, xml: str, nonce: str, timestamp: str) -> str:
    """Safe mode: a passive reply wrapped and signed as WeChat expects it."""
    return str(WeChatCrypto(token, aes_key, app_id).encrypt_message(xml, nonce, timestamp))


def _field(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def parse(xml: str) -> Inbound:
    """wechatpy's parse of (already guarded) XML, reduced to what the door uses."""
    try:
        message: BaseMessage = parse_message(xml)
        data: dict[str, Any] = message._data
    except Exception as exc:  # no <xml> root, no MsgType, nested garbage
        raise BAD_XML from exc
    if not isinstance(data, dict):
        raise BAD_XML
    msg_type = _field(data, "MsgType").lower()
    openid = _field(data, "FromUserName")
    created = _field(data, "CreateTime")
    if not msg_type or not openid or len(openid) > 64 or ascii_int(created) is None:
        raise BAD_XML
    raw_content = data.get("Content") if msg_type == wire.TEXT else data.get("Recognition")
    content = raw_content if isinstance(raw_content, str) else ""
    event = _field(data, "Event").lower() if msg_type == wire.EVENT else ""
    key = _field(data, "EventKey")
    if event == wire.SUBSCRIBE_SCAN:  # wechatpy's name for a subscribe through a QR code
        event = wire.SUBSCRIBE
    if event == wire.SUBSCRIBE and key.startswith(wire.QR_SCENE_PREFIX):
        key = key[len(wire.QR_SCENE_PREFIX) :]
    return Inbound(
        msg_type=msg_type,
        openid=openid,
        account=_field(data, "ToUserName"),
        create_time=int(created[:12]),
        msg_id=_field(data, "MsgId")[:64],
        content=content,
        event=event,
        event_key=key[:128],
        recognised=msg_type == wire.VOICE and bool(content.strip()),
    )
