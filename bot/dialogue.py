"""What the assistant says next: a pure function of the understood message and a little state.

Rasa handles language understanding, channels and the conversation store; the decision about what
to answer lives here as plain Python so it is testable without a server. The action server turns a
:class:`Turn` into Rasa events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.analysis import Analysis
from bot.catalog import Catalog, Item, Problem
from bot.catalog.matcher import PROBLEM, TOWN
from bot.config import settings
from bot.replies import (
    Reply,
    ask_more,
    ask_rephrase,
    ask_town,
    clarify,
    department_referral,
    dispute_help,
    empty_message,
    goodbye,
    greeting,
    handoff,
    out_of_scope,
    progress_help,
    referral,
    report_referral,
    thanks,
    too_long,
)

MORE_PAYLOAD = "我还有其他问题"
NONE_PAYLOAD = "都不是"
DISTRICT_PAYLOAD = "区行政服务中心"
CONSULT_TYPES = ("consult_item", "book_appointment", "online_help")
REPORT_TYPES = ("complaint", "report_issue")
SIMPLE_REPLIES: dict[str, Callable[[Catalog], Reply]] = {
    "greet": lambda c: greeting(),
    "goodbye": goodbye,
    "thank": lambda c: thanks(),
    "affirm": lambda c: ask_more(),
    "deny": goodbye,
    "request_human": handoff,
    "out_of_scope": lambda c: out_of_scope(),
}
# An item found only by similarity must have this much of its name in the text to be named
# without asking, and belong to the department the evidence points to.
FUZZY_ITEM_MIN = 0.6


@dataclass(frozen=True)
class DialogueState:
    pending_item: str | None = None  # item waiting for the applicant's town
    town: str | None = None
    clarifications: int = 0  # clarifying questions asked for the current matter


@dataclass(frozen=True)
class Turn:
    outputs: tuple[Reply, ...]
    state: DialogueState
    outcome: str  # referred, clarified, answered, handed_over, out_of_scope


def respond(a: Analysis, state: DialogueState, catalog: Catalog) -> Turn:
    text = a.text.strip()
    if not text or not any(ch.isalnum() for ch in text):
        return Turn((empty_message(),), state, "clarified")
    if len(text) > settings().max_text_chars:
        return Turn((too_long(settings().max_text_chars),), state, "clarified")
    said_town = next((m.value for m in a.matches if m.kind == TOWN), None)
    town_name = said_town or state.town

    if state.pending_item and state.pending_item in catalog.items:
        pending = catalog.items[state.pending_item]
        if said_town or text == DISTRICT_PAYLOAD:
            town = catalog.towns.get(said_town) if said_town else None
            return Turn((referral(pending, catalog, town),), DialogueState(town=town_name), "referred")
    fresh = replace(state, pending_item=None)

    if text == MORE_PAYLOAD:
        return Turn((ask_more(),), DialogueState(town=town_name), "answered")
    if text == NONE_PAYLOAD:
        return Turn((ask_rephrase(),), fresh, "clarified")

    rt = a.request_type
    if rt in SIMPLE_REPLIES:
        outcome = {"request_human": "handed_over", "out_of_scope": "out_of_scope"}.get(rt, "answered")
        return Turn((SIMPLE_REPLIES[rt](catalog),), replace(fresh, town=town_name), outcome)

    top = a.route.top_department
    dept = catalog.departments[top] if top else None
    if rt == "query_progress":
        confident_dept = dept if a.route.confident else None
        numbers = (*a.record_numbers, *a.application_numbers)
        return Turn((progress_help(confident_dept, catalog, numbers),), fresh, "answered")
    if rt == "dispute_rejection":
        return Turn((dispute_help(dept if a.route.confident else None, catalog),), fresh, "referred")

    item = _best_item(a)
    if rt in CONSULT_TYPES and item is not None:
        if item.handled_in_towns and town_name is None:
            return Turn((ask_town(item, catalog),), DialogueState(pending_item=item.id), "clarified")
        town = catalog.towns.get(town_name) if town_name else None
        return Turn((referral(item, catalog, town),), DialogueState(town=town_name), "referred")

    if dept is not None and (a.route.confident or state.clarifications >= 1):
        done = DialogueState(town=town_name)
        if rt in REPORT_TYPES:
            problem = _best_problem(a, catalog, dept.code)
            also = [catalog.departments[c] for c in (problem.also if problem else ())[:2]]
            return Turn((report_referral(dept, catalog, problem, rt, also),), done, "referred")
        return Turn((department_referral(dept, catalog, rt),), done, "referred")

    options = _options(a, catalog)
    if len(options) >= 2:
        nxt = DialogueState(town=town_name, clarifications=state.clarifications + 1)
        return Turn((clarify(options),), nxt, "clarified")
    if dept is not None:
        return Turn((department_referral(dept, catalog, rt),), DialogueState(town=town_name), "referred")
    return Turn((ask_rephrase(),), replace(fresh, clarifications=state.clarifications + 1), "clarified")


def _best_item(a: Analysis) -> Item | None:
    for ranked in a.route.items:
        if ranked.exact:
            return ranked.item
    if a.route.items:
        best = a.route.items[0]
        if best.coverage >= FUZZY_ITEM_MIN and best.item.department == a.route.top_department:
            return best.item
    return None


def _best_problem(a: Analysis, catalog: Catalog, code: str) -> Problem | None:
    problems = [catalog.problems[m.value] for m in sorted(a.matches, key=lambda m: -m.length) if m.kind == PROBLEM]
    return next((p for p in problems if p.department == code), problems[0] if problems else None)


def _options(a: Analysis, catalog: Catalog) -> list[tuple[str, str]]:
    """Up to three quick replies: the likeliest items, else the likeliest departments."""
    options: list[tuple[str, str]] = []
    seen_depts: set[str] = set()
    for ranked in a.route.items:
        if ranked.item.department not in seen_depts:
            options.append((ranked.item.name, ranked.item.name))
            seen_depts.add(ranked.item.department)
    for code, _ in a.route.departments:
        if code not in seen_depts:
            d = catalog.departments[code]
            options.append((f"{d.short}的事项", f"我要咨询{d.short}的事项"))
            seen_depts.add(code)
    return options[:3]
