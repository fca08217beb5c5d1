"""The referral texted to a caller (R1 by SMS): composed here, written to the outbox, and delivered by
the gateway adapter (``bot/adapters/sms.py``). The number sits only in the outbox row until it is sent;
logs and pages show it masked."""

from __future__ import annotations

from bot.catalog import Catalog
from bot.conversation.replies import Reply
from bot.records.store import Notification
from bot.vocabulary import Topic

SMS_RECIPIENT = "sms"  # the outbox recipient the SMS gateway adapter delivers
SIGNATURE = "【南海区政务服务】"
MAX_SMS_CHARS = 500  # a long SMS of several parts; the full guide is online and on 12345


def compose(reply: Reply | None, catalog: Catalog, number: str | None = None) -> str:
    """The one-time answer, shortened to the lines a caller needs to act on."""
    parts: list[str] = [SIGNATURE + "您好，您致电 12345 咨询的事项办理指引如下："]
    if reply is not None:
        keep = ("办理部门", "负责部门", "办理地点", "网上办理", "所需材料", "办理时限", "咨询电话")
        parts.append(reply.title)
        parts += [f"{label}：{text}；" for label, text in reply.sections if label in keep]
    if number:
        parts.append(f"您的单号：{number}，可凭单号在 12345 或“南海政务服务”公众号查询进度。")
    parts.append(f"如有疑问请拨打 {catalog.hotline}。")
    text = "".join(parts)
    return text if len(text) <= MAX_SMS_CHARS else text[: MAX_SMS_CHARS - 1] + "…"


def notification(phone: str, text: str, call_id: str) -> Notification:
    return Notification(SMS_RECIPIENT, Topic.SMS_REFERRAL, {"phone": phone, "text": text, "call_id": call_id})
