"""Every dynamic reply, built once as structured content and rendered per channel.

A :class:`Reply` holds a title, labelled sections, quick-reply buttons and machine-readable data.
Channels render it their own way (plain text here; WeChat, the widget and the console later) without
re-deciding what to say.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.catalog import Catalog, Department, Item, Problem, Town
from bot.catalog.themes import Plan, PlannedStep
from bot.conversation.dispute_form import (
    DATE_ANSWERS,
    EXTRA_ANSWERS,
    GROUND_ANSWERS,
    MATERIAL_ANSWERS,
    NOTICE_ANSWERS,
    TIER_ANSWERS,
    DisputeForm,
)
from bot.policy import get_policy
from bot.policy.engine import Decision
from bot.records.clock import LOCAL_TZ
from bot.records.store import RecordView
from bot.request_types import RequestType
from bot.vocabulary import (
    RATING_LABELS,
    STATE_NAMES,
    TOP_TIER,
    Ground,
    Payload,
    RecordKind,
    RecordState,
    plain_ground,
)

UNVERIFIED_NOTE = (
    "以上部分信息尚待与南海区公布的办事指南逐项核对，办理前请以窗口或广东政务服务网公布的最新办事指南为准。"
)


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    @classmethod
    def same(cls, payload: str) -> Button:
        """A button whose title is its payload (转人工, 取消 …)."""
        return cls(str(payload), str(payload))


@dataclass(frozen=True)
class Reply:
    kind: str  # referral, report_referral, ask_town, clarify, progress_help, dispute_help, ...
    title: str
    sections: tuple[tuple[str, str], ...] = ()
    buttons: tuple[Button, ...] = ()
    footer: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "sections": [{"label": k, "text": v} for k, v in self.sections],
            "buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons],
            "footer": self.footer,
            "data": self.data,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Reply:
        """The inverse of :meth:`as_dict`, for doors that receive replies as JSON."""
        return cls(
            kind=str(d.get("kind", "text")),
            title=str(d.get("title", "")),
            sections=tuple((str(s["label"]), str(s["text"])) for s in d.get("sections", [])),
            buttons=tuple(Button(str(b["title"]), str(b["payload"])) for b in d.get("buttons", [])),
            footer=str(d.get("footer", "")),
            data=dict(d.get("data", {})),
        )


def render_text(reply: Reply) -> str:
    """Plain text: title, then 【label】text lines, then the footer."""
    lines = [reply.title]
    lines += [f"【{label}】{text}" for label, text in reply.sections]
    if reply.footer:
        lines.append(reply.footer)
    return "\n".join(lines)


def _days(n: int | None, unit: str = "工作日") -> str:
    if n is None:
        return "未公布（以办事指南为准）"
    return f"{n} 个工作日" if unit == "工作日" else f"{n} 日"


def _time_limits(item: Item) -> str:
    if item.instant:
        return "即办件，材料齐全的当场办结"
    parts = [f"法定时限 {_days(item.legal_days, item.legal_unit)}", f"承诺时限 {_days(item.promised_days)}"]
    return "；".join(parts)


def _where(item: Item, dept: Department, town: Town | None, catalog: Catalog) -> str:
    if item.handled_in_towns and town is not None and town.name in item.towns:
        return f"{town.centre}（{town.address}；{town.hours}），可就近办理"
    window = dept.windows[0]
    centre = catalog.district_centre
    place = f"{window.location}（{window.name}）"
    if window.location.startswith(centre.centre):
        place = f"{centre.centre}{window.name}（{centre.address}；{centre.hours}）"
    if item.handled_in_towns and town is not None and town.name not in item.towns:
        return f"{town.name}行政服务中心暂未受理此事项，请到{place}"
    return place


def _online(item: Item) -> str:
    platforms = "、".join(item.platforms)
    if item.online == "全程网办":
        return f"可全程网上办理，不用跑腿：{platforms}"
    if item.online == "网上预审":
        return f"可先在{platforms}提交材料预审，通过后到窗口一次办结"
    return "需到窗口办理" + (f"（可在{platforms}查询指南、预约）" if platforms else "")


def _extras(item: Item) -> str:
    out = []
    if item.commitment:
        out.append("可适用告知承诺制，书面承诺符合条件的可当场或先行办理")
    if item.e_license:
        out.append("已有电子证照的可免交纸质复印件")
    if item.theme:
        out.append(f"属“{item.theme}”一件事一次办主题，相关事项可一次提交、联办")
    return "；".join(out)


def referral(item: Item, catalog: Catalog, town: Town | None, for_whom: str | None = None) -> Reply:
    """R1: one complete answer for a service item (with who may apply, when it is for someone else)."""
    dept = catalog.departments[item.department]
    sections: list[tuple[str, str]] = [
        ("办理部门", f"{dept.name}（{item.section}）"),
        ("办理地点", _where_any_town(item, dept, town, catalog)),
        ("网上办理", _online(item)),
        ("所需材料", "；".join(f"{i}. {m}" for i, m in enumerate(item.materials, 1))),
        ("办理时限", _time_limits(item)),
        ("收费标准", item.fee),
    ]
    extras = _extras(item)
    if extras:
        sections.append(("温馨提示", extras))
    if for_whom:
        sections.append((f"为{for_whom}办理", _delegation(item, dept, catalog, for_whom)))
    sections.append(("咨询电话", _contact(dept, catalog)))
    footer = UNVERIFIED_NOTE if item.unverified or dept.unverified else ""
    # Answered first and whole; the nearest town centre's address is offered, not required (R1, R3).
    towns = tuple(Button(t, t) for t in catalog.towns if t in item.towns) if item.handled_in_towns and not town else ()
    return Reply(
        kind="referral",
        title=f"您咨询的“{item.name}”办理指引如下：",
        sections=tuple(sections),
        buttons=(*towns, Button("还有其他问题", Payload.MORE), Button.same(Payload.HUMAN)),
        footer=footer,
        data={"item": item.id, "department": dept.code, "town": town.name if town else None},
    )


def _contact(dept: Department, catalog: Catalog) -> str:
    if dept.phone:
        return f"{dept.short} {dept.phone}；或拨打 {catalog.hotline} 政务服务便民热线"
    return f"{catalog.hotline} 政务服务便民热线（可转接{dept.short}）"


def _material_with(item: Item, *words: str) -> str | None:
    return next((m for m in item.materials if any(w in m for w in words)), None)


def _delegation(item: Item, dept: Department, catalog: Catalog, for_whom: str | None = None) -> str:
    """Who must come and who may come instead, as far as the guide says; the rest goes to who knows."""
    in_person = _material_with(item, "现场采集", "本人到场", "本人到现场", "人像")
    delegated = _material_with(item, "委托", "代办", "代理人", "受托人")
    parts: list[str] = []
    if in_person:
        parts.append(f"须本人到场：{in_person}")
    if delegated:
        parts.append(f"可以委托他人（例如家人）代办，需提供：{delegated}")
    if not parts:
        parts.append("办事指南没有写明能否委托他人代办，一般须带齐申请人本人的证件原件")
    if for_whom:
        parts.append(f"为{for_whom}办理的，上述材料按{for_whom}本人的情况准备")
    parts.append(f"具体以{dept.short}的要求为准，可拨打{_contact(dept, catalog)}确认")
    return "；".join(parts)


def _where_any_town(item: Item, dept: Department, town: Town | None, catalog: Catalog) -> str:
    """Where to go; without a town, the district centre or any town centre that takes the item (R3)."""
    place = _where(item, dept, town, catalog)
    if item.handled_in_towns and town is None:
        place += "；也可以到所在镇街的行政服务中心就近办理（告诉我镇街，我把地址发给您）"
    return place


def _amount(item: Item, dept: Department, catalog: Catalog) -> str:
    return (
        f"发放或补助的具体金额，由{dept.short}按当年公布的标准和您家庭的实际情况核定，目录里没有可以直接告诉您的数字；"
        f"可拨打 {_contact(dept, catalog)} 查询当年标准"
    )


def _cannot_go(item: Item, dept: Department, town: Town | None, catalog: Catalog) -> list[tuple[str, str]]:
    """Cannot come, or cannot use a phone: the online route, the help desk, a family member."""
    return [
        ("网上办理", _online(item)),
        ("到现场办理", _where_any_town(item, dept, town, catalog)),
        ("帮办代办", "不会用手机或行动不便的，镇街行政服务中心设有帮办代办窗口，工作人员会当面帮您办理"),
        ("能否代办", _delegation(item, dept, catalog)),
    ]


ASPECT_LABELS = {
    "amount": "发放标准",
    "cannot_go": "不能亲自到场时",
    "family": "为家人办理",
    "attend": "是否须本人到场",
    "time": "办理时限",
    "fee": "收费标准",
    "online": "网上办理",
    "where": "办理地点",
    "materials": "所需材料",
}


def follow_up_answer(
    item: Item, aspects: Sequence[str], catalog: Catalog, town: Town | None, for_whom: str | None = None
) -> Reply:
    """A follow-up about the item under discussion: only what was asked, from the catalog, and who
    answers what the catalog does not say (never "not our business")."""
    dept = catalog.departments[item.department]
    answers = {
        "amount": lambda: _amount(item, dept, catalog),
        "family": lambda: _delegation(item, dept, catalog, for_whom or "家人"),
        "attend": lambda: _delegation(item, dept, catalog),
        "time": lambda: _time_limits(item) + "（从受理之日起计算）",
        "fee": lambda: item.fee,
        "online": lambda: _online(item),
        "where": lambda: _where_any_town(item, dept, town, catalog),
        "materials": lambda: "；".join(f"{i}. {m}" for i, m in enumerate(item.materials, 1)),
    }
    if "cannot_go" in aspects:
        chosen = ["cannot_go"]
        sections = _cannot_go(item, dept, town, catalog)
    else:
        chosen = [a for a in aspects if a in answers][:2] or ["materials"]
        sections = [(ASPECT_LABELS[a], answers[a]()) for a in chosen]
    if not any(a in ("amount", "family", "attend", "cannot_go") for a in chosen):
        sections.append(("咨询电话", _contact(dept, catalog)))
    buttons = [Button.same(Payload.HUMAN), Button("还有其他问题", Payload.MORE)]
    if "where" in chosen and item.handled_in_towns and town is None:
        buttons = [Button(t, t) for t in catalog.towns if t in item.towns] + buttons
    return Reply(
        kind="follow_up_answer",
        title=f"关于“{item.name}”：",
        sections=tuple(sections),
        buttons=tuple(buttons),
        footer=UNVERIFIED_NOTE if item.unverified or dept.unverified else "",
        data={"item": item.id, "department": dept.code, "aspects": chosen, "town": town.name if town else None},
    )


def department_follow_up(department: Department, aspects: Sequence[str], catalog: Catalog) -> Reply:
    """A follow-up when only the department is known: what we know of it, and who answers the rest."""
    window = department.windows[0]
    sections = [
        ("办理地点", f"{window.location}（{window.name}）；{department.hours}"),
        (
            "时限和收费",
            "不同事项的时限、收费和能否网办各不相同；告诉我具体事项名称，我可以一次告诉您，"
            f"也可以拨打 {_contact(department, catalog)} 询问",
        ),
    ]
    return Reply(
        kind="follow_up_answer",
        title=f"关于{department.name}的事项：",
        sections=tuple(sections),
        buttons=(Button.same(Payload.HUMAN), Button("还有其他问题", Payload.MORE)),
        data={"department": department.code, "aspects": list(aspects)},
    )


def referral_brief(item: Item, catalog: Catalog, town: Town | None) -> Reply:
    """The same item asked again: the key points, not the whole guide word for word."""
    dept = catalog.departments[item.department]
    return Reply(
        kind="referral_brief",
        title=f"还是“{item.name}”，要点再说一次：",
        sections=(
            ("办理部门", dept.name),
            ("办理地点", _where_any_town(item, dept, town, catalog)),
            ("办理时限", _time_limits(item)),
        ),
        buttons=(
            Button("要带什么材料", "要带什么材料"),
            Button("可以网上办吗", "可以网上办吗"),
            Button("要多少钱", "要多少钱"),
            Button.same(Payload.HUMAN),
        ),
        data={"item": item.id, "department": dept.code},
    )


def ask_matter(aspects: Sequence[str] = (), town: str | None = None, bounced: bool = False) -> Reply:
    """A follow-up with nothing under discussion yet, or a bounce without its matter: which matter?"""
    if bounced:
        title = (
            "明白，让您来回跑了几个部门，实在抱歉。这件事由我们作为首咨单位负责协调到底。"
            "请告诉我您要办的是什么事（例如“办无犯罪记录证明”），我马上为您开协调单并明确负责部门。"
        )
    else:
        asked = "、".join(ASPECT_LABELS[a] for a in aspects if a in ASPECT_LABELS)
        where = f"（{town}）" if town else ""
        title = f"好的{where}，请问您想了解哪一项事项" + (f"的{asked}" if asked else "") + "？"
    return Reply(
        kind="ask_matter",
        title=title,
        sections=(("可以这样说", "事项或证件的名称，例如“补办身份证”“开奶茶店”“申请低保”。"),),
        buttons=(Button.same(Payload.HUMAN),),
        data={"aspects": list(aspects), "bounced": bounced},
    )


def restarted() -> Reply:
    """重新开始: everything about the earlier matter is set aside (its records stay valid)."""
    return Reply(
        kind="restarted",
        title="好的，我们重新开始。请说说您想办理或咨询的事项。",
        sections=(("例如", "“补办身份证要带什么”“在大沥开奶茶店要办哪些证”“窗口不给我受理”"),),
        buttons=greeting().buttons,
    )


def cancelled() -> Reply:
    return Reply(
        kind="cancelled",
        title="好的，已取消。还有其他需要，随时告诉我。",
        buttons=(Button("还有其他问题", Payload.MORE), Button.same(Payload.HUMAN)),
    )


_ORDINALS = "一二三四五六七八九十"


def _stage_label(n: int, size: int) -> str:
    word = _ORDINALS[n - 1] if n <= len(_ORDINALS) else str(n)
    return f"第{word}步" + ("（以下几项可同时办）" if size > 1 else "")


def _plan_line(number: int, planned: PlannedStep, catalog: Catalog) -> str:
    item, step = planned.item, planned.step
    dept = catalog.departments[item.department]
    days = f"约 {planned.days} 个工作日" if planned.days is not None else "时限以办事指南为准"
    if item.instant:
        days = "即办"
    online = {"全程网办": "可全程网办", "网上预审": "可网上预审", "仅限线下": "到窗口办理"}[item.online]
    when = f"；{step.when}才需要办" if step.when else ""
    return f"{number}. {item.name}——{dept.short}办理，由{step.who}申请；{days}；{online}{when}"


def theme_plan(plan: Plan, catalog: Catalog, town: Town | None = None) -> Reply:
    """A whole matter (一件事) as one plan: every remaining item in order, who does each, what can be
    done together (联办), the one window and online route, and the total time."""
    theme = plan.theme
    sections: list[tuple[str, str]] = []
    number = 0
    for n, stage in enumerate(plan.stages, 1):
        lines = []
        for planned in stage:
            number += 1
            lines.append(_plan_line(number, planned, catalog))
        sections.append((_stage_label(n, len(stage)), "；".join(lines)))
    if plan.done:
        sections.append(("已办好或不需要的", "、".join(i.name for i in plan.done) + "（已从清单中去掉）"))
    where = theme.window
    if town is not None:
        where += f"；您在{town.name}，可到{town.centre}（{town.address}；{town.hours}）"
    sections.append(("一次办", f"{where}；网上：{theme.online}"))
    sections.append(("联办", theme.together))
    total = f"材料齐全时约 {plan.total_days} 个工作日（按先后顺序最长的一条计算，可同时办的不重复计算）"
    if not plan.total_known:
        total += "；个别事项未公布时限，以办事指南为准"
    sections.append(("总用时", total))
    sections.append(("咨询电话", f"{catalog.hotline} 政务服务便民热线"))
    steps = plan.steps
    title = (
        f"“{theme.name}”一件事，除了您已办好的，还要办以下 {len(steps)} 项，按先后顺序："
        if plan.done
        else f"“{theme.name}”一件事（{theme.summary}），共 {len(steps)} 项，按先后顺序："
    )
    if not steps:
        title = f"“{theme.name}”一件事要办的事项，您都已经办好了。"
    buttons = tuple(Button(s.item.name, s.item.name) for s in steps[:3])
    unverified = theme.unverified or any(s.item.unverified for s in steps)
    return Reply(
        kind="theme_plan",
        title=title,
        sections=tuple(sections),
        buttons=(*buttons, Button("还有其他问题", Payload.MORE), Button.same(Payload.HUMAN)),
        footer=("想知道某一项要带什么材料，直接说出事项名称即可。" + (UNVERIFIED_NOTE if unverified else "")),
        data={
            "theme": theme.id,
            "items": [s.item.id for s in steps],
            "stages": [[s.item.id for s in stage] for stage in plan.stages],
            "done": [i.id for i in plan.done],
            "total_days": plan.total_days,
            "town": town.name if town else None,
        },
    )


def in_traditional(reply: Reply, convert: Callable[[str], str]) -> Reply:
    """The reply in the applicant's script: every text they read, never a payload or the data."""
    return Reply(
        kind=reply.kind,
        title=convert(reply.title),
        sections=tuple((convert(k), convert(v)) for k, v in reply.sections),
        buttons=tuple(Button(convert(b.title), b.payload) for b in reply.buttons),
        footer=convert(reply.footer),
        data={**reply.data, "script": "traditional"},
    )


