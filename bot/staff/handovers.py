"""转人工: conversations that asked for a person wait here for the first unit's desk, which reads the
conversation and answers on the applicant's own channel. One open handover per conversation (asking
twice does not queue twice); answering and closing apply only to the version the clerk saw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from bot.records.clock import Clock, SystemClock, from_db, to_db
from bot.records.db import session_factory, unit_of_work
from bot.records.masking import mask_excerpt
from bot.records.store import conversation_recipient
from bot.records.tables import handovers, outbox
from bot.vocabulary import HANDOVER_STATE_NAMES, HandoverState, Topic

OPEN = (HandoverState.WAITING, HandoverState.ANSWERED)
HANDOFF_KIND = "handoff"  # the kind of bot.conversation.replies.handoff(), the reply to "转人工"
MAX_LISTED = 200


class HandoverConflict(ValueError):
    """The handover changed since the clerk loaded it, or is already closed."""


@dataclass(frozen=True)
class Handover:
    id: int
    conversation_id: str
    channel: str
    first_unit: str
    state: str
    excerpt: str | None
    requested_at: datetime
    updated_at: datetime
    answered_by: str | None
    answers: int
    version: int

    def as_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "channel": self.channel,
            "first_unit": self.first_unit,
            "state": self.state,
            "state_name": HANDOVER_STATE_NAMES.get(self.state, self.state),
            "excerpt": self.excerpt,
            "requested_at": self.requested_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "answered_by": self.answered_by,
            "answers": self.answers,
            "version": self.version,
        }


def asked_for_person(replies: list[dict[str, Any]]) -> bool:
    """Whether a turn's structured replies hand the applicant over to a person."""
    return any(r.get("kind") == HANDOFF_KIND for r in replies)


class HandoverDesk:
    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()
        self._sessions = session_factory(engine)

    def request(self, conversation_id: str, channel: str, first_unit: str, excerpt: str) -> Handover:
        """The conversation's open handover (its excerpt refreshed), or a new one."""
        now = to_db(self.clock.now())
        with unit_of_work(self._sessions) as s:
            row = (
                s.execute(
                    select(handovers.c.id)
                    .where(handovers.c.conversation_id == conversation_id, handovers.c.state.in_(list(OPEN)))
                    .order_by(handovers.c.id.desc())
                )
                .scalars()
                .first()
            )
            if row is None:
                row = s.execute(
                    insert(handovers).values(
                        conversation_id=conversation_id,
                        channel=channel,
                        first_unit=first_unit,
                        state=HandoverState.WAITING,
                        excerpt=mask_excerpt(excerpt, 200) if excerpt else None,
                        requested_at=now,
                        updated_at=now,
                    )
                ).inserted_primary_key[0]
            else:
                values: dict[str, Any] = {"state": HandoverState.WAITING, "updated_at": now}
                if excerpt:
                    values["excerpt"] = mask_excerpt(excerpt, 200)
                s.execute(
                    update(handovers).where(handovers.c.id == row).values(version=handovers.c.version + 1, **values)
                )
        found = self.get(int(row))
        assert found is not None
        return found

    def get(self, handover_id: int) -> Handover | None:
        with self._sessions() as s:
            row = s.execute(select(handovers).where(handovers.c.id == handover_id)).mappings().first()
        return _view(row) if row else None

    def waiting(self, include_closed: bool = False) -> list[Handover]:
        """Open handovers, the longest waiting first."""
        query = select(handovers).order_by(handovers.c.requested_at, handovers.c.id).limit(MAX_LISTED)
        if not include_closed:
            query = query.where(handovers.c.state.in_(list(OPEN)))
        with self._sessions() as s:
            return [_view(r) for r in s.execute(query).mappings()]

    def check(self, handover: Handover, version: int | None) -> None:
        """Refuses an action on a handover that changed since the clerk loaded it, or that is closed."""
        if handover.state == HandoverState.CLOSED:
            raise HandoverConflict("该转人工会话已结束，无需再处理。")
        if version is not None and version != handover.version:
            raise HandoverConflict("该会话在您打开页面后有了新的变化（群众又发了消息或同事已答复），请刷新后再处理。")

    def answered(
        self, handover_id: int, actor: str, version: int | None, deliver: dict[str, str] | None = None
    ) -> Handover:
        """The answer is recorded; with ``deliver`` (``{"text", "signed"}``, for a channel the outbox delivers
        to, such as WeChat) it is queued for the applicant in the same transaction: sent once or not at all."""
        return self._move(handover_id, HandoverState.ANSWERED, actor, version, answered=True, deliver=deliver)

    def close(self, handover_id: int, actor: str, version: int | None) -> Handover:
        return self._move(handover_id, HandoverState.CLOSED, actor, version)

    def _move(
        self,
        handover_id: int,
        state: str,
        actor: str,
        version: int | None,
        answered: bool = False,
        deliver: dict[str, str] | None = None,
    ) -> Handover:
        current = self.get(handover_id)
        if current is None:
            raise HandoverConflict("没有这个转人工会话。")
        self.check(current, version)
        values: dict[str, Any] = {
            "state": state,
            "updated_at": to_db(self.clock.now()),
            "version": current.version + 1,
        }
        if answered:
            values["answered_by"] = actor
            values["answers"] = handovers.c.answers + 1
        with unit_of_work(self._sessions) as s:
            changed = s.execute(
                update(handovers)
                .where(handovers.c.id == handover_id, handovers.c.version == current.version)
                .values(**values)
            ).rowcount
            if changed == 1 and deliver is not None:
                s.execute(
                    insert(outbox).values(
                        created_at=values["updated_at"],
                        recipient=conversation_recipient(current.channel, current.conversation_id),
                        topic=Topic.STAFF_REPLY,
                        payload=dict(deliver),
                    )
                )
        if changed != 1:
            raise HandoverConflict("该会话刚被同事处理，请刷新后再看。")
        done = self.get(handover_id)
        assert done is not None
        return done


def _view(r: Any) -> Handover:
    return Handover(
        id=int(r["id"]),
        conversation_id=r["conversation_id"],
        channel=r["channel"],
        first_unit=r["first_unit"],
        state=r["state"],
        excerpt=r["excerpt"],
        requested_at=from_db(r["requested_at"]),
        updated_at=from_db(r["updated_at"]),
        answered_by=r["answered_by"],
        answers=int(r["answers"]),
        version=int(r["version"]),
    )
