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


def structured(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The replies of one turn as Reply dicts (kind, title, sections, buttons, footer, data).

    The action sends each reply as text plus a ``custom`` copy of its structure; doors that render
    for themselves take the structured copy and fall back to plain text for anything else."""
    out: list[dict[str, Any]] = []
    for m in messages:
        custom = m.get("custom")
        if isinstance(custom, dict) and "kind" in custom:
            out.append(custom)
        elif m.get("text") and not any("custom" in other for other in messages):
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
    collector = CollectingOutputChannel()
    try:
        await on_new_message(UserMessage(text, collector, sender_id, input_channel=channel, metadata=metadata))
    except Exception:
        logger.exception("turn failed on channel %s", channel)
        return [], False
    return collector.messages, bool(collector.messages)


def apology() -> dict[str, Any]:
    return service_unavailable().as_dict()
