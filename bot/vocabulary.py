"""Every string that crosses a boundary, defined once with its display text.

Button payloads travel to the channels and come back as user messages; tiers, grounds, record kinds,
states and ratings are stored in the database, checked by the staff API and shown to applicants.
A rename here renames everywhere; ``tests/test_vocabulary.py`` fails if a module spells one of
these values out again instead of naming it.
"""

from __future__ import annotations

from enum import Enum, IntEnum


class Wire(str, Enum):
    """A string enum whose ``str()`` is its value (Python 3.10 has no StrEnum)."""

    def __str__(self) -> str:
        return str(self.value)


class Payload(Wire):
    """What a button sends back as the applicant's next message."""

    MORE = "我还有其他问题"
    NONE_OF_THESE = "都不是"  # none of the options offered (also "neither" in the dispute form)
    DISTRICT_CENTRE = "区行政服务中心"  # go to the district centre instead of a town centre
    HUMAN = "转人工"
    WRITE_COMMENT = "我要写评价意见"
    SKIP_COMMENT = "不写了"
    CONFIRM = "确认提交"
    RESTART = "重新填写"
    CANCEL = "取消"
    UNKNOWN = "不清楚"


class Tier(IntEnum):
    """The four tiers of 否决事项提级管理 (escalation-policy.md); the policy file names each."""

    WINDOW = 1
    SECTION = 2
    LEADERSHIP = 3
    DISTRICT = 4


TOP_TIER = Tier.DISTRICT
TIERS: tuple[Tier, ...] = tuple(Tier)


class Ground(Wire):
    """Grounds of a rejection (escalation-policy.md); ``plain`` is what applicants read."""

    INCOMPLETE = "G1"
    OUT_OF_SCOPE = "G2"
    CONDITIONS_NOT_MET = "G3"
    NO_BASIS = "G4"
    DEPARTMENTS_DISAGREE = "G5"

    @property
    def plain(self) -> str:
        return GROUND_PLAIN[self]


GROUND_PLAIN: dict[str, str] = {
    Ground.INCOMPLETE: "材料不全",
    Ground.OUT_OF_SCOPE: "不属于受理范围",
    Ground.CONDITIONS_NOT_MET: "不符合法定条件或标准",
    Ground.NO_BASIS: "依据不明（没有明确依据或理由）",
    Ground.DEPARTMENTS_DISAGREE: "部门之间意见不一、互为前置",
}
GROUNDS: tuple[Ground, ...] = tuple(Ground)
GROUND_UNTOLD = "未说明"  # no ground told: the tier was decided whatever the ground (R10 still asks for it)


def plain_ground(ground: str | None) -> str:
    """What a person reads for a ground code: the reason an escalation is opened with, the applicant's summary."""
    return GROUND_PLAIN.get(ground or "", GROUND_UNTOLD)


class RecordKind(Wire):
    COORDINATION = "coordination"  # 协调单 XT (R2)
    ESCALATION = "escalation"  # 提级单 TJ (R6–R12)
    FOLLOW_UP = "follow_up"  # 好差评回访单 HP

    @property
    def prefix(self) -> str:
        return RECORD_PREFIXES[self]

    @property
    def display(self) -> str:
        return RECORD_NAMES[self]


RECORD_PREFIXES = {RecordKind.COORDINATION: "XT", RecordKind.ESCALATION: "TJ", RecordKind.FOLLOW_UP: "HP"}
RECORD_NAMES: dict[str, str] = {
    RecordKind.COORDINATION: "协调单",
    RecordKind.ESCALATION: "提级单",
    RecordKind.FOLLOW_UP: "好差评回访单",
}


class RecordState(Wire):
    OPENED = "opened"
    ACCEPTED = "accepted"
    CONTACTED = "contacted"
    CLOSED = "closed"
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"
    UPHELD = "upheld"
    OVERTURNED = "overturned"

    @property
    def display(self) -> str:
        return STATE_NAMES[self]


STATE_NAMES: dict[str, str] = {
    RecordState.OPENED: "已受理，协调中",
    RecordState.ACCEPTED: "已由责任部门接收",
    RecordState.CLOSED: "已办结",
    RecordState.CONTACTED: "已回访",
    RecordState.SUBMITTED: "已提交，待确认",
    RecordState.ACKNOWLEDGED: "已确认，审查中",
    RecordState.ESCALATED: "已自动提级",
    RecordState.UPHELD: "已决定：维持原退件",
    RecordState.OVERTURNED: "已决定：撤销原退件",
}


