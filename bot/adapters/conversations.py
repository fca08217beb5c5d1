"""Reading an applicant's conversation from Rasa's tracker store, and adding a person's answer to it,
for the staff pages: the record page shows what the applicant said (masked, as the tracker store keeps
it), and the 转人工 desk answers a web visitor in the conversation their widget shows."""

from __future__ import annotations

import logging
from typing import Any

from rasa.shared.core.events import BotUttered

from bot.conversation.replies import Reply, render_text
from bot.inputs import ClientError
from bot.web.history import shape_history

logger = logging.getLogger(__name__)
STAFF_REPLY_KIND = "person_reply"  # a Reply written by a person (the widget shows it as an answer)


def unavailable() -> ClientError:
    return ClientError(503, "unavailable", "暂时无法读取对话记录，请稍后再试。")


async def history(agent: Any, conversation_id: str) -> list[dict[str, Any]]:
    """The conversation as the widget's history shows it (user texts and structured replies)."""
    if agent is None or not conversation_id:
        return []
    try:
        tracker = await agent.tracker_store.retrieve_full_tracker(conversation_id)
    except Exception as exc:
        logger.exception("staff: the tracker store failed")
        raise unavailable() from exc
    events = [e.as_dict() for e in tracker.events] if tracker is not None else []
    return shape_history(events)


def staff_reply(text: str, signed: str) -> Reply:
    return Reply(kind=STAFF_REPLY_KIND, title=text, footer=f"—— {signed}", data={"from": signed})


async def append_reply(agent: Any, conversation_id: str, reply: Reply) -> None:
    """Adds a person's answer to the conversation, under the conversation's lock (so it never
    interleaves with a turn the assistant is taking at the same moment)."""
    if agent is None:
        raise unavailable()
    try:
        async with agent.lock_store.lock(conversation_id):
            tracker = await agent.tracker_store.get_or_create_tracker(conversation_id, append_action_listen=False)
            tracker.update(BotUttered(text=render_text(reply), data={"custom": reply.as_dict()}))
            await agent.tracker_store.save(tracker)
    except Exception as exc:
        logger.exception("staff: could not add the answer to the conversation")
        raise ClientError(503, "unavailable", "答复没有发出：暂时无法写入对话，请稍后再试。") from exc
