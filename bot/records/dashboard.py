"""The reform dashboard's numbers over a chosen period (the district office's view): consultations by
channel and request type, coordination records and their deadlines, disputes by tier and department,
the overturned share (撤销率), escalations moved automatically (R12), 好差评 and follow-ups done.

Each figure counts what was opened (or rated, or moved) within the period, by local date, so a
manager comparing two months compares like with like.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.records.clock import LOCAL_TZ, local_date, to_db
from bot.records.db import session_factory
from bot.records.store import RecordStore, RecordView
from bot.records.tables import consultations, ratings, record_events, records
from bot.vocabulary import Rating
from bot.vocabulary import RecordKind as K
from bot.vocabulary import RecordState as S

MAX_DAYS = 400
UNASSIGNED = "-"  # an escalation with no department named (the district decides it)


def period(start: str | None, end: str | None, today: date) -> tuple[date, date]:
    """The period asked for (ISO dates, both included); the last 30 days by default."""
    last = date.fromisoformat(end) if end else today
    first = date.fromisoformat(start) if start else last - timedelta(days=29)
    if first > last:
        raise ValueError("开始日期不能晚于结束日期。")
    if (last - first).days > MAX_DAYS:
        raise ValueError(f"统计期间最长 {MAX_DAYS} 天。")
    return first, last


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    lo = datetime.combine(first, time.min, LOCAL_TZ)
    hi = datetime.combine(last + timedelta(days=1), time.min, LOCAL_TZ)
    return to_db(lo), to_db(hi)


def _met(done: list[RecordView]) -> int:
    return sum(local_date(r.updated_at) <= r.due_on for r in done)


def _count_by(s: Session, key: Any, created: Any, lo: datetime, hi: datetime) -> dict[Any, int]:
    """Rows created in [lo, hi), counted by ``key``."""
    query = select(key, func.count()).where(created >= lo, created < hi).group_by(key)
    return {k: int(n) for k, n in s.execute(query).all()}


def compute(store: RecordStore, first: date, last: date) -> dict[str, Any]:
    lo, hi = _bounds(first, last)
    today = local_date(store.clock.now())
    sessions = session_factory(store.engine)
    with sessions() as s:
        by_channel = _count_by(s, consultations.c.channel, consultations.c.created_at, lo, hi)
        by_type = _count_by(s, consultations.c.request_type, consultations.c.created_at, lo, hi)
        scores = _count_by(s, ratings.c.score, ratings.c.created_at, lo, hi)
        auto = int(
            s.execute(
                select(func.count())
                .select_from(record_events)
                .where(record_events.c.rule == "R12", record_events.c.at >= lo, record_events.c.at < hi)
            ).scalar_one()
        )
        opened_ids = {
            str(n)
            for n in s.execute(select(records.c.number).where(records.c.created_at >= lo, records.c.created_at < hi))
            .scalars()
            .all()
        }
    chosen = [r for r in store.list_records() if r.number in opened_ids]
    coordination = [r for r in chosen if r.kind == K.COORDINATION]
    escalations = [r for r in chosen if r.kind == K.ESCALATION]
    follow_ups = [r for r in chosen if r.kind == K.FOLLOW_UP]
    decided = [r for r in escalations if r.state in (S.UPHELD, S.OVERTURNED)]
    coordination_done = [r for r in coordination if not r.open]
    escalations_done = [r for r in escalations if not r.open]
    overturned = sum(r.state == S.OVERTURNED for r in decided)
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "consultations": {
            "total": sum(by_channel.values()),
            "by_channel": {str(k): int(v) for k, v in sorted(by_channel.items())},
            "by_request_type": {str(k): int(v) for k, v in sorted(by_type.items(), key=lambda kv: -kv[1])},
        },
        "coordination": {
            "total": len(coordination),
            "done": len(coordination_done),
            "deadline_met": _met(coordination_done),
            "open": len(coordination) - len(coordination_done),
            "overdue": sum(r.overdue(today) for r in coordination),
        },
        "escalations": {
            "total": len(escalations),
            "by_tier": {str(k): v for k, v in sorted(Counter(r.tier or 0 for r in escalations).items())},
            "by_department": dict(
                Counter(r.departments[0] if r.departments else UNASSIGNED for r in escalations).most_common()
            ),
            "by_state": dict(Counter(r.state for r in escalations)),
            "decided": len(decided),
            "overturned_count": overturned,
            "overturned_rate": round(overturned / len(decided), 3) if decided else None,
            "deadline_met": _met(escalations_done),
            "overdue": sum(r.overdue(today) for r in escalations),
            "moved_automatically": auto,
        },
        "ratings": {
            "total": sum(scores.values()),
            "by_score": {str(int(k)): int(scores.get(int(k), 0)) for k in Rating},
            "follow_ups": len(follow_ups),
            "follow_ups_done": sum(r.state in (S.CONTACTED, S.CLOSED) for r in follow_ups),
        },
    }
