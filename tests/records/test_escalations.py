"""Escalation records on both databases: R11 deadlines, decisions, R12 automatic escalation."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine

from bot.policy import get_policy
from bot.policy.engine import Facts, decide, decide_any_ground
from bot.records.clock import LOCAL_TZ, FixedClock
from bot.records.db import make_engine
from bot.records.escalations import OFFICE, EscalationDesk
from bot.records.store import MatterRef, RecordError, RecordStore
from bot.records.tables import records
from bot.vocabulary import GROUND_PLAIN, GROUND_UNTOLD, Ground

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY)


@pytest.fixture
def desk(engine: Engine, clock: FixedClock) -> EscalationDesk:
    return EscalationDesk(RecordStore(engine, clock), get_policy())


def _open(desk: EscalationDesk, facts: Facts, conversation: str = "c1") -> str:
    decision = decide(facts, get_policy())
    record, fresh = desk.open(
        MatterRef(conversation, "rest", 1), facts, decision, item_id=None, department="hcw", summary="施工许可被退"
    )
    assert fresh
    return record.number


def test_escalation_opens_at_the_decided_tier_with_its_deadlines(desk: EscalationDesk) -> None:
    # A section (tier 2) rejected for unclear legal basis (G4, lowest tier 3): R6 → tier 3, and the
    # section had no authority for that ground (R7, 越权).
    number = _open(desk, Facts(rejecting_tier=2, ground="G4"))
    record = desk.store.get(number)
    assert record is not None and number == "TJ202611300001"
    assert record.tier == 3 and record.state == "submitted"
    assert record.ack_due_on == date(2026, 12, 2) and record.due_on == date(2026, 12, 7)  # 2 / 5 working days
    assert record.facts is not None and record.facts["rules"] == ["R6", "R7"] and record.facts["overreach"]
    assert record.events[0].rule == "R6,R7"
    assert record.next_deadline() == date(2026, 12, 2)


def test_the_audit_trail_opens_with_the_ground_in_plain_chinese(desk: EscalationDesk) -> None:
    """Staff read 材料不全 where the escalation was opened, not the code G1; the code stays in the facts."""
    number = _open(desk, Facts(rejecting_tier=1, ground=Ground.INCOMPLETE, material_on_list=True))
    record = desk.store.get(number)
    assert record is not None and record.facts is not None
    opening = record.events[0]
    assert opening.action == "open" and opening.reason == GROUND_PLAIN[Ground.INCOMPLETE] == "材料不全"
    assert record.reason == GROUND_PLAIN[Ground.INCOMPLETE] and record.facts["ground_decided"] == Ground.INCOMPLETE
    exported = [e for e in desk.store.export_events() if e["number"] == number]  # the CSV audit trail
    assert exported[0]["reason"] == "材料不全"

    # A tier decided whatever the ground (a key project): no ground told, and the trail says so.
    facts = Facts(rejecting_tier=2, key_project=True)
    decision = decide_any_ground(facts, get_policy())
    assert decision is not None and decision.ground is None
    untold, _ = desk.open(MatterRef("c2", "rest", 1), facts, decision, item_id=None, department=None, summary="")
    assert untold.events[0].reason == GROUND_UNTOLD
    assert not {e.reason for e in (opening, untold.events[0])} & {str(g) for g in Ground}


def test_every_plain_ground_fits_the_records_reason_column() -> None:
    width = records.c.reason.type.length
    assert all(len(text) <= width for text in [*GROUND_PLAIN.values(), GROUND_UNTOLD])


def test_acknowledge_then_decide_with_a_reason(desk: EscalationDesk) -> None:
    number = _open(desk, Facts(rejecting_tier=1, ground="G3"))
    desk.acknowledge(number, "staff:hcw-section")
    with pytest.raises(RecordError):
        desk.decide(number, "staff:hcw-section", "overturned", "  ")
    with pytest.raises(RecordError):
        desk.decide(number, "staff:hcw-section", "maybe", "x")
    done = desk.decide(number, "staff:hcw-section", "overturned", "材料齐全、符合条件，撤销退件，通知窗口受理")
    assert done.state == "overturned" and done.next_deadline() is None
    assert [e.to_state for e in done.events] == ["submitted", "acknowledged", "overturned"]


def test_unacknowledged_escalation_moves_up_one_tier_and_tells_the_office(
    desk: EscalationDesk, clock: FixedClock
) -> None:
    number = _open(desk, Facts(rejecting_tier=1, ground="G1"))  # tier 2: acknowledge in 1 working day
    assert desk.run_deadlines() == []
    clock.advance(days=1)  # Tuesday: still the last day to acknowledge
    assert desk.run_deadlines() == []
    clock.advance(days=1)  # Wednesday: late
    moved = desk.run_deadlines()
    assert [(r.number, r.tier, r.state) for r in moved] == [(number, 3, "escalated")]
    assert moved[0].ack_due_on == date(2026, 12, 4)  # tier 3: 2 working days from Wednesday
    assert moved[0].events[-1].rule == "R12" and moved[0].events[-1].actor == "scheduler"
    notes = desk.store.notifications(number=number, recipient=OFFICE)
    assert [(n["recipient"], n["topic"], n["payload"]["to_tier"]) for n in notes] == [(OFFICE, "escalated", 3)]
    assert desk.run_deadlines() == []  # nothing more until the new deadline passes
    assert desk.overdue() == []
    desk.store.mark_delivered([n["id"] for n in notes])  # a channel has told the office
    assert desk.store.notifications(number=number, recipient=OFFICE) == []
    assert len(desk.store.notifications(pending_only=False, number=number, recipient=OFFICE)) == 1


def test_at_the_top_tier_the_office_is_told_once(desk: EscalationDesk, clock: FixedClock) -> None:
    number = _open(desk, Facts(rejecting_tier=3, ground="G5"))  # tier 4
    clock.advance(days=10)
    assert desk.run_deadlines() == [] and desk.run_deadlines() == []
    topics = [n["topic"] for n in desk.store.notifications(number=number, recipient=OFFICE)]
    assert topics == ["overdue_top_tier"]
    assert [r.number for r in desk.overdue()] == [number]
    with pytest.raises(RecordError):
        desk.escalate(number, "staff:district", "再提级")


def test_two_instances_never_escalate_twice(db_url: str, engine: Engine, clock: FixedClock) -> None:
    first = EscalationDesk(RecordStore(engine, clock), get_policy())
    numbers = [_open(first, Facts(rejecting_tier=1, ground="G1"), f"c{i}") for i in range(5)]
    clock.advance(days=3)
    other_engine = make_engine(db_url)  # a second instance: its own engine and connections
    second = EscalationDesk(RecordStore(other_engine, clock), get_policy())
    results: list[int] = []

    def run(desk: EscalationDesk) -> None:
        results.append(len(desk.run_deadlines()))

    threads = [threading.Thread(target=run, args=(d,)) for d in (first, second, first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == len(numbers)
    for number in numbers:
        record = first.store.get(number)
        assert record is not None and record.tier == 3
        assert [e.rule for e in record.events].count("R12") == 1
    other_engine.dispose()
