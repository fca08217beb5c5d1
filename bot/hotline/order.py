"""The draft work order (工单) of a call: filled in from what the caller said, edited by the agent, and
checked here before anything is opened from it. The phone number travels only to the outbox of an
SMS; everywhere it is shown or stored it is masked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.catalog import Catalog
from bot.inputs import ClientError, ascii_int, clean_text
from bot.records.masking import MOBILE_RE, mask
from bot.request_types import REQUEST_TYPES
from bot.vocabulary import GROUNDS, TIERS

CALL_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
LANDLINE = re.compile(r"(?<!\d)0?757-?\d{8}(?!\d)")
NAME_PATTERNS = (
    re.compile(r"(?:我姓|免贵姓|本人姓)([\u4e00-\u9fff])"),
    re.compile(r"(?:我叫|我的名字(?:是|叫)|我系)([\u4e00-\u9fff]{2,3})(?=[，,。\s]|$)"),
    re.compile(r"(?:叫我)([\u4e00-\u9fff](?:先生|小姐|女士|生|姐|伯|姨))"),
)
MAX_SUMMARY = 1000
MAX_NAME = 32


def find_phone(text: str) -> str | None:
    """The first mobile (or Foshan landline) number said in the call, digits only."""
    m = MOBILE_RE.search(text)
    if m:
        return "".join(m.group(1, 2, 3))
    m2 = LANDLINE.search(text)
    return re.sub(r"\D", "", m2.group(0)) if m2 else None


def find_name(text: str) -> str:
    """How the caller gave their name ("我姓陈" → 陈先生/女士 is left to the agent: only the surname)."""
    for p in NAME_PATTERNS:
        m = p.search(text)
        if m:
            return m.group(1)
    return ""


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    masked = mask(phone)
    return masked if masked != phone else phone[:3] + "*" * max(0, len(phone) - 7) + phone[-4:]


def draft(caller_text: str, api: dict[str, Any]) -> dict[str, Any]:
    """The work order as the console first shows it; every field stays editable."""
    depts = api.get("departments") or []
    items = api.get("items") or []
    escalation = api.get("escalation") or {}
    phone = find_phone(caller_text)
    return {
        "name": find_name(caller_text),
        "phone": phone or "",
        "phone_masked": mask_phone(phone),
        "town": api.get("town") or "",
        "request_type": api.get("request_type") or "",
        "department": depts[0]["code"] if depts else "",
        "item": items[0]["id"] if items else "",
        "rejecting_tier": escalation.get("rejecting_tier") or "",
        "ground": escalation.get("ground") or "",
        "summary": mask(caller_text)[:MAX_SUMMARY],  # the number is in its own field
    }


@dataclass(frozen=True)
class WorkOrder:
    call_id: str
    text: str  # the call as typed or recognised (its caller's words are re-read for the facts)
    name: str
    phone: str | None
    town: str | None
    request_type: str
    department: str | None
    item: str | None
    summary: str
    rejecting_tier: int | None
    ground: str | None
    key_project: bool
    repeated: bool
    version: int | None  # for actions on an existing record (not used when opening)

    def record_summary(self) -> str:
        """What the record keeps: the caller's request, who called, the phone masked."""
        who = f"来电人：{self.name}" if self.name else "来电人：未留姓名"
        phone = f"；联系电话：{mask_phone(self.phone)}" if self.phone else ""
        return f"{who}{phone}。{self.summary}"


def _str(data: dict[str, Any], name: str, limit: int) -> str:
    raw = data.get(name)
    if raw is None:
        return ""
    if not isinstance(raw, str | int):
        raise ClientError(422, f"invalid_{name}", f"工单的 {name} 字段格式不正确。")
    return clean_text(str(raw)[: limit * 2])[:limit]


def parse_order(data: dict[str, Any], catalog: Catalog, max_text: int) -> WorkOrder:
    """A work order from the console, every field checked (422 with a Chinese message otherwise)."""
    call_id = _str(data, "call_id", 64)
    if not CALL_ID.match(call_id):
        raise ClientError(422, "invalid_call_id", "缺少来电编号（call_id），请刷新控制台后重试。")
    text = _str(data, "text", max_text)
    summary = _str(data, "summary", MAX_SUMMARY) or text[:MAX_SUMMARY]
    if not summary:
        raise ClientError(422, "empty_summary", "工单的诉求摘要为空：请先记录来电人的诉求。")
    raw_phone = re.sub(r"[\s-]", "", _str(data, "phone", 20))
    if raw_phone and not (MOBILE_RE.fullmatch(raw_phone) or LANDLINE.fullmatch(raw_phone)):
        raise ClientError(422, "invalid_phone", "联系电话格式不正确：请填写 11 位手机号码或 0757 开头的固话号码。")
    town = _str(data, "town", 16) or None
    if town is not None and town not in catalog.towns:
        raise ClientError(422, "unknown_town", f"未知的镇街：{town}。")
    request_type = _str(data, "request_type", 32)
    if request_type not in REQUEST_TYPES:
        raise ClientError(422, "invalid_request_type", "请选择诉求类型。")
    department = _str(data, "department", 16) or None
    if department is not None and department not in catalog.departments:
        raise ClientError(422, "unknown_department", "请从列表中选择办理部门。")
    item = _str(data, "item", 64) or None
    if item is not None and item not in catalog.items:
        item = None
    tier_raw = data.get("rejecting_tier")
    tier = tier_raw if isinstance(tier_raw, int) and not isinstance(tier_raw, bool) else ascii_int(str(tier_raw), 2)
    if tier is not None and tier not in TIERS:
        raise ClientError(422, "invalid_tier", "退件层级应为 1–4。")
    ground = _str(data, "ground", 4) or None
    if ground is not None and ground not in GROUNDS:
        raise ClientError(422, "invalid_ground", "请从列表中选择退件理由。")
    version = data.get("version")
    return WorkOrder(
        call_id=call_id,
        text=text,
        name=_str(data, "name", MAX_NAME),
        phone=raw_phone or None,
        town=town,
        request_type=request_type,
        department=department,
        item=item,
        summary=summary,
        rejecting_tier=tier,
        ground=ground,
        key_project=data.get("key_project") is True,
        repeated=data.get("repeated") is True,
        version=version if isinstance(version, int) else None,
    )
