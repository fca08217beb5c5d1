"""Who sees and does what: a section its department's tier-2 escalations, leadership its tier 3,
the district office tier 4 (and everything, to oversee), the first-consultation desk its
coordination and follow-up records. One place, so the API and its tests agree."""

from __future__ import annotations

from bot.records.store import RecordView
from bot.staff.auth import StaffUser

ACTIONS = {
    "escalation": ("acknowledge", "decide", "escalate"),
    "coordination": ("accept", "close"),
    "follow_up": ("contact", "close"),
}


def _own_department(user: StaffUser, record: RecordView) -> bool:
    return bool(record.departments) and record.departments[0] == user.department


def in_queue(user: StaffUser, record: RecordView) -> bool:
    """Records waiting for this person's tier (open ones only)."""
    if not record.open:
        return False
    if record.kind == "escalation":
        if user.role == "district":
            return record.tier == 4 or not record.departments
        return user.role in ("section", "leadership") and record.tier == user.tier and _own_department(user, record)
    if record.kind == "coordination":
        if user.role == "section":
            return record.state == "opened" and user.department in record.departments
        return user.role == "first_unit"
    return record.kind == "follow_up" and user.role == "first_unit"


def may_view(user: StaffUser, record: RecordView) -> bool:
    """The district office oversees every record; others see what their queue holds or held."""
    if user.role == "district":
        return True
    if record.kind == "escalation" and user.role in ("section", "leadership"):
        return _own_department(user, record)
    if record.kind == "coordination":
        return user.role == "first_unit" or (user.role == "section" and user.department in record.departments)
    return record.kind == "follow_up" and user.role == "first_unit"


def may_act(user: StaffUser, action: str, record: RecordView) -> bool:
    if action not in ACTIONS.get(record.kind, ()):
        return False
    if record.kind == "escalation":
        if user.role == "district":
            return record.tier == 4 or not record.departments
        return record.tier == user.tier and _own_department(user, record)
    if record.kind == "coordination":
        if action == "accept" and user.role == "section":
            return user.department in record.departments
        return user.role == "first_unit"
    return user.role == "first_unit"
