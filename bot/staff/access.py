"""Who sees and does what: a section its department's tier-2 escalations, leadership its tier 3,
the district office tier 4 (and everything, to oversee), the first-consultation desk its
coordination and follow-up records. One place, so the API and its tests agree."""

from __future__ import annotations

from bot.config import settings
from bot.records.store import RecordView
from bot.staff.auth import StaffUser
from bot.vocabulary import TOP_TIER, RecordKind, RecordState, Role

K = RecordKind
ACTIONS: dict[str, tuple[str, ...]] = {
    K.ESCALATION: ("acknowledge", "decide", "escalate"),
    K.COORDINATION: ("accept", "close"),
    K.FOLLOW_UP: ("contact", "close"),
}


def _own_department(user: StaffUser, record: RecordView) -> bool:
    return bool(record.departments) and record.departments[0] == user.department


def _own_unit(user: StaffUser, record: RecordView) -> bool:
    """First-unit staff work their own unit's records only (accounts without a unit: the default unit)."""
    return record.first_unit == (user.unit or settings().first_consultation_unit)


def in_queue(user: StaffUser, record: RecordView) -> bool:
    """Records waiting for this person's tier (open ones only)."""
    if not record.open:
        return False
    if record.kind == K.ESCALATION:
        if user.role == Role.DISTRICT:
            return record.tier == TOP_TIER or not record.departments
        return (
            user.role in (Role.SECTION, Role.LEADERSHIP) and record.tier == user.tier and _own_department(user, record)
        )
    if record.kind == K.COORDINATION:
        if user.role == Role.SECTION:
            return record.state == RecordState.OPENED and user.department in record.departments
        return user.role == Role.FIRST_UNIT and _own_unit(user, record)
    return record.kind == K.FOLLOW_UP and user.role == Role.FIRST_UNIT and _own_unit(user, record)


def may_view(user: StaffUser, record: RecordView) -> bool:
    """The district office oversees every record; others see what their queue holds or held."""
    if user.role == Role.DISTRICT:
        return True
    if record.kind == K.ESCALATION and user.role in (Role.SECTION, Role.LEADERSHIP):
        return _own_department(user, record)
    if record.kind == K.COORDINATION:
        return (user.role == Role.FIRST_UNIT and _own_unit(user, record)) or (
            user.role == Role.SECTION and user.department in record.departments
        )
    return record.kind == K.FOLLOW_UP and user.role == Role.FIRST_UNIT and _own_unit(user, record)


def may_act(user: StaffUser, action: str, record: RecordView) -> bool:
    if action not in ACTIONS.get(record.kind, ()):
        return False
    if record.kind == K.ESCALATION:
        if user.role == Role.DISTRICT:
            return record.tier == TOP_TIER or not record.departments
        return record.tier == user.tier and _own_department(user, record)
    if record.kind == K.COORDINATION:
        if action == "accept" and user.role == Role.SECTION:
            return user.department in record.departments
        return user.role == Role.FIRST_UNIT and _own_unit(user, record)
    return user.role == Role.FIRST_UNIT and _own_unit(user, record)
