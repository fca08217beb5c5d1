"""The records store on both databases: numbering, deadlines, idempotence, audit, ratings, retention."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from bot.policy import get_policy
from bot.records.clock import LOCAL_TZ, FixedClock
from bot.records.desk import ServiceDesk
from bot.records.store import MatterRef, MatterUpdate, RecordError, RecordStore
from bot.records.tables import record_events

FRIDAY = datetime(2026, 11, 27, 16, 30, tzinfo=LOCAL_TZ)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(FRIDAY)


@pytest.fixture
def store(engine: Engine, clock: FixedClock) -> RecordStore:
    return RecordStore(
        engine, clock, first_unit=lambda ch: {"wechat": "南海区政数局公众号"}.get(ch, "南海区行政服务中心")
    )


@pytest.fixture
def desk(store: RecordStore) -> ServiceDesk:
    return ServiceDesk(store, get_policy())


def ref(conversation: str = "c1", matter: int = 1, channel: str = "rest") -> MatterRef:
    return MatterRef(conversation, channel, matter)


def test_coordination_record_is_numbered_and_due_in_two_working_days(desk: ServiceDesk) -> None:
    record, fresh = desk.open_coordination(ref(), "refused", ["msa", "hcw"], None, "市场监管所说不归他们管 13812345678")
    assert fresh
    assert record.number == "XT202611270001"
    assert record.state == "opened" and record.kind == "coordination"
    assert record.due_on == date(2026, 12, 1)  # Friday → Monday, Tuesday
    assert record.departments == ("msa", "hcw")
    assert record.first_unit == "南海区行政服务中心"
    assert record.summary is not None and "13812345678" not in record.summary and "138****5678" in record.summary
    assert [(e.action, e.to_state, e.rule) for e in record.events] == [("open", "opened", "R2")]
    second, _ = desk.open_coordination(ref("c2"), "unclear", [], None, "")
    assert second.number == "XT202611270002"


def test_first_consultation_unit_follows_the_channel(desk: ServiceDesk) -> None:
    record, _ = desk.open_coordination(ref(channel="wechat"), "unclear", [], None, "")
    assert record.first_unit == "南海区政数局公众号"


def test_a_repeated_request_never_opens_a_second_record(desk: ServiceDesk, store: RecordStore) -> None:
    first, fresh1 = desk.open_coordination(ref(), "refused", ["msa"], None, "x")
    again, fresh2 = desk.open_coordination(ref(), "refused", ["msa"], None, "x")
    assert fresh1 and not fresh2 and again.number == first.number
    assert len(store.list_records(kind="coordination")) == 1


def test_sequences_restart_each_day(desk: ServiceDesk, clock: FixedClock) -> None:
    desk.open_coordination(ref("a"), "unclear", [], None, "")
    clock.advance(days=1)
    record, _ = desk.open_coordination(ref("b"), "unclear", [], None, "")
    assert record.number == "XT202611280001"


def test_states_move_only_forward_and_every_move_is_audited(desk: ServiceDesk, store: RecordStore) -> None:
    record, _ = desk.open_coordination(ref(), "refused", ["msa"], None, "")
    accepted = store.transition(
        record.number, "accepted", actor="staff:msa-01", reason="市场监管局确认受理", accepted_by="msa"
    )
    assert accepted.state == "accepted" and accepted.accepted_by == "msa"
    with pytest.raises(RecordError):
        store.transition(record.number, "opened", actor="staff:msa-01", reason="回退")
    with pytest.raises(RecordError):
        store.transition(record.number, "closed", actor="x", reason="y", expect_state="opened")
    closed = store.transition(record.number, "closed", actor="staff:msa-01", reason="已发证")
    assert [(e.from_state, e.to_state, e.actor) for e in closed.events] == [
        (None, "opened", "assistant"),
        ("opened", "accepted", "staff:msa-01"),
        ("accepted", "closed", "staff:msa-01"),
    ]
    assert closed.next_deadline() is None
    with pytest.raises(RecordError):
        store.transition("XT209901010001", "closed", actor="x", reason="y")
    exported = store.export_events()
    assert [e["to_state"] for e in exported] == ["opened", "accepted", "closed"]


def test_the_audit_trail_cannot_be_rewritten(engine: Engine, desk: ServiceDesk) -> None:
    desk.open_coordination(ref(), "refused", ["msa"], None, "")
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(update(record_events).values(actor="someone else"))
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("DELETE FROM record_events"))


def test_unknown_and_foreign_numbers_are_not_found(store: RecordStore) -> None:
    assert store.get("XT209901010001") is None
    assert store.get("AB202611270001") is None


def test_concurrent_openings_get_distinct_consecutive_numbers(desk: ServiceDesk) -> None:
    numbers: list[str] = []
    errors: list[BaseException] = []

    def open_one(i: int) -> None:
        try:
            numbers.append(desk.open_coordination(ref(f"t{i}"), "unclear", [], None, "")[0].number)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(numbers) == [f"XT20261127{i:04d}" for i in range(1, 13)]


def test_consultation_record_follows_its_matter(store: RecordStore) -> None:
    store.save_consultation(ref(), MatterUpdate("consult_item", "clarified", "msa"), "我想开店，电话13812345678")
    store.save_consultation(ref(), MatterUpdate("consult_item", "referred", "msa", "msa-food-business"), "西樵")
    store.save_consultation(ref(matter=2), MatterUpdate("complaint", "coordination_opened", "hrss", None, "XT1"), "")
    rows = store.consultations("c1")
    assert [(r["matter"], r["outcome"], r["item_id"]) for r in rows] == [
        (1, "referred", "msa-food-business"),
        (2, "coordination_opened", None),
    ]
    assert rows[0]["excerpt"] == "我想开店，电话138****5678"
    assert rows[0]["first_unit"] == "南海区行政服务中心" and rows[0]["channel"] == "rest"


def test_a_poor_rating_opens_a_follow_up_with_deadlines(desk: ServiceDesk, store: RecordStore) -> None:
    assert desk.rate(ref(), 4) is None
    follow_up = desk.rate(ref(matter=2), 2)
    assert follow_up is not None and follow_up.number == "HP202611270001"
    assert follow_up.ack_due_on == date(2026, 11, 30) and follow_up.due_on == date(2026, 12, 18)
    desk.comment(ref(matter=2), "窗口让我跑了三次，电话13812345678", follow_up.number)
    rating = store.rating(ref(matter=2))
    assert rating is not None and rating["score"] == 2 and rating["follow_up"] == follow_up.number
    assert "138****5678" in rating["comment"]
    found = desk.find(follow_up.number)
    assert found is not None and found.summary is not None and "跑了三次" in found.summary
    with pytest.raises(RecordError):
        store.rate(ref(), 9)


def test_retention_removes_old_personal_content(store: RecordStore, clock: FixedClock, desk: ServiceDesk) -> None:
    store.save_consultation(ref(), MatterUpdate("consult_item", "referred", "msa"), "旧的咨询")
    record, _ = desk.open_coordination(ref(), "refused", ["msa"], None, "旧的协调")
    store.transition(record.number, "closed", actor="staff", reason="办结")
    clock.advance(days=400)
    store.save_consultation(ref("new"), MatterUpdate("consult_item", "referred", "msa"), "新的咨询")
    removed = store.purge(older_than_days=365)
    assert {k: removed[k] for k in ("consultations", "ratings", "records_cleared", "outbox")} == {
        "consultations": 1,
        "ratings": 0,
        "records_cleared": 1,
        "outbox": 1,  # the applicant's notice of the closing, past retention
    }
    assert [r["conversation_id"] for r in store.consultations()] == ["new"]
    kept = store.get(record.number)
    assert kept is not None and kept.summary is None and kept.state == "closed"
