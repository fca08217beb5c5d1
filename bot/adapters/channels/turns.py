"""One applicant message through Rasa, for any door: the replies as structured content, and a polite
apology instead of silence when the assistant could not answer (action server or database down)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.conversation.replies import Reply, service_unavailable

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class ReplyCollector(CollectingOutputChannel):
    """One message per reply: the text and buttons any client can show, with the structured reply
    attached as ``custom`` — instead of Rasa's default of a text message and a separate custom one,
    which plain REST clients showed twice."""

    @classmethod
    def name(cls) -> str:
        return "collector"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        one = self._message(
            recipient_id,
            text=message.get("text") or None,
            image=message.get("image") or None,
            buttons=message.get("buttons") or None,
            attachment=message.get("attachment") or None,
            custom=message.get("custom") or None,
        )
        if len(one) > 1:
            await self._persist_message(one)


def structured(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The replies of one turn as Reply dicts (kind, title, sections, buttons, footer, data).

    Each message carries its reply's structure as ``custom``; doors that render for themselves take
    it, and plain text for a message without one."""
    out: list[dict[str, Any]] = []
    for m in messages:
        custom = m.get("custom")
        if isinstance(custom, dict) and "kind" in custom:
            out.append(custom)
        elif m.get("text"):
            out.append(Reply(kind="text", title=str(m["text"])).as_dict())
    return out


async def run_turn(
    on_new_message: OnNewMessage,
    sender_id: str,
    text: str,
    channel: str,
    metadata: dict[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], bool]:
    """Rasa's raw messages for one user message, and whether the assistant actually answered.

    The dialogue answers every message, so no message at all means a fault: the caller then sends
    :func:`bot.conversation.replies.service_unavailable` rather than nothing."""
    collector = ReplyCollector()
    try:
        await on_new_message(UserMessage(text, collector, sender_id, input_channel=channel, metadata=metadata))
    except Exception:
        logger.exception("turn failed on channel %s", channel)
        return [], False
    return collector.messages, bool(collector.messages)


def apology() -> dict[str, Any]:
    return service_unavailable().as_dict()
