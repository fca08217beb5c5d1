"""Records of the first-consultation unit: consultations (R4), numbered records (R2, R6–R13), 好差评.

Each public method is one unit of work in its own transaction. Text that could identify an applicant
is masked before it is written. Opening a record is idempotent per matter, so a message delivered
twice never opens two records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, delete, func, insert, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.config import settings
from bot.records import quota
from bot.records.clock import Clock, SystemClock, from_db, local_date, to_db
from bot.records.db import session_factory, unit_of_work
from bot.records.masking import mask, mask_excerpt
from bot.records.numbers import KIND_OF_PREFIX, MAX_SEQUENCE, format_number, normalise
from bot.records.quota import RecordLimit
from bot.records.tables import (
    auth_log,
    consultations,
    outbox,
    ratings,
    record_events,
    record_sequences,
    records,
    staff_tokens,
    wechat_messages,
    wechat_users,
)
from bot.records.workdays import WorkCalendar, load_calendar
from bot.vocabulary import Rating, RecordKind, RecordState, Topic

# Allowed state changes per kind of record; the first state is where a record starts.
K, S = RecordKind, RecordState
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    K.COORDINATION: {
        S.OPENED: frozenset({S.ACCEPTED, S.CLOSED}),
        S.ACCEPTED: frozenset({S.CLOSED}),
        S.CLOSED: frozenset(),
    },
    K.FOLLOW_UP: {
        S.OPENED: frozenset({S.CONTACTED, S.CLOSED}),
        S.CONTACTED: frozenset({S.CLOSED}),
        S.CLOSED: frozenset(),
    },
    K.ESCALATION: {
        S.SUBMITTED: frozenset({S.ACKNOWLEDGED, S.ESCALATED, S.UPHELD, S.OVERTURNED}),
        S.ACKNOWLEDGED: frozenset({S.UPHELD, S.OVERTURNED, S.ESCALATED}),
        S.ESCALATED: frozenset({S.ACKNOWLEDGED, S.ESCALATED, S.UPHELD, S.OVERTURNED}),
        S.UPHELD: frozenset(),
        S.OVERTURNED: frozenset(),
    },
}
INITIAL_STATE = {kind: next(iter(states)) for kind, states in TRANSITIONS.items()}
OPEN_STATES = tuple(sorted({s for states in TRANSITIONS.values() for s, nxt in states.items() if nxt}))
CLOSED_STATES = tuple(sorted({s for states in TRANSITIONS.values() for s, nxt in states.items() if not nxt}))
# States in which a record waits for its first answer (acknowledgement, contact) by ``ack_due_on``.
AWAITING_ACK = (S.OPENED, S.SUBMITTED, S.ESCALATED)
# The applicant is told of these changes (through the channel they wrote on: WeChat delivers its own
# from the outbox; other doors may read them). Recipient and topics are named once, here.
APPLICANT = "applicant"


def conversation_recipient(channel: str, conversation_id: str) -> str:
    """The outbox address of one conversation (a person's answer for a WeChat applicant): ``channel:id``."""
    recipient = f"{channel}:{conversation_id}"
    if len(recipient) > 64:
        raise ValueError("conversation id too long for an outbox recipient")
    return recipient


APPLICANT_TOPICS: dict[tuple[str, str], str] = {
    (K.ESCALATION, S.ESCALATED): Topic.ESCALATION_MOVED,
    (K.ESCALATION, S.UPHELD): Topic.ESCALATION_DECIDED,
    (K.ESCALATION, S.OVERTURNED): Topic.ESCALATION_DECIDED,
    (K.COORDINATION, S.ACCEPTED): Topic.COORDINATION_ACCEPTED,
    (K.COORDINATION, S.CLOSED): Topic.RECORD_CLOSED,
    (K.FOLLOW_UP, S.CONTACTED): Topic.FOLLOW_UP_CONTACTED,
    (K.FOLLOW_UP, S.CLOSED): Topic.RECORD_CLOSED,
}


class RecordError(ValueError):
    """A change the record's state does not allow, or a record that does not exist."""


class StaleRecord(RecordError):
    """The record changed since the caller read it (another clerk, another instance): nothing was done."""


@dataclass(frozen=True)
class MatterRef:
    """Which matter of which conversation, and where the applicant came from."""

    conversation_id: str
    channel: str
    matter: int


@dataclass(frozen=True)
class RecordEvent:
    at: datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str
    reason: str | None
    rule: str | None


@dataclass(frozen=True)
class RecordView:
    number: str
    kind: str
    state: str
    first_unit: str
    reason: str
    departments: tuple[str, ...]
    accepted_by: str | None
    item_id: str | None
    tier: int | None
    facts: dict[str, Any] | None
    summary: str | None
    ack_due_on: date | None
    due_on: date
    created_at: datetime
    updated_at: datetime
    version: int = 1
    events: tuple[RecordEvent, ...] = field(default=())
    channel: str = ""  # where the applicant wrote (their conversation is read there)
    conversation_id: str = ""

    @property
    def open(self) -> bool:
        return bool(TRANSITIONS[self.kind][self.state])

    def next_deadline(self) -> date | None:
        """The acknowledgement date while unacknowledged, then the decision date; none once closed."""
        if not self.open:
            return None
        if self.ack_due_on and self.state in AWAITING_ACK:
            return self.ack_due_on
        return self.due_on

    def overdue(self, today: date) -> bool:
        deadline = self.next_deadline()
        return deadline is not None and today > deadline


@dataclass(frozen=True)
class Notification:
    """A message for someone outside the conversation, delivered later from the outbox."""

    recipient: str
    topic: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class MatterUpdate:
    """What a turn did for the matter, for its R4 consultation record."""

    request_type: str
    outcome: str
    department: str | None = None
    item_id: str | None = None
    record_number: str | None = None


class RecordStore:
    """The records database, behind plain methods the dialogue and the staff API call."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock | None = None,
        calendar: WorkCalendar | None = None,
        first_unit: Callable[[str], str] | None = None,
        admit: Callable[[str], None] | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock or SystemClock()
        self.calendar = calendar or load_calendar()
        self.first_unit = first_unit or settings().first_unit_for
        self.admit: Callable[[str], None] = admit or quota.admit
        self._sessions = session_factory(engine)

    # --- numbered records -------------------------------------------------------------------

    def open_record(
        self,
        kind: str,
        ref: MatterRef,
        *,
        reason: str,
        departments: Sequence[str],
        due_in: int,
        ack_in: int | None = None,
        summary: str = "",
        item_id: str | None = None,
        tier: int | None = None,
        facts: dict[str, Any] | None = None,
        actor: str = "assistant",
        rule: str | None = None,
    ) -> tuple[RecordView, bool]:
        """The matter's open record of this kind, or a new one; True when newly opened.

        Check-then-insert is only the fast path: the unique index on open records per matter decides, so two
        deliveries of one message racing on two instances open one record. A new record first passes the
        quotas (:func:`bot.records.quota.admit`), which raise :class:`RecordLimit`, as does a day whose
        numbers are used up."""
        existing = self._find_for_matter(kind, ref)
        if existing is not None and existing.open:
            return existing, False
        try:
            return self._insert_record(
                kind, ref, reason, departments, due_in, ack_in, summary, item_id, tier, facts, actor, rule
            )
        except IntegrityError:
            existing = self._find_for_matter(kind, ref)
            if existing is not None and existing.open:
                return existing, False
            raise

    def _insert_record(
        self,
        kind: str,
        ref: MatterRef,
        reason: str,
        departments: Sequence[str],
        due_in: int,
        ack_in: int | None,
        summary: str,
        item_id: str | None,
        tier: int | None,
        facts: dict[str, Any] | None,
        actor: str,
        rule: str | None,
    ) -> tuple[RecordView, bool]:
        now = self.clock.now()
        today = local_date(now)
        with unit_of_work(self._sessions) as s:
            sequence = self._next_sequence(s, RecordKind(kind).prefix, today)
            if sequence > MAX_SEQUENCE:
                raise RecordLimit("numbers")
            number = format_number(kind, today, sequence)
            state = INITIAL_STATE[kind]
            values = {
                "number": number,
                "kind": kind,
                "state": state,
                "first_unit": self.first_unit(ref.channel),
                "channel": ref.channel,
                "conversation_id": ref.conversation_id,
                "matter": ref.matter,
                "reason": reason,
                "departments": list(departments),
                "item_id": item_id,
                "tier": tier,
                "facts": facts,
                "summary": mask_excerpt(summary) if summary else None,
                "ack_due_on": self.calendar.add_working_days(today, ack_in) if ack_in else None,
                "due_on": self.calendar.add_working_days(today, due_in),
                "created_at": to_db(now),
                "updated_at": to_db(now),
            }
            record_id = s.execute(insert(records).values(**values)).inserted_primary_key[0]
            # Counted only once the insert stood (a duplicate delivery of the matter spends no quota); a
            # refusal rolls the record and its number back.
            self.admit(ref.conversation_id)
            self._event(s, record_id, now, actor, "open", None, state, reason, rule)
        view = self.get(number)
        assert view is not None
        return view, True

    def get(self, number: str) -> RecordView | None:
        number = normalise(number)
        if number[:2] not in KIND_OF_PREFIX:
            return None
        with self._sessions() as s:
            row = s.execute(select(records).where(records.c.number == number)).mappings().first()
            if row is None:
                return None
            events = s.execute(
                select(record_events).where(record_events.c.record_id == row["id"]).order_by(record_events.c.id)
            ).mappings()
            return _view(row, tuple(_event_view(e) for e in events))

    def transition(
        self,
        number: str,
        to_state: str,
        *,
        actor: str,
        reason: str,
        rule: str | None = None,
        accepted_by: str | None = None,
        tier: int | None = None,
        ack_in: int | None = None,
        due_in: int | None = None,
        expect_state: str | None = None,
        expect_version: int | None = None,
        notify: Notification | None = None,
    ) -> RecordView:
        """Move a record to ``to_state`` if its kind allows it; every move is an audit event.

        ``expect_state``/``expect_version`` make the move conditional on what the caller saw, so two
        instances that both see an overdue record cannot both move it. ``notify`` is written to the
        outbox in the same transaction.
        """
        now = self.clock.now()
        today = local_date(now)
        with unit_of_work(self._sessions) as s:
            row = s.execute(select(records).where(records.c.number == normalise(number))).mappings().first()
            if row is None:
                raise RecordError(f"没有编号为 {number} 的记录")
            if expect_state is not None and row["state"] != expect_state:
                raise StaleRecord(f"{number} 的状态已是 {row['state']}，不是 {expect_state}")
            if expect_version is not None and row["version"] != expect_version:
                raise StaleRecord(f"{number} 已被更新（版本 {row['version']}），请刷新后重试")
            if to_state not in TRANSITIONS[row["kind"]][row["state"]]:
                raise RecordError(f"{number} 不能从 {row['state']} 变为 {to_state}")
            values: dict[str, Any] = {"state": to_state, "updated_at": to_db(now), "version": row["version"] + 1}
            if accepted_by is not None:
                values["accepted_by"] = accepted_by
            if tier is not None:
                values["tier"] = tier
            if ack_in is not None:
                values["ack_due_on"] = self.calendar.add_working_days(today, ack_in)
            if due_in is not None:
                values["due_on"] = self.calendar.add_working_days(today, due_in)
            # Compare-and-set on the version read: of two writers that read the same row, one changes it.
            changed = s.execute(
                update(records).where(records.c.id == row["id"], records.c.version == row["version"]).values(**values)
            ).rowcount
            if changed != 1:
                raise StaleRecord(f"{number} 刚被其他人修改，请刷新后重试")
            reason = mask(reason[:1000])  # staff write these: masked on the way in, like applicants' texts
            self._event(s, row["id"], now, actor, to_state, row["state"], to_state, reason, rule)
            if notify is not None:
                self._notify(s, now, notify, row["number"])
            topic = APPLICANT_TOPICS.get((row["kind"], to_state))
            if topic is not None:
                told = {
                    "number": row["number"],
                    "kind": row["kind"],
                    "state": to_state,
                    "reason": reason[:500],
                    "tier": values.get("tier", row["tier"]),
                    "accepted_by": accepted_by,
                }
                self._notify(s, now, Notification(APPLICANT, topic, told), row["number"])
        view = self.get(number)
        assert view is not None
        return view

    def list_records(self, *, kind: str | None = None, states: Sequence[str] | None = None) -> list[RecordView]:
        query = select(records).order_by(records.c.due_on, records.c.id)
        if kind:
            query = query.where(records.c.kind == kind)
        if states:
            query = query.where(records.c.state.in_(list(states)))
        with self._sessions() as s:
            rows = s.execute(query).mappings().all()
        return [_view(r, ()) for r in rows]

    def export_events(self) -> list[dict[str, Any]]:
        """The whole audit trail, oldest first, for inspection outside the assistant."""
        query = (
            select(records.c.number, record_events)
            .join(records, records.c.id == record_events.c.record_id)
            .order_by(record_events.c.id)
        )
        with self._sessions() as s:
            rows = s.execute(query).mappings().all()
        return [
            {
                "number": r["number"],
                "at": from_db(r["at"]).isoformat(),
                "actor": r["actor"],
                "action": r["action"],
                "from_state": r["from_state"],
                "to_state": r["to_state"],
                "reason": r["reason"],
                "rule": r["rule"],
            }
            for r in rows
        ]

    # --- outbox ----------------------------------------------------------------------------------

    def notify(self, notification: Notification, number: str | None = None) -> None:
        with unit_of_work(self._sessions) as s:
            self._notify(s, self.clock.now(), notification, number)

    def notify_once(self, notification: Notification, number: str | None, key: str) -> bool:
        """Writes the notice unless one with ``key`` was ever written; True when this call wrote it.

        One conditional insert on a unique key (no check-then-insert), so schedulers on several instances
        racing on the same deadline write one notice between them."""
        row = {
            "created_at": to_db(self.clock.now()),
            "recipient": notification.recipient,
            "topic": notification.topic,
            "record_number": number,
            "payload": notification.payload,
            "dedupe_key": key[:128],
        }
        with unit_of_work(self._sessions) as s:
            if s.get_bind().dialect.name == "postgresql":
                stmt: Any = postgresql.insert(outbox).values(**row).on_conflict_do_nothing()
            else:
                stmt = sqlite.insert(outbox).values(**row).on_conflict_do_nothing()
            return bool(s.execute(stmt).rowcount)

    def notifications(
        self, *, pending_only: bool = True, number: str | None = None, recipient: str | None = None
    ) -> list[dict[str, Any]]:
        query = select(outbox).order_by(outbox.c.id)
        if recipient is not None:
            query = query.where(outbox.c.recipient == recipient)
        if pending_only:
            query = query.where(outbox.c.delivered_at.is_(None))
        if number is not None:
            query = query.where(outbox.c.record_number == number)
        with self._sessions() as s:
            return [dict(r) for r in s.execute(query).mappings()]

    def mark_delivered(self, ids: Sequence[int]) -> None:
        with unit_of_work(self._sessions) as s:
            s.execute(
                update(outbox)
                .where(outbox.c.id.in_(list(ids)), outbox.c.delivered_at.is_(None))
                .values(delivered_at=to_db(self.clock.now()), claimed_until=None)
            )

    def claim_for_applicants(self, channel: str, *, limit: int = 20, lease_seconds: float = 60) -> list[dict[str, Any]]:
        """Pending applicant notifications of records opened on ``channel``, each claimed for this caller.

        A claim is a conditional UPDATE, so of several instances delivering at once exactly one gets a
        row; an unfinished claim expires after ``lease_seconds`` (the claimer died) and the row is
        tried again. Each row comes with its record's conversation id (the applicant's address)."""
        now = self.clock.now()
        due = to_db(now)
        query = (
            select(outbox, records.c.conversation_id, records.c.channel)
            .join(records, records.c.number == outbox.c.record_number)
            .where(
                outbox.c.recipient == APPLICANT,
                outbox.c.delivered_at.is_(None),
                records.c.channel == channel,
                (outbox.c.next_attempt_at.is_(None)) | (outbox.c.next_attempt_at <= due),
                (outbox.c.claimed_until.is_(None)) | (outbox.c.claimed_until < due),
            )
            .order_by(outbox.c.id)
            .limit(limit)
        )
        claimed: list[dict[str, Any]] = []
        with self._sessions() as s:
            candidates = [dict(r) for r in s.execute(query).mappings()]
        until = to_db(now + timedelta(seconds=lease_seconds))
        for row in candidates:
            with unit_of_work(self._sessions) as s:
                took = s.execute(
                    update(outbox)
                    .where(
                        outbox.c.id == row["id"],
                        outbox.c.delivered_at.is_(None),
                        (outbox.c.claimed_until.is_(None)) | (outbox.c.claimed_until < due),
                    )
                    .values(claimed_until=until)
                ).rowcount
            if took == 1:
                claimed.append(row)
        return claimed

    def claim_for_conversations(
        self, channel: str, *, limit: int = 20, lease_seconds: float = 60
    ) -> list[dict[str, Any]]:
        """Pending messages addressed to conversations on ``channel`` (:func:`conversation_recipient`: a
        person's answer from the 转人工 desk), claimed as :meth:`claim_for_applicants` claims; each row
        carries its ``conversation_id``."""
        prefix = channel + ":"
        rows = self._claim(outbox.c.recipient.startswith(prefix, autoescape=True), limit, lease_seconds)
        return [{**row, "conversation_id": str(row["recipient"])[len(prefix) :], "channel": channel} for row in rows]

    def claim_for(self, recipient: str, *, limit: int = 20, lease_seconds: float = 60) -> list[dict[str, Any]]:
        """Pending notifications for ``recipient`` (e.g. the SMS gateway), each claimed for this caller
        exactly as :meth:`claim_for_applicants` claims (a conditional UPDATE, a lease that expires)."""
        return self._claim(outbox.c.recipient == recipient, limit, lease_seconds)

    def _claim(self, addressed: Any, limit: int, lease_seconds: float) -> list[dict[str, Any]]:
        now = self.clock.now()
        due = to_db(now)
        pending = (
            addressed,
            outbox.c.delivered_at.is_(None),
            (outbox.c.next_attempt_at.is_(None)) | (outbox.c.next_attempt_at <= due),
            (outbox.c.claimed_until.is_(None)) | (outbox.c.claimed_until < due),
        )
        with self._sessions() as s:
            candidates = [
                dict(r) for r in s.execute(select(outbox).where(*pending).order_by(outbox.c.id).limit(limit)).mappings()
            ]
        until = to_db(now + timedelta(seconds=lease_seconds))
        claimed: list[dict[str, Any]] = []
        for row in candidates:
            with unit_of_work(self._sessions) as s:
                took = s.execute(
                    update(outbox).where(outbox.c.id == row["id"], *pending).values(claimed_until=until)
                ).rowcount
            if took == 1:
                claimed.append(row)
        return claimed

    def settle(self, outbox_id: int, payload: dict[str, Any]) -> None:
        """Marks one notification delivered and keeps ``payload`` in place of what was sent (so a
        phone number does not outlive its message)."""
        with unit_of_work(self._sessions) as s:
            s.execute(
                update(outbox)
                .where(outbox.c.id == outbox_id)
                .values(delivered_at=to_db(self.clock.now()), claimed_until=None, payload=payload)
            )

    def retry_later(self, outbox_id: int, after_seconds: float, error: str) -> None:
        """A delivery that failed: counted, released, and not tried again for ``after_seconds``."""
        at = to_db(self.clock.now() + timedelta(seconds=after_seconds))
        with unit_of_work(self._sessions) as s:
            s.execute(
                update(outbox)
                .where(outbox.c.id == outbox_id, outbox.c.delivered_at.is_(None))
                .values(attempts=outbox.c.attempts + 1, next_attempt_at=at, claimed_until=None, last_error=error[:255])
            )

    def _notify(self, s: Session, now: datetime, n: Notification, number: str | None) -> None:
        s.execute(
            insert(outbox).values(
                created_at=to_db(now), recipient=n.recipient, topic=n.topic, record_number=number, payload=n.payload
            )
        )

    # --- consultations (R4) -----------------------------------------------------------------

    def save_consultation(
        self, ref: MatterRef, update_: MatterUpdate, text: str = "", digest: str | None = None
    ) -> None:
        """Create or update the matter's consultation record (a clarified matter gets its outcome)."""
        now = to_db(self.clock.now())
        values: dict[str, Any] = {
            "request_type": update_.request_type,
            "outcome": update_.outcome,
            "department": update_.department,
            "item_id": update_.item_id,
            "updated_at": now,
        }
        if update_.record_number:
            values["record_number"] = update_.record_number
        if digest:
            values["digest"] = digest[:16]
        key = (consultations.c.conversation_id == ref.conversation_id, consultations.c.matter == ref.matter)
        for _ in range(2):
            try:
                with unit_of_work(self._sessions) as s:
                    if s.execute(update(consultations).where(*key).values(**values)).rowcount:
                        return
                    s.execute(
                        insert(consultations).values(
                            conversation_id=ref.conversation_id,
                            matter=ref.matter,
                            channel=ref.channel,
                            first_unit=self.first_unit(ref.channel),
                            excerpt=mask_excerpt(text) if text else None,
                            created_at=now,
                            **values,
                        )
                    )
                    return
            except IntegrityError:  # the same matter inserted concurrently: update it instead
                continue

    def last_matter(self, conversation_id: str) -> tuple[int, str | None]:
        """The highest matter number with a consultation or a record in this conversation (0: none), and the
        digest of the request that started it (to recognise its repeated delivery)."""
        with self._sessions() as s:
            cons = s.execute(
                select(consultations.c.matter, consultations.c.digest)
                .where(consultations.c.conversation_id == conversation_id)
                .order_by(consultations.c.matter.desc())
                .limit(1)
            ).first()
            recs = s.execute(
                select(func.max(records.c.matter)).where(records.c.conversation_id == conversation_id)
            ).scalar_one()
        matter = int(cons[0]) if cons else 0
        if int(recs or 0) > matter:
            return int(recs), None
        return matter, (cons[1] if cons else None)

    def consultations(self, conversation_id: str | None = None) -> list[dict[str, Any]]:
        query = select(consultations).order_by(consultations.c.id)
        if conversation_id is not None:
            query = query.where(consultations.c.conversation_id == conversation_id)
        with self._sessions() as s:
            return [dict(r) for r in s.execute(query).mappings()]

    def outcome_counts(self) -> dict[str, int]:
        """Consultations per outcome (R4), for the reform's numbers."""
        query = select(consultations.c.outcome, func.count()).group_by(consultations.c.outcome)
        with self._sessions() as s:
            return {str(k): int(v) for k, v in s.execute(query).all()}

    def rating_counts(self) -> dict[int, int]:
        query = select(ratings.c.score, func.count()).group_by(ratings.c.score)
        with self._sessions() as s:
            return {int(k): int(v) for k, v in s.execute(query).all()}

    # --- 好差评 -------------------------------------------------------------------------------

    def rate(self, ref: MatterRef, score: int, comment: str = "") -> None:
        """One rating per matter; a repeated rating replaces the earlier one."""
        if score not in tuple(Rating):
            raise RecordError(f"评价等级 {score} 无效")
        now = to_db(self.clock.now())
        key = (ratings.c.conversation_id == ref.conversation_id, ratings.c.matter == ref.matter)
        with unit_of_work(self._sessions) as s:
            values: dict[str, Any] = {"score": score}
            if comment:
                values["comment"] = mask(comment[:1000])
            if not s.execute(update(ratings).where(*key).values(**values)).rowcount:
                s.execute(
                    insert(ratings).values(
                        conversation_id=ref.conversation_id,
                        matter=ref.matter,
                        channel=ref.channel,
                        created_at=now,
                        **values,
                    )
                )

    def comment(self, ref: MatterRef, text: str, follow_up: str | None = None) -> None:
        """Adds the applicant's comment to the matter's rating (and its follow-up record's summary)."""
        key = (ratings.c.conversation_id == ref.conversation_id, ratings.c.matter == ref.matter)
        with unit_of_work(self._sessions) as s:
            values: dict[str, Any] = {"comment": mask(text[:1000])}
            if follow_up:
                values["follow_up"] = follow_up
            s.execute(update(ratings).where(*key).values(**values))
            if follow_up:
                s.execute(update(records).where(records.c.number == follow_up).values(summary=mask_excerpt(text)))

    def link_follow_up(self, ref: MatterRef, number: str) -> None:
        key = (ratings.c.conversation_id == ref.conversation_id, ratings.c.matter == ref.matter)
        with unit_of_work(self._sessions) as s:
            s.execute(update(ratings).where(*key).values(follow_up=number))

    def rating(self, ref: MatterRef) -> dict[str, Any] | None:
        key = (ratings.c.conversation_id == ref.conversation_id, ratings.c.matter == ref.matter)
        with self._sessions() as s:
            row = s.execute(select(ratings).where(*key)).mappings().first()
            return dict(row) if row else None

    # --- retention ----------------------------------------------------------------------------

    def purge(
        self, older_than_days: int, *, auth_log_days: int = 180, delivered_days: int = 30, wechat_days: int = 3
    ) -> dict[str, int]:
        """Removes personal content past its retention, wherever it lives: consultations, ratings, the texts
        and facts of closed records, Rasa's conversation events, delivered (and long-undelivered) notices,
        the login log, expired staff tokens and the WeChat door's message keys and applicants."""
        now = self.clock.now()
        cutoff = to_db(now - timedelta(days=older_than_days))
        epoch = now.timestamp()
        removed: dict[str, int] = {}
        with unit_of_work(self._sessions) as s:
            removed["consultations"] = s.execute(
                delete(consultations).where(consultations.c.updated_at < cutoff)
            ).rowcount
            removed["ratings"] = s.execute(delete(ratings).where(ratings.c.created_at < cutoff)).rowcount
            removed["records_cleared"] = s.execute(
                update(records)
                .where(
                    records.c.updated_at < cutoff,
                    records.c.state.in_(CLOSED_STATES),
                    (records.c.summary.is_not(None)) | (records.c.facts.is_not(None)),
                )
                .values(summary=None, facts=None)
            ).rowcount
            delivered_cutoff = to_db(now - timedelta(days=delivered_days))
            removed["outbox"] = s.execute(
                delete(outbox).where(
                    ((outbox.c.delivered_at.is_not(None)) & (outbox.c.delivered_at < delivered_cutoff))
                    | (outbox.c.created_at < cutoff)
                )
            ).rowcount
            removed["auth_log"] = s.execute(
                delete(auth_log).where(auth_log.c.at < to_db(now - timedelta(days=auth_log_days)))
            ).rowcount
            removed["staff_tokens"] = s.execute(
                delete(staff_tokens).where(staff_tokens.c.expires_at <= to_db(now))
            ).rowcount
            wechat_cutoff = epoch - wechat_days * 86400
            removed["wechat_messages"] = s.execute(
                delete(wechat_messages).where(wechat_messages.c.received_at < wechat_cutoff)
            ).rowcount
            removed["wechat_users"] = s.execute(
                delete(wechat_users).where(wechat_users.c.last_seen_at < epoch - older_than_days * 86400)
            ).rowcount
            events = rasa_events(s)
            removed["conversation_events"] = (
                s.execute(delete(events).where(events.c.timestamp < epoch - older_than_days * 86400)).rowcount
                if events is not None
                else 0
            )
        return removed

    # --- internals ----------------------------------------------------------------------------

    def _find_for_matter(self, kind: str, ref: MatterRef) -> RecordView | None:
        with self._sessions() as s:
            row = (
                s.execute(
                    select(records)
                    .where(
                        records.c.kind == kind,
                        records.c.conversation_id == ref.conversation_id,
                        records.c.matter == ref.matter,
                    )
                    .order_by(records.c.id.desc())
                )
                .mappings()
                .first()
            )
        return _view(row, ()) if row else None

    def _next_sequence(self, s: Session, prefix: str, day: date) -> int:
        """Today's next number for ``prefix``: insert-if-absent, then increment under the row lock."""
        key = {"prefix": prefix, "day": f"{day:%Y%m%d}", "last": 0}
        dialect = s.get_bind().dialect.name
        if dialect == "postgresql":
            s.execute(postgresql.insert(record_sequences).values(**key).on_conflict_do_nothing())
        else:
            s.execute(sqlite.insert(record_sequences).values(**key).on_conflict_do_nothing())
        where = (record_sequences.c.prefix == prefix, record_sequences.c.day == key["day"])
        s.execute(update(record_sequences).where(*where).values(last=record_sequences.c.last + 1))
        return int(s.execute(select(record_sequences.c.last).where(*where)).scalar_one())

    @staticmethod
    def _event(
        s: Session,
        record_id: int,
        now: datetime,
        actor: str,
        action: str,
        from_state: str | None,
        to_state: str,
        reason: str | None,
        rule: str | None,
    ) -> None:
        s.execute(
            insert(record_events).values(
                record_id=record_id,
                at=to_db(now),
                actor=actor,
                action=action,
                from_state=from_state,
                to_state=to_state,
                reason=reason,
                rule=rule,
            )
        )


def rasa_events(s: Session) -> Table | None:
    """Rasa's tracker-store table (``events``: sender_id, timestamp, data) when this database holds it."""
    bind = s.get_bind()
    if not inspect(bind).has_table("events"):
        return None
    return Table("events", MetaData(), Column("id", Integer), Column("sender_id", String), Column("timestamp", Float))


def _view(row: Any, events: tuple[RecordEvent, ...]) -> RecordView:
    return RecordView(
        number=row["number"],
        kind=row["kind"],
        state=row["state"],
        first_unit=row["first_unit"],
        reason=row["reason"],
        departments=tuple(row["departments"] or ()),
        accepted_by=row["accepted_by"],
        item_id=row["item_id"],
        tier=row["tier"],
        facts=row["facts"],
        summary=row["summary"],
        ack_due_on=row["ack_due_on"],
        due_on=row["due_on"],
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
        version=int(row["version"]),
        events=events,
        channel=row["channel"],
        conversation_id=row["conversation_id"],
    )


def _event_view(e: Any) -> RecordEvent:
    return RecordEvent(
        from_db(e["at"]), e["actor"], e["action"], e["from_state"], e["to_state"], e["reason"], e["rule"]
    )