def ask_town(item: Item, catalog: Catalog) -> Reply:
    """R3: the item is handled in town centres, so the town decides where to go."""
    buttons = tuple(Button(t, t) for t in catalog.towns if t in item.towns)
    return Reply(
        kind="ask_town",
        title=f"“{item.name}”可以在镇街行政服务中心就近办理。请问您在哪个镇街办理？",
        buttons=(*buttons, Button("不确定，去区行政服务中心", Payload.DISTRICT_CENTRE)),
        data={"item": item.id},
    )


def clarify(options: Sequence[tuple[str, str]]) -> Reply:
    """A short question with quick replies when the request could mean several things."""
    return Reply(
        kind="clarify",
        title="为了给您准确指引，请问您想办理或反映的是以下哪一项？",
        buttons=(
            *tuple(Button(title, payload) for title, payload in options),
            Button("都不是，我再描述一下", Payload.NONE_OF_THESE),
        ),
    )


def report_referral(
    department: Department,
    catalog: Catalog,
    problem: Problem | None,
    request_type: str,
    also: Sequence[Department] = (),
) -> Reply:
    """A problem report or complaint: who acts on it, how it reaches them, what to prepare."""
    what = f"“{problem.name}”" if problem else "这个"
    verb = "投诉" if request_type == RequestType.COMPLAINT else "反映"
    sections = [
        ("负责部门", department.name + (f"（必要时会同{'、'.join(d.short for d in also)}）" if also else "")),
        (
            "怎么反映",
            f"拨打 {catalog.hotline} 政务服务便民热线或通过 12345 网上渠道留言；"
            f"热线受理后会派单给{department.short}，并在规定时限内回复您",
        ),
        ("请准备好", "具体地点（镇街、路名或小区）、发生时间和频次、现场照片或视频，以及方便回访的联系方式"),
    ]
    return Reply(
        kind="report_referral",
        title=f"您{verb}的{what}问题，由{department.short}负责处理。",
        sections=tuple(sections),
        buttons=(Button.same(Payload.HUMAN), Button("还有其他问题", Payload.MORE)),
        footer="我们会如实记录您反映的情况；您的个人信息仅用于办理本事项。",
        data={"department": department.code, "problem": problem.id if problem else None},
    )


