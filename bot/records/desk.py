"""The first-consultation unit's desk: what the dialogue may do with records, with the policy's deadlines.

The dialogue depends on the :class:`Desk` protocol only; :class:`ServiceDesk` implements it over a
:class:`~bot.records.store.RecordStore`, so deadlines come from the policy file, not from code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.policy.engine import Decision, Facts
from bot.policy.model import Policy
from bot.records.escalations import EscalationDesk
from bot.records.store import MatterRef, MatterUpdate, RecordStore, RecordView
from bot.vocabulary import POOR_RATING, RecordKind


class Desk(Protocol):
    def open_coordination(
        self, ref: MatterRef, reason: str, departments: Sequence[str], item_id: str | None, summary: str
    ) -> tuple[RecordView, bool]:
        """The matter's open coordination record, opened now if it has none (R2)."""

    def find(self, number: str) -> RecordView | None:
        """A record by its number, from any conversation (R13)."""

    def rate(self, ref: MatterRef, score: int) -> RecordView | None:
        """Stores a 好差评 rating; a poor one returns the follow-up record it opened."""

    def comment(self, ref: MatterRef, text: str, follow_up: str | None) -> None:
        """Adds the applicant's comment to the rating (and the follow-up record)."""

    def record_matter(self, ref: MatterRef, update: MatterUpdate, text: str) -> None:
        """The R4 consultation record of this matter."""

    def open_escalation(
        self,
        ref: MatterRef,
        facts: Facts,
        decision: Decision,
        item_id: str | None,
        department: str | None,
        summary: str,
    ) -> tuple[RecordView, bool]:
        """The matter's escalation record at the decided tier (R6–R11)."""


class ServiceDesk:
    def __init__(self, store: RecordStore, policy: Policy) -> None:
        self.store = store
        self.policy = policy
        self.escalations = EscalationDesk(store, policy)

    def open_escalation(
        self,
        ref: MatterRef,
        facts: Facts,
        decision: Decision,
        item_id: str | None,
        department: str | None,
        summary: str,
    ) -> tuple[RecordView, bool]:
        return self.escalations.open(ref, facts, decision, item_id=item_id, department=department, summary=summary)

    def open_coordination(
        self, ref: MatterRef, reason: str, departments: Sequence[str], item_id: str | None, summary: str
    ) -> tuple[RecordView, bool]:
        return self.store.open_record(
            RecordKind.COORDINATION,
            ref,
            reason=reason,
            departments=departments,
            due_in=self.policy.coordination_days,
            summary=summary,
            item_id=item_id,
            rule="R2",
        )

    def find(self, number: str) -> RecordView | None:
        return self.store.get(number)

    def rate(self, ref: MatterRef, score: int) -> RecordView | None:
        self.store.rate(ref, score)
        if score > POOR_RATING:
            return None
        record, _ = self.store.open_record(
            RecordKind.FOLLOW_UP,
            ref,
            reason=f"rating_{score}",
            departments=(),
            ack_in=self.policy.follow_up.acknowledge,
            due_in=self.policy.follow_up.decide,
        )
        self.store.link_follow_up(ref, record.number)
        return record

    def comment(self, ref: MatterRef, text: str, follow_up: str | None) -> None:
        self.store.comment(ref, text, follow_up)

    def record_matter(self, ref: MatterRef, update: MatterUpdate, text: str, digest: str | None = None) -> None:
        self.store.save_consultation(ref, update, text, digest)
