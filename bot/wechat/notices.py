"""Applicant notifications from the outbox, worded for WeChat, and when to try again.

Topics are defined in :mod:`bot.vocabulary`, the recipient in :mod:`bot.records.store`; this module only
says them in Chinese, as a customer-service text and as the fields of a template message.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.catalog import get_catalog
from bot.policy import get_policy
from bot.records.clock import LOCAL_TZ
from bot.vocabulary import RECORD_NAMES, STATE_NAMES, RecordState, Topic

BACKOFF_FIRST, BACKOFF_MAX = 30.0, 3600.0


def backoff(attempts: int) -> float:
    """Seconds before the next try after ``attempts`` failed ones: 30 s, 1 min, 2 min … at most 1 h."""
    return float(min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, min(attempts, 20))))


def _tier(payload: Mapping[str, Any]) -> str:
    tier = payload.get("tier")
    if not isinstance(tier, int):
        return ""
    return f"第{tier}层级（{get_policy().tier_names.get(tier, '')}）"


def headline(topic: str, payload: Mapping[str, Any]) -> str:
    number = str(payload.get("number", ""))
    kind = RECORD_NAMES.get(str(payload.get("kind", "")), "办件")
    state = str(payload.get("state", ""))
    if topic == Topic.ESCALATION_MOVED:
        return f"您的提级单 {number} 因上一层级未按时确认，已自动提级，改由{_tier(payload)}处理。"
    if topic == Topic.ESCALATION_DECIDED:
        verdict = "撤销原退件" if state == RecordState.OVERTURNED else "维持原退件"
        return f"您的提级单 {number} 已作出决定：{verdict}。"
    if topic == Topic.COORDINATION_ACCEPTED:
        dept = get_catalog().departments.get(str(payload.get("accepted_by") or ""))
        who = dept.name if dept else "责任部门"
        return f"您的协调单 {number} 已由{who}接收办理。"
    if topic == Topic.STAFF_REPLY:
        return "工作人员已答复您的咨询，请在公众号对话中查看或回复。"
    if topic == Topic.FOLLOW_UP_CONTACTED:
        return f"您的好差评回访单 {number} 已有工作人员跟进回访。"
    return f"您的{kind} {number} 有了新进展：{STATE_NAMES.get(state, state)}。"


def notice_text(topic: str, payload: Mapping[str, Any]) -> str:
    """The customer-service message for one notification."""
    if topic == Topic.STAFF_REPLY:  # a person's own words, signed, as the widget shows them
        return f"{payload.get('text', '')}\n—— {payload.get('signed', '工作人员')}"
    lines = [headline(topic, payload)]
    reason = str(payload.get("reason") or "").strip()
    if reason:
        lines.append(f"【说明】{reason}")
    lines.append(f"【查询进度】在对话中发送“{payload.get('number', '')}”即可查看最新情况。")
    return "\n".join(lines)


def template_fields(topic: str, payload: Mapping[str, Any], at: datetime) -> dict[str, str]:
    """The classic template layout (first, keyword1 办件编号, keyword2 办理状态, keyword3 更新时间, remark)."""
    state = str(payload.get("state", ""))
    return {
        "first": headline(topic, payload),
        "keyword1": str(payload.get("number", "")),
        "keyword2": STATE_NAMES.get(state, state),
        "keyword3": at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"),
        "remark": "在公众号对话中发送单号即可查询最新进展。",
    }