def department_referral(department: Department, catalog: Catalog, request_type: str) -> Reply:
    """When the department is clear but no single item is: its scope, windows and contact."""
    window = department.windows[0]
    return Reply(
        kind="department_referral",
        title=f"您的事项由{department.name}负责。",
        sections=(
            ("负责范围", department.scope),
            ("办理地点", f"{window.location}（{window.name}）；{department.hours}"),
            ("咨询电话", _contact(department, catalog)),
        ),
        buttons=(Button.same(Payload.HUMAN), Button("还有其他问题", Payload.MORE)),
        footer="如能告诉我具体要办的事项（例如“补办身份证”“开奶茶店”），我可以把材料、时限和网办方式一次告诉您。",
        data={"department": department.code, "request_type": request_type},
    )


def progress_help(department: Department | None, catalog: Catalog, numbers: Sequence[str]) -> Reply:
    """How to follow an application's progress (records of our own are looked up elsewhere)."""
    who = department.name if department else "受理您申请的部门"
    sections = [
        ("网上查询", "登录广东政务服务网或“粤省事”“粤商通”，在“我的办件”中输入受理号即可查看进度"),
        ("电话查询", f"拨打 {catalog.hotline} 政务服务便民热线，提供受理号后可代为查询{who}的办理进度"),
    ]
    if numbers:
        sections.insert(0, ("您提供的编号", "、".join(numbers)))
    return Reply(
        kind="progress_help",
        title="查询办件进度可以这样做：",
        sections=tuple(sections),
        buttons=(Button.same(Payload.HUMAN),),
        data={"department": department.code if department else None, "numbers": list(numbers)},
    )


