"""Escalation records (提级单, R6–R12): opened from a decision, worked by tier, moved up when late.

Every change goes through :meth:`RecordStore.transition`, so each one is audited with the rule
behind it and applies only to the version its caller saw: an overdue escalation is moved up once,
however many scheduler instances notice it.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from bot.policy.engine import Decision, Facts
from bot.policy.model import Policy
from bot.records.clock import local_date
from bot.records.store import AWAITING_ACK, OPEN_STATES, MatterRef, Notification, RecordError, RecordStore, RecordView
from bot.vocabulary import TOP_TIER, Topic, plain_ground
from bot.vocabulary import RecordKind as K
from bot.vocabulary import RecordState as S

OFFICE = "leading_group_office"  # 否决事项提级管理工作领导小组办公室


class EscalationDesk:
    def __init__(self, store: RecordStore, policy: Policy) -> None:
        self.store = store
        self.policy = policy

    def open(
        self,
        ref: MatterRef,
        facts: Facts,
        decision: Decision,
        *,
        item_id: str | None,
        department: str | None,
        summary: str,
    ) -> tuple[RecordView, bool]:
        """The matter's escalation at the decided tier, with R11 deadlines; idempotent per matter."""
        deadline = self.policy.deadlines[decision.target_tier]
        return self.store.open_record(
            K.ESCALATION,
            ref,
            reason=plain_ground(decision.ground),  # read by people in the audit trail; the code stays in facts
            departments=[department] if department else [],
            item_id=item_id,
            tier=decision.target_tier,
            facts={
                **asdict(facts),
                "ground_decided": decision.ground,
                "rules": list(decision.rules),
                "overreach": decision.overreach,
                "final_in_district": decision.final_in_district,
                "policy_version": self.policy.version,
            },
            summary=summary,
            ack_in=deadline.acknowledge,
            due_in=deadline.decide,
            rule=",".join(decision.rules),
        )

    def acknowledge(
        self, number: str, actor: str, reason: str = "已确认收到，审查中", expect_version: int | None = None
    ) -> RecordView:
        return self.store.transition(
            number, S.ACKNOWLEDGED, actor=actor, reason=reason, rule="R11", expect_version=expect_version
        )

    def decide(
        self, number: str, actor: str, outcome: str, reason: str, expect_version: int | None = None
    ) -> RecordView:
        """Upheld or overturned, always with a reason the applicant will read."""
        if outcome not in (S.UPHELD, S.OVERTURNED):
            raise RecordError("决定只能是维持（upheld）或撤销（overturned）原退件")
        if not reason.strip():
            raise RecordError("作出决定必须写明理由")
        return self.store.transition(
            number, outcome, actor=actor, reason=reason.strip(), rule="R6", expect_version=expect_version
        )

    def escalate(
        self, number: str, actor: str, reason: str, rule: str = "R12", expect_version: int | None = None
    ) -> RecordView:
        """One tier up (never above 4), with new deadlines for that tier, and the office told."""
        record = self.store.get(number)
        if record is None or record.kind != K.ESCALATION or record.tier is None:
            raise RecordError(f"没有编号为 {number} 的提级单")
        if record.tier >= TOP_TIER:
            raise RecordError(f"{number} 已在区级层面（第4层级），不再提级（R9）")
        tier = record.tier + 1
        deadline = self.policy.deadlines[tier]
        notice = Notification(
            OFFICE,
            Topic.ESCALATED,
            {"number": number, "from_tier": record.tier, "to_tier": tier, "reason": reason, "rule": rule},
        )
        return self.store.transition(
            number,
            S.ESCALATED,
            actor=actor,
            reason=reason,
            rule=rule,
            tier=tier,
            ack_in=deadline.acknowledge,
            due_in=deadline.decide,
            expect_version=expect_version if expect_version is not None else record.version,
            notify=notice,
        )

    def overdue(self, today: date | None = None) -> list[RecordView]:
        """Open escalations past their next deadline, most overdue first."""
        day = today or local_date(self.store.clock.now())
        late = [r for r in self.store.list_records(kind=K.ESCALATION, states=OPEN_STATES) if r.overdue(day)]
        return sorted(late, key=lambda r: (r.next_deadline() or day, r.number))

    def run_deadlines(self) -> list[RecordView]:
        """R12: every escalation not acknowledged in time moves up one tier; at tier 4 the office is told.

        Safe to run from several instances at once: each move is conditional on the version read.
        """
        today = local_date(self.store.clock.now())
        moved: list[RecordView] = []
        for record in self.store.list_records(kind=K.ESCALATION, states=AWAITING_ACK):
            if record.ack_due_on is None or today <= record.ack_due_on:
                continue
            if record.tier is not None and record.tier >= TOP_TIER:
                self._tell_office_once(record)
                continue
            try:
                moved.append(
                    self.escalate(
                        record.number,
                        "scheduler",
                        f"第{record.tier}层级未在 {record.ack_due_on.isoformat()} 前确认，自动提级",
                        expect_version=record.version,
                    )
                )
            except RecordError:
                continue  # another instance moved it first
        return moved

    def _tell_office_once(self, record: RecordView) -> None:
        """One notice per record and missed date, however many schedulers notice it at once (a unique key)."""
        key = record.ack_due_on.isoformat() if record.ack_due_on else ""
        self.store.notify_once(
            Notification(OFFICE, Topic.OVERDUE_TOP_TIER, {"number": record.number, "ack_due_on": key}),
            record.number,
            f"{Topic.OVERDUE_TOP_TIER}:{record.number}:{key}",
        )
