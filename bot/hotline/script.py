"""What the agent reads out and asks next: the complete one-time answer of 首咨责任制 (R1) as a
script (话术), and the facts a disputed rejection still needs (R10) as questions for the caller."""

from __future__ import annotations

from typing import Any

from bot.catalog import Catalog
from bot.conversation.dispute_form import GROUND_ANSWERS, TIER_ANSWERS
from bot.conversation.replies import Reply, department_referral, referral
from bot.policy import get_policy
from bot.request_types import RequestType

# Missing fact (bot.policy.facts.ExtractedFacts.missing, bot.analysis.to_api) → what to ask, in the
# agent's voice, with the answers the work order's form offers.
QUESTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ground": (
        "请问对方退件（不予受理）时，给您的理由是什么？比如材料不全、不属于受理范围、不符合条件，还是没说清依据？",
        tuple(GROUND_ANSWERS),
    ),
    "rejecting_tier": (
        "请问是谁作出的退件决定：窗口、审批科室（股室）、局领导班子，还是区里？",
        tuple(TIER_ANSWERS),
    ),
    "item": ("请问您办理的是哪个事项？方便的话请告诉我受理号。", ()),
    "material_on_list": ("对方要求补的材料，办事指南的材料清单里有没有列出来？", ()),
}
ANSWERED_BY_ITEM = (RequestType.CONSULT_ITEM, RequestType.BOOK_APPOINTMENT, RequestType.ONLINE_HELP)
PHONE_QUESTION = "请问您的联系电话是多少？处理结果会通过这个号码告知您。"
TOWN_QUESTION = "请问您在哪个镇街办理？镇街行政服务中心可以就近办理。"


def questions(missing: list[str], *, has_phone: bool, needs_town: bool) -> list[dict[str, Any]]:
    """The next questions for the caller, most decisive first."""
    out = [
        {"fact": fact, "question": QUESTIONS[fact][0], "answers": list(QUESTIONS[fact][1])}
        for fact in missing
        if fact in QUESTIONS
    ]
    if needs_town:
        out.append({"fact": "town", "question": TOWN_QUESTION, "answers": []})
    if not has_phone:
        out.append({"fact": "phone", "question": PHONE_QUESTION, "answers": []})
    return out


def answer_reply(api: dict[str, Any], catalog: Catalog) -> Reply | None:
    """The one-time answer behind the script: the best item's full referral, else the department's."""
    town = catalog.towns.get(api.get("town") or "")
    items = [i for i in api.get("items") or [] if i.get("id") in catalog.items]
    if items and api.get("request_type") in ANSWERED_BY_ITEM:
        return referral(catalog.items[items[0]["id"]], catalog, town)
    depts = [d for d in api.get("departments") or [] if d.get("code") in catalog.departments]
    if depts:
        return department_referral(catalog.departments[depts[0]["code"]], catalog, str(api.get("request_type")))
    return None


def script(api: dict[str, Any], catalog: Catalog) -> list[str]:
    """Sentences to read out, in order: the answer (R1) or, for a disputed rejection, where it goes."""
    lines: list[str] = []
    escalation = api.get("escalation")
    if api.get("request_type") == RequestType.DISPUTE_REJECTION:
        if escalation:
            tier = int(escalation["tier"])
            who = get_policy().tier_who.get(tier, "")
            lines.append(
                f"您对退件有异议，根据南海区否决事项提级管理的规定，这件事应当提交到第{tier}层级"
                f"“{escalation['tier_name']}”处理（{who}）。"
            )
            if escalation.get("overreach"):
                lines.append("按规定，原来作出退件的层级无权以这个理由否决，属于越权否决，我们会一并提请核查。")
            deadline = escalation.get("deadline_working_days")
            if deadline:
                lines.append(
                    f"我现在为您提交提级单，对方会在 {deadline['acknowledge']} 个工作日内确认、"
                    f"{deadline['decide']} 个工作日内作出维持或撤销退件的决定；逾期未确认的会自动再提高一个层级。"
                )
            if escalation.get("remedies"):
                lines.append("如对最终决定仍不服，您还可以依法申请：" + "；".join(escalation["remedies"]) + "。")
        else:
            lines.append("您对退件有异议，我们可以为您申请提级处理。为了提交到正确的层级，我先向您确认几个情况。")
        return lines
    reply = answer_reply(api, catalog)
    if reply is None:
        lines.append("您反映的情况我已经记录下来，由我们（首咨单位）负责协调相关部门，并在 2 个工作日内答复您。")
        return lines
    lines.append(reply.title)
    lines += [f"{label}：{text}。" for label, text in reply.sections]
    if reply.footer:
        lines.append(reply.footer)
    return lines