# Conversation replies: fixed wording, but built here like every other reply so that each channel
# renders them the same way as referrals.


def greeting() -> Reply:
    return Reply(
        kind="greeting",
        title="您好！我是南海区政务服务“首咨助手”。",
        sections=(
            (
                "我能做什么",
                "告诉我您想办什么事或遇到了什么问题，例如“开奶茶店要办哪些证”“补办身份证要带什么”。"
                "我会告诉您找哪个部门、去哪里办、带什么材料、要多久，能网上办的也会告诉您。",
            ),
        ),
        buttons=(
            Button("开办企业", "我想注册一间公司，要办哪些手续"),
            Button("户籍与身份证", "补办身份证要带什么材料"),
            Button("社保与医保", "异地就医备案怎么办"),
            Button("被退件了", "窗口不给我受理，我觉得不合理"),
        ),
    )


def goodbye(catalog: Catalog) -> Reply:
    return Reply(
        kind="goodbye",
        title="感谢您的咨询，祝您办事顺利！",
        footer=f"之后有任何政务服务问题，随时再来问我，或拨打 {catalog.hotline} 政务服务便民热线。",
    )


def thanks() -> Reply:
    return Reply(kind="thanks", title="不客气，能帮到您就好！还有其他要办的事情，随时告诉我。")


