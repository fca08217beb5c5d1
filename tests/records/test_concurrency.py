"""Every state change is a compare-and-set on the version; what must be unique is unique in the database.

Races are run for real: threads on two engines (two "instances") against SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.policy import get_policy
from bot.policy.engine import Facts, decide
from bot.records.clock import LOCAL_TZ, FixedClock
from bot.records.db import make_engine
from bot.records.escalations import EscalationDesk
from bot.records.quota import RecordLimit, acting_for
from bot.records.store import MatterRef, RecordError, RecordStore, StaleRecord
from bot.records.tables import outbox, record_sequences, records
from bot.vocabulary import RecordKind, RecordState, Topic


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 30, 9, 0, tzinfo=LOCAL_TZ))


def _race(workers: list[Callable[[], Any]]) -> list[Any]:
    """Runs the workers at once (a barrier releases them together); results or exceptions, in order."""
    barrier = threading.Barrier(len(workers))
    out: list[Any] = [None] * len(workers)

    def run(i: int, work: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            out[i] = work()
        except Exception as exc:  # collected, asserted by the test
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def _escalation(desk: EscalationDesk, conversation: str, facts: Facts | None = None) -> str:
    facts = facts or Facts(rejecting_tier=1, ground="G1")
    record, _ = desk.open(
        MatterRef(conversation, "rest", 1),
        facts,
        decide(facts, desk.policy),
        item_id=None,
        department="hcw",
        summary="",
    )
    return record.number


def test_scheduler_against_scheduler_tells_the_office_once(db_url: str, engine: Engine, clock: FixedClock) -> None:
    first = EscalationDesk(RecordStore(engine, clock), get_policy())
    number = _escalation(first, "top", Facts(rejecting_tier=3, ground="G1"))  # decided at tier 4
    assert first.store.get(number).tier == 4  # type: ignore[union-attr]
    clock.advance(days=10)
    other = make_engine(db_url)
    second = EscalationDesk(RecordStore(other, clock), get_policy())
    _race([first.run_deadlines, second.run_deadlines, first.run_deadlines, second.run_deadlines])
    told = [
        n for n in first.store.notifications(pending_only=False, number=number) if n["topic"] == Topic.OVERDUE_TOP_TIER
    ]
    assert len(told) == 1
    other.dispose()


def test_scheduler_against_staff_one_change_wins(db_url: str, engine: Engine, clock: FixedClock) -> None:
    scheduler = EscalationDesk(RecordStore(engine, clock), get_policy())
    numbers = [_escalation(scheduler, f"c{i}") for i in range(4)]
    clock.advance(days=3)  # past the acknowledgement date: the scheduler wants to move them up
    other = make_engine(db_url)
    staff = EscalationDesk(RecordStore(other, clock), get_policy())
    seen = {n: staff.store.get(n).version for n in numbers}  # type: ignore[union-attr]

    def clerk() -> int:
        done = 0
        for n in numbers:
            try:
                staff.acknowledge(n, "staff:hcw-sec", "收到", expect_version=seen[n])
                done += 1
            except RecordError:
                pass
        return done

    moved, acknowledged = _race([lambda: len(scheduler.run_deadlines()), clerk])
    assert moved + acknowledged == len(numbers)  # each record changed exactly once
    for n in numbers:
        record = scheduler.store.get(n)
        assert record is not None and record.version == 2 and len(record.events) == 2
        if record.state == RecordState.ESCALATED:  # the clerk's change, made on a stale version, was refused
            assert [e.actor for e in record.events] == ["assistant", "scheduler"]
    office = [x for x in scheduler.store.notifications(pending_only=False) if x["topic"] == Topic.ESCALATED]
    assert len(office) == moved
    other.dispose()


def test_staff_actions_on_a_stale_version_are_refused(engine: Engine, clock: FixedClock) -> None:
    desk = EscalationDesk(RecordStore(engine, clock), get_policy())
    number = _escalation(desk, "v")
    desk.acknowledge(number, "staff:a", "收到", expect_version=1)
    with pytest.raises(StaleRecord):
        desk.decide(number, "staff:b", RecordState.OVERTURNED, "材料齐全", expect_version=1)
    assert desk.decide(number, "staff:b", RecordState.OVERTURNED, "材料齐全", expect_version=2).version == 3


def test_two_writers_of_one_version_change_it_once(db_url: str, engine: Engine, clock: FixedClock) -> None:
    store = RecordStore(engine, clock)
    record, _ = store.open_record(
        RecordKind.COORDINATION, MatterRef("w", "rest", 1), reason="unclear", departments=[], due_in=2
    )
    other = make_engine(db_url)
    second = RecordStore(other, clock)
    results = _race(
        [
            lambda: store.transition(record.number, RecordState.ACCEPTED, actor="a", reason="x", accepted_by="hcw"),
            lambda: second.transition(record.number, RecordState.CLOSED, actor="b", reason="y"),
        ]
    )
    done = store.get(record.number)
    assert done is not None
    wins = [r for r in results if not isinstance(r, Exception)]
    # Either one won and the other was stale or no longer allowed, or both applied one after the other.
    assert len(done.events) == 1 + len(wins) and done.version == 1 + len(wins)
    other.dispose()


def test_one_open_record_per_matter_even_when_two_instances_race(
    db_url: str, engine: Engine, clock: FixedClock
) -> None:
    other = make_engine(db_url)
    stores = [RecordStore(engine, clock), RecordStore(other, clock)] * 3
    ref = MatterRef("same-matter", "rest", 1)

    def opener(store: RecordStore) -> Callable[[], Any]:
        return lambda: store.open_record(RecordKind.COORDINATION, ref, reason="unclear", departments=[], due_in=2)

    results = _race([opener(s) for s in stores])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({view.number for view, _ in results}) == 1
    assert sum(1 for _, new in results if new) == 1
    with engine.connect() as conn:
        assert conn.execute(select(records.c.number)).all() == [(results[0][0].number,)]
    other.dispose()


def test_the_database_refuses_a_second_open_record_for_a_matter(engine: Engine, clock: FixedClock) -> None:
    store = RecordStore(engine, clock)
    record, _ = store.open_record(
        RecordKind.COORDINATION, MatterRef("u", "rest", 1), reason="r", departments=[], due_in=2
    )
    with engine.connect() as conn:
        row = dict(conn.execute(select(records).where(records.c.number == record.number)).mappings().one())
    row.pop("id")
    row["number"] = record.number[:-4] + "9999"
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(records).values(**row))
    store.transition(record.number, RecordState.CLOSED, actor="a", reason="办结")
    with engine.begin() as conn:  # once closed, the matter may open a new one
        conn.execute(insert(records).values(**row))


def test_notices_with_a_key_are_written_once(engine: Engine, clock: FixedClock) -> None:
    from bot.records.store import Notification

    store = RecordStore(engine, clock)
    note = Notification("office", Topic.OVERDUE_TOP_TIER, {"n": 1})
    assert store.notify_once(note, None, "k1") is True
    assert store.notify_once(note, None, "k1") is False
    with engine.connect() as conn:
        assert len(conn.execute(select(outbox.c.id).where(outbox.c.dedupe_key == "k1")).all()) == 1


def test_record_quotas_per_conversation_per_client_and_the_days_numbers(engine: Engine, clock: FixedClock) -> None:
    store = RecordStore(engine, clock)

    def open_(conversation: str, matter: int = 1) -> Any:
        return store.open_record(
            RecordKind.COORDINATION, MatterRef(conversation, "rest", matter), reason="r", departments=[], due_in=2
        )

    for matter in range(1, 6):
        open_("busy", matter)
    with pytest.raises(RecordLimit) as err:
        open_("busy", 6)
    assert err.value.why == "conversation"
    assert open_("busy", 5)[1] is False  # the matter's open record is still found: no quota spent
    with acting_for("client-hash"):
        for i in range(20):
            open_(f"fresh-{i}")
        with pytest.raises(RecordLimit) as err:
            open_("fresh-20")
    assert err.value.why == "client"
    with engine.begin() as conn:
        conn.execute(update(record_sequences).values(last=9999))
    with pytest.raises(RecordLimit) as err:
        open_("late")
    assert err.value.why == "numbers"


def test_matter_numbers_never_go_back(engine: Engine, clock: FixedClock) -> None:
    from bot.records.store import MatterUpdate

    store = RecordStore(engine, clock)
    assert store.last_matter("m") == (0, None)
    store.save_consultation(MatterRef("m", "rest", 3), MatterUpdate("consult_item", "referred", "msa"), "x", "d3")
    assert store.last_matter("m") == (3, "d3")
    store.open_record(RecordKind.COORDINATION, MatterRef("m", "rest", 4), reason="r", departments=[], due_in=2)
    assert store.last_matter("m") == (4, None)


def test_staff_reasons_are_masked_on_the_way_in(engine: Engine, clock: FixedClock) -> None:
    store = RecordStore(engine, clock)
    record, _ = store.open_record(
        RecordKind.COORDINATION, MatterRef("p", "rest", 1), reason="r", departments=[], due_in=2
    )
    done = store.transition(record.number, RecordState.CLOSED, actor="staff:a", reason="已电话联系 13812345678 本人")
    assert done.events[-1].reason == "已电话联系 138****5678 本人"
    told = store.notifications(number=record.number)
    assert all("13812345678" not in str(n["payload"]) for n in told)
