"""What a visitor gets back after a reload: their own messages (masked, as the tracker store keeps
them) and the assistant's replies in their structured form, oldest first.

Input is Rasa's events as dicts (``Event.as_dict()``); everything else in a tracker (slots, intents,
actions, metadata) stays on the server.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.conversation.replies import Reply
from bot.inputs import clean_text
from bot.records.masking import mask

# The label a visitor saw on a button they pressed, kept with the message (its payload may differ).
SHOWN_KEY = "shown"
MAX_SHOWN_CHARS = 40
MAX_HISTORY = 200


def shown_label(raw: Any) -> str | None:
    """A button title sent by the widget, made safe to store: cleaned, bounded and masked (it comes
    from the client, so it is treated like any other text the visitor typed)."""
    if not isinstance(raw, str):
        return None
    text = clean_text(raw[: MAX_SHOWN_CHARS * 2])[:MAX_SHOWN_CHARS]
    return mask(text) or None


def _reply(event: Mapping[str, Any]) -> dict[str, Any] | None:
    data = event.get("data")
    custom = data.get("custom") if isinstance(data, Mapping) else None
    if isinstance(custom, Mapping) and "kind" in custom:
        try:
            return Reply.from_dict(dict(custom)).as_dict()
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # not one of ours: fall back to the plain text below
    text = event.get("text")
    if isinstance(text, str) and text:
        return Reply(kind="text", title=text).as_dict()
    return None


def shape_history(events: Iterable[Mapping[str, Any]], limit: int = MAX_HISTORY) -> list[dict[str, Any]]:
    """``[{"from": "user", "text", "at"}, {"from": "bot", "reply", "at"}]``, the last ``limit`` of them."""
    out: list[dict[str, Any]] = []
    for event in events:
        at = event.get("timestamp")
        at = float(at) if isinstance(at, int | float) else None
        kind = event.get("event")
        if kind == "user":
            metadata = event.get("metadata")
            shown = shown_label(metadata.get(SHOWN_KEY)) if isinstance(metadata, Mapping) else None
            text = event.get("text")
            if shown or (isinstance(text, str) and text):
                out.append({"from": "user", "text": shown or str(text), "at": at})
        elif kind == "bot":
            reply = _reply(event)
            if reply is not None:
                out.append({"from": "bot", "reply": reply, "at": at})
    return out[-limit:] if limit > 0 else []