def ask_more() -> Reply:
    return Reply(kind="ask_more", title="好的，请说说您还想办理或咨询的事项，我继续为您指引。")


def ask_rephrase() -> Reply:
    return Reply(
        kind="ask_rephrase",
        title="不好意思，我还没完全明白您的需要。能否再具体描述一下？",
        sections=(("可以这样说", "要办的证件或事项名称、在哪个镇街、遇到了什么情况，例如“在大沥补办驾驶证”。"),),
        buttons=(Button.same(Payload.HUMAN),),
    )


def handoff(catalog: Catalog) -> Reply:
    centre = catalog.district_centre
    return Reply(
        kind="handoff",
        title="好的，马上为您转接人工服务。",
        sections=(
            ("电话", f"拨打 {catalog.hotline} 政务服务便民热线，按提示转人工座席"),
            ("当面", f"到{centre.centre}或所在镇街行政服务中心的咨询台，工作人员会当面为您解答（{centre.hours}）"),
            ("非工作时间", "请留下您的问题，工作人员上班后会及时跟进"),
        ),
    )


def out_of_scope() -> Reply:
    return Reply(
        kind="out_of_scope",
        title="不好意思，这个问题不在我的服务范围内。",
        sections=(
            (
                "我可以帮您",
                "查询办事指南（去哪办、带什么、要多久、能否网办），反映噪音、违建、欠薪等问题，"
                "查询办件进度，以及对退件提出异议。",
            ),
        ),
        footer="请问有政务方面的事情需要帮忙吗？",
    )


