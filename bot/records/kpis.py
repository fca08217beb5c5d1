"""The reform's numbers for managers: what happened to first consultations, how coordination and
escalations kept their deadlines, how often a disputed rejection was overturned, and 好差评."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from bot.records.clock import local_date
from bot.records.store import RecordStore, RecordView
from bot.vocabulary import RecordKind as K
from bot.vocabulary import RecordState as S


def _kept(records: list[RecordView]) -> float | None:
    """Share of finished records whose last move came on or before their deadline."""
    done = [r for r in records if not r.open]
    if not done:
        return None
    on_time = sum(local_date(r.updated_at) <= r.due_on for r in done)
    return round(on_time / len(done), 3)


def compute(store: RecordStore, today: date | None = None) -> dict[str, Any]:
    day = today or local_date(store.clock.now())
    outcomes = store.outcome_counts()
    scores = store.rating_counts()
    coordination = store.list_records(kind=K.COORDINATION)
    escalations = store.list_records(kind=K.ESCALATION)
    follow_ups = store.list_records(kind=K.FOLLOW_UP)
    decided = [r for r in escalations if r.state in (S.UPHELD, S.OVERTURNED)]
    auto = sum(1 for r in escalations if r.state == S.ESCALATED)
    rated = sum(scores.values())
    total = sum(outcomes.values())
    return {
        "date": day.isoformat(),
        "consultations": {"total": total, "by_outcome": outcomes},
        "coordination": {
            "total": len(coordination),
            "by_state": dict(Counter(r.state for r in coordination)),
            "overdue": sum(r.overdue(day) for r in coordination),
            "deadline_kept": _kept(coordination),
        },
        "escalations": {
            "total": len(escalations),
            "share_of_consultations": round(len(escalations) / total, 3) if total else None,
            "by_tier": {str(k): v for k, v in sorted(Counter(r.tier for r in escalations).items())},
            "by_state": dict(Counter(r.state for r in escalations)),
            "overturned_rate": (
                round(sum(r.state == S.OVERTURNED for r in decided) / len(decided), 3) if decided else None
            ),
            "overdue": sum(r.overdue(day) for r in escalations),
            "waiting_after_auto_escalation": auto,
            "deadline_kept": _kept(escalations),
        },
        "ratings": {
            "total": rated,
            "by_score": {str(k): v for k, v in sorted(scores.items())},
            "satisfied_rate": round(sum(v for k, v in scores.items() if k >= 3) / rated, 3) if rated else None,
            "follow_ups_open": sum(r.open for r in follow_ups),
        },
    }