class Rating(IntEnum):
    """好差评: five levels; the label is both the button's title and its payload."""

    VERY_SATISFIED = 5
    SATISFIED = 4
    BASICALLY_SATISFIED = 3
    DISSATISFIED = 2
    VERY_DISSATISFIED = 1

    @property
    def label(self) -> str:
        return RATING_LABELS[self]

    @classmethod
    def from_label(cls, text: str) -> Rating | None:
        return next((r for r, label in RATING_LABELS.items() if label == text), None)


RATING_LABELS = {
    Rating.VERY_SATISFIED: "非常满意",
    Rating.SATISFIED: "满意",
    Rating.BASICALLY_SATISFIED: "基本满意",
    Rating.DISSATISFIED: "不满意",
    Rating.VERY_DISSATISFIED: "非常不满意",
}
POOR_RATING = Rating.DISSATISFIED  # this and below open a follow-up record


class Role(Wire):
    """Staff roles; each works at one tier (the first-consultation desk at the window's)."""

    FIRST_UNIT = "first_unit"
    SECTION = "section"
    LEADERSHIP = "leadership"
    DISTRICT = "district"
    AGENT = "agent"  # a 12345 hotline agent: the live console; no queue of records

    @property
    def tier(self) -> Tier:
        return ROLE_TIERS[self]

    @property
    def display(self) -> str:
        return ROLE_NAMES[self]


ROLE_TIERS = {
    Role.FIRST_UNIT: Tier.WINDOW,
    Role.SECTION: Tier.SECTION,
    Role.LEADERSHIP: Tier.LEADERSHIP,
    Role.DISTRICT: Tier.DISTRICT,
    Role.AGENT: Tier.WINDOW,  # the hotline is a first-consultation unit (R1) and decides no veto
}
ROLE_NAMES: dict[str, str] = {
    Role.FIRST_UNIT: "首咨窗口",
    Role.SECTION: "审批股室",
    Role.LEADERSHIP: "部门领导班子",
    Role.DISTRICT: "区级领导小组办公室",
    Role.AGENT: "12345 热线座席",
}


class Topic(Wire):
    """What an outbox notification is about (read by whoever delivers it)."""

    ESCALATED = "escalated"  # an escalation moved up a tier (for the office)
    OVERDUE_TOP_TIER = "overdue_top_tier"  # the district has not acknowledged in time
    # For the applicant, delivered on the channel they wrote on:
    ESCALATION_MOVED = "escalation_moved"
    ESCALATION_DECIDED = "escalation_decided"
    COORDINATION_ACCEPTED = "coordination_accepted"
    FOLLOW_UP_CONTACTED = "follow_up_contacted"
    RECORD_CLOSED = "record_closed"
    # From the hotline console and the 转人工 desk:
    SMS_REFERRAL = "sms_referral"  # the one-time answer (R1) texted to a caller
    STAFF_REPLY = "staff_reply"  # a person's answer to an applicant who asked for one (WeChat)


class HandoverState(Wire):
    """A conversation that asked for a person (转人工), as the first unit's desk works it."""

    WAITING = "waiting"
    ANSWERED = "answered"
    CLOSED = "closed"

    @property
    def display(self) -> str:
        return HANDOVER_STATE_NAMES[self]


HANDOVER_STATE_NAMES: dict[str, str] = {
    HandoverState.WAITING: "等待人工答复",
    HandoverState.ANSWERED: "已答复",
    HandoverState.CLOSED: "已结束",
}


class Speaker(Wire):
    """Who said a line of a hotline call (the ASR feed and the transcript reader)."""

    CALLER = "caller"
    AGENT = "agent"
    UNKNOWN = "unknown"


class Outcome(Wire):
    """How a turn left the applicant's matter (stored on the consultation record, R4; counted in KPIs)."""

    REFERRED = "referred"  # a complete answer: where, what, how long (R1)
    CLARIFIED = "clarified"  # a question back to the applicant; the matter stays open
    ANSWERED = "answered"  # a status, a rating, a small reply
    COORDINATION_OPENED = "coordination_opened"  # R2: the first unit coordinates
    ESCALATED = "escalated"  # a TJ record opened (R6)
    HANDED_OVER = "handed_over"  # the applicant asked for a person
    OUT_OF_SCOPE = "out_of_scope"
    CANCELLED = "cancelled"


SERVED_OUTCOMES = (Outcome.REFERRED, Outcome.COORDINATION_OPENED, Outcome.ESCALATED)  # then 好差评 is asked


# Keys a door adds to a message's metadata for the turn only (never stored with the conversation):
# a hash of the client address, so the action server can count records per client (bot.throttle).
CLIENT_KEY = "shouzi_client"
TRANSIENT_METADATA = frozenset({CLIENT_KEY})