def too_long(limit: int) -> Reply:
    return Reply(
        kind="too_long",
        title=f"您的留言较长（超过 {limit} 字），我可能无法完整理解。",
        sections=(("建议", "请用一两句话说明要办的事项或遇到的问题；详细材料可以在窗口或 12345 热线提交。"),),
        buttons=(Button.same(Payload.HUMAN),),
    )


def empty_message() -> Reply:
    return Reply(
        kind="empty", title="您好，没有收到文字内容。请直接输入您想办理或咨询的事项，例如“补办身份证要带什么”。"
    )


# Records: coordination (R2), status by number (R13), 好差评.

WEEKDAYS = "一二三四五六日"
COORDINATION_REASONS = {
    "refused": "您反映已被有关部门以“不归我们管”等理由推回",
    "unclear": "经过确认，您的事项暂时无法明确由哪一个部门负责",
    "multi_department": "您的事项涉及多个部门",
}


def say_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）"


def _departments(codes: Sequence[str], catalog: Catalog) -> str:
    return "、".join(catalog.departments[c].name for c in codes if c in catalog.departments)


def coordination_opened(
    record: RecordView, catalog: Catalog, fresh: bool = True, responsible: Item | None = None
) -> Reply:
    """R2: the first-consultation unit owns the matter, names the responsible department where the
    catalog knows it, and says by when it will answer."""
    depts = _departments(record.departments, catalog)
    sections = [
        ("协调单号", f"{record.number}（请记下，凭此号可随时查询进度）"),
        ("为什么开协调单", COORDINATION_REASONS.get(record.reason, "您的事项需要协调受理")),
    ]
    if responsible is not None:
        owner = catalog.departments[responsible.department]
        sections.append(
            (
                "责任部门",
                f"按南海区政务服务事项目录，“{responsible.name}”由{owner.name}负责受理，我们会协调其接收您的申请",
            )
        )
    elif record.departments and record.departments[0] in catalog.departments:
        owner = catalog.departments[record.departments[0]]
        sections.append(("责任部门", f"初步判断由{owner.name}负责，我们会与其确认并协调受理"))
    else:
        sections.append(("责任部门", "暂时无法确定，由首咨单位在答复时限内明确负责部门并告诉您"))
    if responsible is not None:
        how = f"协调{catalog.departments[responsible.department].short}接收办理"
    else:
        how = "协调" + (f"{depts}等部门" if depts else "有关部门") + "明确由谁受理"
    sections += [
        ("我们会怎么做", f"由{record.first_unit}作为首咨单位负责到底：{how}，并把结果告诉您，您不用再自己来回跑"),
        ("答复时限", f"{say_date(record.due_on)}前（{record.first_unit}负责督办）"),
        ("查询进度", f"在任何对话中发送“{record.number}”即可查询，也可拨打 {catalog.hotline} 提供单号查询"),
    ]
    title = "已为您开具协调单，这件事由我们负责协调到底。" if fresh else f"您的协调单 {record.number} 正在办理中。"
    return Reply(
        kind="coordination_opened",
        title=title,
        sections=tuple(sections),
        buttons=(Button("查询进度", record.number), Button.same(Payload.HUMAN)),
        footer="如方便，可拨打 12345 留下联系方式，便于经办人员直接与您联系（号码会脱敏保存）。",
        data={"number": record.number, "due_on": record.due_on.isoformat(), "departments": list(record.departments)},
    )


