"""One message or event from an applicant, as the WeChat door needs it (parsed by bot.adapters.wechat.inbound)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Inbound:
    """One message or event from an applicant, as the door needs it."""

    msg_type: str  # lower case: text, voice, image, …, event
    openid: str  # FromUserName: the applicant, and the conversation id
    account: str  # ToUserName: the Official Account's original id
    create_time: int
    msg_id: str  # '' for events
    content: str = ""  # text, or a voice message's Recognition
    event: str = ""  # lower case, events only
    event_key: str = ""
    recognised: bool = False  # a voice message that came with Recognition

    @property
    def dedup_key(self) -> str:
        """The same message retried has the same key: its MsgId, or for events the sender and time.

        Hashed, so the table of seen messages holds no openid."""
        raw = f"msg:{self.msg_id}" if self.msg_id else f"event:{self.openid}:{self.create_time}"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()
