"""What the WeChat door remembers in the shared database: messages seen (exactly once, whichever
instance a retry lands on) and, per applicant, when they last wrote and what options they were offered.

Applicants appear only as a hash of their openid here; the openid itself is the conversation id in
the conversation store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.records.tables import wechat_messages, wechat_users
from bot.wechat.render import Option

PROCESSING = "processing"  # a turn is running for it
PASSIVE = "passive"  # answered in the HTTP reply
SENT = "sent"  # answered through customer-service messages
FAILED = "failed"  # could not be answered (the apology was sent or attempted)
HANDLED = "handled"  # needed no answer (unsubscribe, menu links)


def user_key(openid: str) -> str:
    return hashlib.sha256(f"wechat-user:{openid}".encode()).hexdigest()


@dataclass(frozen=True)
class Seen:
    """A message already received: what became of it, and its passive reply if it had one."""

    state: str
    reply: list[str] | None
    received_at: float


class DoorState:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- exactly once --------------------------------------------------------------------------

    def claim(self, key: str, now: float) -> Seen | None:
        """None when this is the first delivery of ``key`` (now claimed); else what is known of it."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(wechat_messages).values(key=key, received_at=now, state=PROCESSING))
            return None
        except IntegrityError:
            with self.engine.connect() as conn:
                row = conn.execute(select(wechat_messages).where(wechat_messages.c.key == key)).mappings().first()
            if row is None:  # purged between the two statements: treat as handled
                return Seen(HANDLED, None, now)
            reply = row["reply"]
            return Seen(row["state"], list(reply) if isinstance(reply, list) else None, float(row["received_at"]))

    def finish(self, key: str, state: str, reply: Sequence[str] | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(wechat_messages)
                .where(wechat_messages.c.key == key)
                .values(state=state, reply=list(reply) if reply is not None else None)
            )

    def purge(self, older_than: float) -> int:
        """Seen-message keys are kept a few days (WeChat retries within seconds)."""
        with self.engine.begin() as conn:
            return int(conn.execute(delete(wechat_messages).where(wechat_messages.c.received_at < older_than)).rowcount)

    # --- applicants ---------------------------------------------------------------------------

    def seen_user(self, openid: str, now: float) -> None:
        """The applicant wrote: the 48-hour customer-service window opens again."""
        self._upsert(user_key(openid), {"last_seen_at": now})

    def save_options(self, openid: str, options: Sequence[Option], now: float) -> None:
        self._upsert(user_key(openid), {"last_seen_at": now, "options": [o.as_list() for o in options]})

    def user(self, openid: str) -> tuple[float | None, list[Option]]:
        """When the applicant last wrote, and the options their last reply offered."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(wechat_users).where(wechat_users.c.user_key == user_key(openid))).mappings().first()
            )
        if row is None:
            return None, []
        raw = row["options"] if isinstance(row["options"], list) else []
        return float(row["last_seen_at"]), [Option.from_list(o) for o in raw if isinstance(o, list) and len(o) == 3]

    def _upsert(self, key: str, values: dict[str, Any]) -> None:
        for _ in range(2):
            try:
                with self.engine.begin() as conn:
                    if conn.execute(
                        update(wechat_users).where(wechat_users.c.user_key == key).values(**values)
                    ).rowcount:
                        return
                    conn.execute(insert(wechat_users).values(user_key=key, **{"options": None, **values}))
                    return
            except IntegrityError:  # inserted concurrently by another instance: update it instead
                continue
