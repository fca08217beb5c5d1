"""What the door does with one message or event, decided without the assistant: hand words to the
assistant, answer with a fixed reply, or stay silent (``success``).

Pure: the caller supplies the menu, the applicant's last options and the text limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.conversation.replies import Reply, empty_message, too_long
from bot.inputs import clean_text
from bot.wechat import wire
from bot.wechat.menu import Menu
from bot.wechat.message import Inbound
from bot.wechat.render import Option, choose


@dataclass(frozen=True)
class Plan:
    say: str | None = None  # words for the assistant
    replies: tuple[Reply, ...] = ()  # a fixed answer
    # Neither: acknowledge with ``success`` and send nothing (unsubscribe, menu links, unknown events).

    @property
    def silent(self) -> bool:
        return self.say is None and not self.replies


def _words(raw: str, options: Sequence[Option], max_chars: int) -> Plan:
    # Cut before cleaning so a huge text costs no more than the limit allows.
    text = clean_text(raw[: max_chars * 2 + 1])
    if not text:
        return Plan(replies=(empty_message(),))
    if len(text) > max_chars:
        return Plan(replies=(too_long(max_chars),))
    chosen = choose(text, options)
    return Plan(say=chosen if chosen is not None else text)


def plan(message: Inbound, menu: Menu, options: Sequence[Option], max_chars: int) -> Plan:
    kind = message.msg_type
    if kind == wire.TEXT:
        return _words(message.content, options, max_chars)
    if kind == wire.VOICE:
        if message.recognised:
            return _words(message.content, options, max_chars)
        return Plan(replies=(menu.answers["voice_unrecognised"],))
    if kind in wire.MEDIA_TYPES:
        return Plan(replies=(menu.answers["media"],))
    if kind != wire.EVENT:
        return Plan(replies=(menu.answers["unknown"],))
    if message.event in (wire.SUBSCRIBE, wire.SCAN):
        return Plan(replies=(menu.answers["welcome"],))
    if message.event == wire.CLICK:
        action = menu.clicks.get(message.event_key)
        if action is None:
            return Plan(replies=(menu.answers["welcome"],))  # a key from an older menu: say what we do
        if action.say is not None:
            return Plan(say=action.say)
        assert action.reply is not None
        return Plan(replies=(action.reply,))
    return Plan()  # unsubscribe, VIEW, LOCATION reports, template-send receipts…