def record_status(record: RecordView, catalog: Catalog) -> Reply:
    """R13: the current state, who holds it, the tier (for escalations) and the next deadline."""
    state = RecordState(record.state) if record.state in STATE_NAMES else None
    sections = [("当前状态", state.display if state else record.state)]
    if record.tier is not None:
        tier_name = get_policy().tier_names.get(record.tier, str(record.tier))
        sections.append(("处理层级", f"第{record.tier}层级：{tier_name}"))
    holder = catalog.departments[record.accepted_by].name if record.accepted_by in catalog.departments else None
    sections.append(("负责单位", holder or record.first_unit))
    depts = _departments(record.departments, catalog)
    if depts and not holder:
        sections.append(("涉及部门", depts))
    deadline = record.next_deadline()
    if deadline is not None:
        label = "确认时限" if deadline == record.ack_due_on and deadline != record.due_on else "办理时限"
        sections.append((label, f"{say_date(deadline)}前"))
    sections.append(("最近更新", record.updated_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")))
    return Reply(
        kind="record_status",
        title=f"{RecordKind(record.kind).display} {record.number} 的办理情况：",
        sections=tuple(sections),
        buttons=(Button.same(Payload.HUMAN),),
        data={
            "number": record.number,
            "kind": record.kind,
            "state": record.state,
            "tier": record.tier,
            "next_deadline": deadline.isoformat() if deadline else None,
        },
    )


def record_not_found(number: str, catalog: Catalog) -> Reply:
    return Reply(
        kind="record_not_found",
        title=f"没有查到编号为 {number} 的记录。",
        sections=(
            ("请核对", "编号由两个字母、8 位日期和 4 位序号组成，例如 XT202611280007；请检查是否有漏字或错字"),
            ("其他办件", f"如是部门受理的办件号，可在广东政务服务网“我的办件”查询，或拨打 {catalog.hotline}"),
        ),
        buttons=(Button.same(Payload.HUMAN),),
        data={"number": number},
    )


def malformed_number(raw: str) -> Reply:
    return Reply(
        kind="malformed_number",
        title=f"“{raw}”看起来不是完整的单号。",
        sections=(
            (
                "单号格式",
                "协调单为 XT、提级单为 TJ、回访单为 HP，后接 8 位日期和 4 位序号，共 14 位，例如 XT202611280007",
            ),
        ),
        data={"raw": raw},
    )


def rating_request() -> Reply:
    """好差评: one tap, after a matter has been served."""
    return Reply(
        kind="rating_request",
        title="请您为本次服务评价（好差评）：",
        buttons=tuple(Button.same(label) for label in RATING_LABELS.values()),
    )


def rating_thanks(label: str) -> Reply:
    return Reply(
        kind="rating_thanks",
        title=f"感谢您的评价（{label}）！",
        buttons=(Button("写评价意见", Payload.WRITE_COMMENT), Button("还有其他问题", Payload.MORE)),
    )


def ask_comment() -> Reply:
    return Reply(
        kind="ask_comment",
        title="请直接写下您的意见建议，我们会认真对待。",
        buttons=(Button.same(Payload.SKIP_COMMENT),),
    )


def follow_up_opened(record: RecordView, label: str) -> Reply:
    """A poor rating is followed up (好差评 差评回访整改), with its own number and deadlines."""
    sections = [("回访单号", record.number)]
    if record.ack_due_on:
        sections.append(("回访时限", f"{say_date(record.ack_due_on)}前，工作人员会核实情况"))
    sections.append(("整改反馈", f"{say_date(record.due_on)}前反馈处理结果"))
    return Reply(
        kind="follow_up_opened",
        title=f"很抱歉这次没能让您满意（{label}）。我们已登记回访，请告诉我们哪里做得不好：",
        sections=tuple(sections),
        buttons=(Button.same(Payload.SKIP_COMMENT),),
        data={"number": record.number, "due_on": record.due_on.isoformat()},
    )


def comment_saved(follow_up: str | None) -> Reply:
    title = "已记录您的意见，谢谢！"
    if follow_up:
        title += f"回访单 {follow_up} 会跟进处理，您可随时发送单号查询进度。"
    return Reply(kind="comment_saved", title=title, buttons=(Button("还有其他问题", Payload.MORE),))


# The dispute form (R10) and the escalation it opens (R6–R11).

DISPUTE_QUESTIONS = {
    "ground": ("对方退件（不予受理）时给的理由是什么？", tuple(GROUND_ANSWERS)),
    "material_on_list": (
        "对方要求补的材料，在该事项公布的办事指南材料清单里吗？",
        (*MATERIAL_ANSWERS, Payload.UNKNOWN),
    ),
    "rejecting_tier": ("是哪一层级作出的退件决定？", (*TIER_ANSWERS, Payload.UNKNOWN)),
    "extra": ("这个事项属于重点项目，或者已经被退件两次及以上吗？", tuple(EXTRA_ANSWERS)),
    "item": ("被退件的是哪个事项（或哪个部门的申请）？例如“排污许可证”“食品经营许可证”。", (Payload.UNKNOWN,)),
    "notice": ("对方有没有给您书面的退件（不予受理）通知书或一次性告知书？", (*NOTICE_ANSWERS, Payload.UNKNOWN)),
    "date": ("大概是什么时候被退件的？", DATE_ANSWERS),
}


def dispute_question(question: str, first: bool) -> Reply:
    """One question of the form, with its few answers as buttons."""
    title, answers = DISPUTE_QUESTIONS[question]
    if first:
        title = "明白，您对退件有异议，我来帮您申请提级处理（否决事项提级管理）。先确认几个情况：" + title
    hint = "也可以直接用自己的话说明。" if question in ("ground", "item", "date") else ""
    return Reply(
        kind="dispute_question",
        title=title,
        buttons=(*(Button(a, a) for a in answers), Button.same(Payload.CANCEL)),
        footer=hint,
        data={"question": question},
    )


def _form_lines(form: DisputeForm, catalog: Catalog) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    if form.item and form.item in catalog.items:
        lines.append(("办理事项", catalog.items[form.item].name))
    dept = form.department or (catalog.items[form.item].department if form.item in catalog.items else None)
    if dept and dept in catalog.departments:
        lines.append(("所涉部门", catalog.departments[dept].name))
    tier = "不清楚（按窗口退件处理）" if form.rejecting_tier is None else get_policy().tier_names[form.rejecting_tier]
    lines.append(("退件层级", tier))
    ground = plain_ground(form.ground)
    if form.ground == Ground.INCOMPLETE and form.material_on_list is False:
        ground = "要求提交办事指南清单以外的材料"
    lines.append(("退件理由", ground))
    extra = [t for t, on in (("重点项目", form.key_project), ("已被退件两次及以上", form.repeated)) if on]
    lines.append(("其他情况", "、".join(extra) or "无"))
    lines.append(("退件时间", form.rejected_on or "未说明"))
    lines.append(("书面通知", form.notice_text()))
    return lines


def dispute_confirm(form: DisputeForm, decision: Decision, catalog: Catalog) -> Reply:
    """Everything understood, and where it will go, before anything is submitted."""
    where = f"第{decision.target_tier}层级：{decision.tier_name}"
    return Reply(
        kind="dispute_confirm",
        title="请核对以下情况，确认后为您提交提级处理：",
        sections=(*_form_lines(form, catalog), ("将提交到", where), ("依据", plain_rules(decision.rules))),
        footer="如有不对，直接告诉我，例如“不是窗口，是审批科退的”。",
        buttons=(
            Button.same(Payload.CONFIRM),
            Button.same(Payload.RESTART),
            Button.same(Payload.CANCEL),
        ),
        data={"tier": decision.target_tier, "rules": list(decision.rules)},
    )


def plain_rules(rules: Sequence[str]) -> str:
    """Rules in plain Chinese for applicants, the code after each in brackets ("…（R6）")."""
    text = get_policy().rule_text
    return "；".join(f"{text[r]}（{r}）" for r in rules if r in text)


def escalation_opened(record: RecordView, decision: Decision, fresh: bool = True) -> Reply:
    """The number, the tier that decides, why (rules in plain Chinese), the deadlines and remedies."""
    policy = get_policy()
    tier = record.tier or decision.target_tier
    sections = [
        ("提级单号", f"{record.number}（请记下，凭此号可随时查询进度）"),
        ("处理层级", f"第{tier}层级：{policy.tier_names[tier]}（{policy.tier_who[tier]}）"),
        ("为什么", plain_rules(decision.rules)),
    ]
    if decision.overreach:
        sections.append(("提示", "原退件由无权就该理由作出否决的层级作出，属越权否决，将一并核查"))
    if record.ack_due_on:
        late = (
            "逾期未确认将自动再提高一个层级"
            if tier < TOP_TIER
            else "这已是区内最高层级，逾期未确认将通报区否决事项提级管理工作领导小组办公室督办"
        )
        sections.append(("确认时限", f"{say_date(record.ack_due_on)}前确认受理；{late}"))
    sections.append(("决定时限", f"{say_date(record.due_on)}前作出维持或撤销退件的决定"))
    if decision.remedies:
        sections.append(("救济途径", "；".join(decision.remedies)))
    return Reply(
        kind="escalation_opened",
        title="已为您提交提级处理。" if fresh else f"您的提级单 {record.number} 正在办理中。",
        sections=tuple(sections),
        buttons=(Button("查询进度", record.number), Button.same(Payload.HUMAN)),
        data={
            "number": record.number,
            "tier": tier,
            "rules": list(decision.rules),
            "ack_due_on": record.ack_due_on.isoformat() if record.ack_due_on else None,
            "due_on": record.due_on.isoformat(),
        },
    )


def district_final(decision: Decision) -> Reply:
    """R9: decided at district level; no further tier inside the district, only the legal remedies."""
    return Reply(
        kind="district_final",
        title="这项退件已由区级层面作出决定，区内不再提级处理。",
        sections=(("依法救济", "；".join(decision.remedies)), ("为什么", plain_rules(["R9"]))),
        buttons=(Button.same(Payload.HUMAN),),
        data={"tier": decision.target_tier, "rules": list(decision.rules)},
    )


def dispute_cancelled() -> Reply:
    return Reply(
        kind="dispute_cancelled",
        title="好的，已取消本次提级申请，没有提交任何内容。需要时随时再告诉我。",
        buttons=(Button("还有其他问题", Payload.MORE),),
    )


def records_limited() -> Reply:
    """No new record number now (the quota of a conversation or a client, or the day's numbers used up):
    say so plainly and give the way through, instead of failing silently (#15)."""
    return Reply(
        kind="service_unavailable",
        title="非常抱歉，今天通过本窗口登记的新事项已达上限，这次没能为您登记新的单号。",
        sections=(
            (
                "您可以",
                "拨打 12345 政务服务便民热线，或到区行政服务中心窗口，由工作人员为您登记办理；已有的单号仍可随时查询。",
            ),
        ),
        buttons=(Button.same(Payload.HUMAN),),
    )


def service_unavailable() -> Reply:
    """A fault (a server or the database down): an apology and a way through, never silence."""
    return Reply(
        kind="service_unavailable",
        title="非常抱歉，系统暂时繁忙，您的消息这次没能处理。",
        sections=(
            ("您可以", "稍后再发一次同样的内容（不会重复登记），或直接拨打 12345 政务服务便民热线，由人工为您办理。"),
        ),
        buttons=(Button.same(Payload.HUMAN),),
    )
