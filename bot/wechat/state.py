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
# A message still "processing" this long after it was claimed lost its instance (killed mid-turn):
# WeChat's last retry comes about 15 s after the first delivery, so a retry later than this takes the
# message over rather than letting it go unanswered. The dialogue recognises a repeated delivery, so a
# slow original that does finish costs at most a second answer, never a second record.
STALE_CLAIM_SECONDS = 12.0


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
        """None when this delivery of ``key`` is to be answered here (first delivery, or a stale claim taken
        over); else what is known of it."""
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
            seen = Seen(row["state"], list(reply) if isinstance(reply, list) else None, float(row["received_at"]))
        if (
            seen.state == PROCESSING
            and now - seen.received_at > STALE_CLAIM_SECONDS
            and self._take_over(key, seen, now)
        ):
            return None
        return seen

    def _take_over(self, key: str, seen: Seen, now: float) -> bool:
        """Compare-and-set on the claim time: of several retries racing for a stale claim, one wins."""
        with self.engine.begin() as conn:
            moved = conn.execute(
                update(wechat_messages)
                .where(
                    wechat_messages.c.key == key,
                    wechat_messages.c.state == PROCESSING,
                    wechat_messages.c.received_at == seen.received_at,
                )
                .values(received_at=now)
            ).rowcount
        return bool(moved)

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
