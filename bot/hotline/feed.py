"""The speech-recognition feed of a call: an ASR system posts what it recognised, segment by segment,
and the agent's console reads the new ones. Kept in the database so that any instance can take the
post and any instance can answer the console; segments older than a day are removed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine

from bot.records.clock import Clock, SystemClock, from_db, to_db
from bot.records.db import session_factory, unit_of_work
from bot.records.tables import call_segments

MAX_SEGMENTS_READ = 200
KEEP = timedelta(days=1)


@dataclass(frozen=True)
class Segment:
    id: int
    speaker: str
    text: str
    at: str

    def as_api(self) -> dict[str, Any]:
        return {"id": self.id, "speaker": self.speaker, "text": self.text, "at": self.at}


class CallFeed:
    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()
        self._sessions = session_factory(engine)

    def push(self, agent: str, call_id: str, speaker: str, text: str) -> int:
        now = self.clock.now()
        with unit_of_work(self._sessions) as s:
            s.execute(delete(call_segments).where(call_segments.c.at < to_db(now - KEEP)))
            new_id = s.execute(
                insert(call_segments).values(agent=agent, call_id=call_id, speaker=speaker, text=text, at=to_db(now))
            ).inserted_primary_key[0]
        return int(new_id)

    def read(self, agent: str, call_id: str, after: int = 0) -> list[Segment]:
        """This agent's segments of this call after ``after``, oldest first (another agent's never)."""
        query = (
            select(call_segments)
            .where(call_segments.c.agent == agent, call_segments.c.call_id == call_id, call_segments.c.id > after)
            .order_by(call_segments.c.id)
            .limit(MAX_SEGMENTS_READ)
        )
        with self._sessions() as s:
            rows = s.execute(query).mappings().all()
        return [Segment(int(r["id"]), r["speaker"], r["text"], from_db(r["at"]).isoformat()) for r in rows]
