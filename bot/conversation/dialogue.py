"""What the assistant says next: a pure function of the understood message and a little state.

Rasa handles language understanding, channels and the conversation store; the decision about what
to answer lives here as plain Python so it is testable without a server. The action server turns a
:class:`Turn` into Rasa events.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from bot.analysis import Analysis
from bot.catalog import Catalog, Item, Problem
from bot.catalog.matcher import PROBLEM, TOWN
from bot.config import settings
from bot.conversation.dispute_form import MAX_ASKS, DisputeForm
from bot.conversation.replies import (
    Reply,
    ask_comment,
    ask_more,
    ask_rephrase,
    ask_town,
    clarify,
    comment_saved,
    coordination_opened,
    department_referral,
    dispute_cancelled,
    dispute_confirm,
    dispute_question,
    district_final,
    empty_message,
    escalation_opened,
    follow_up_opened,
    goodbye,
    greeting,
    handoff,
    malformed_number,
    out_of_scope,
    progress_help,
    rating_request,
    rating_thanks,
    record_not_found,
    record_status,
    referral,
    report_referral,
    thanks,
    too_long,
)
from bot.policy import get_policy
from bot.policy.engine import decide
from bot.records.desk import Desk
from bot.records.masking import mask_excerpt
from bot.records.numbers import find_malformed, find_numbers
from bot.records.store import MatterRef, MatterUpdate
from bot.request_types import RequestType
from bot.vocabulary import SERVED_OUTCOMES, Ground, Outcome, Payload, Rating

CONSULT_TYPES = (RequestType.CONSULT_ITEM, RequestType.BOOK_APPOINTMENT, RequestType.ONLINE_HELP)
REPORT_TYPES = (RequestType.COMPLAINT, RequestType.REPORT_ISSUE)
SIMPLE_REPLIES: dict[str, Callable[[Catalog], Reply]] = {
    RequestType.GREET: lambda c: greeting(),
    RequestType.GOODBYE: goodbye,
    RequestType.THANK: lambda c: thanks(),
    RequestType.AFFIRM: lambda c: ask_more(),
    RequestType.DENY: goodbye,
    RequestType.REQUEST_HUMAN: handoff,
    RequestType.OUT_OF_SCOPE: lambda c: out_of_scope(),
}
SIMPLE_OUTCOMES: dict[str, Outcome] = {
    RequestType.REQUEST_HUMAN: Outcome.HANDED_OVER,
    RequestType.OUT_OF_SCOPE: Outcome.OUT_OF_SCOPE,
}
# An item found only by similarity must have this much of its name in the text to be named
# without asking, and belong to the department the evidence points to.
FUZZY_ITEM_MIN = 0.6
# Outcomes that serve a matter: the applicant is asked to rate the service (好差评).
MAX_STATUS_LOOKUPS = 3


@dataclass(frozen=True)
class DialogueState:
    """What the assistant remembers between turns of one conversation (kept in a Rasa slot)."""

    pending_item: str | None = None  # item waiting for the applicant's town (R3)
    town: str | None = None
    clarifications: int = 0  # clarifying questions asked for the current matter
    matter: int = 0  # number of the current matter in this conversation; 0 before the first
    matter_open: bool = False  # the current matter still waits for an answer (town, clarification)
    awaiting: str | None = None  # "rating" or "comment"
    follow_up: str | None = None  # HP record the awaited comment belongs to
    last_digest: str | None = None  # digest of the last request, to recognise a repeated delivery
    dispute: dict[str, Any] | None = None  # the dispute form being filled in (bot.conversation.dispute_form)

    def to_slot(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_slot(cls, value: Any) -> DialogueState:
        """Tolerant of missing or stale slot content: unknown keys are ignored, bad types reset."""
        if not isinstance(value, dict):
            return cls()
        known = {f.name: f.type for f in fields(cls)}
        kept = {k: v for k, v in value.items() if k in known}
        try:
            state = cls(**kept)
        except TypeError:
            return cls()
        ints_ok = isinstance(state.clarifications, int) and isinstance(state.matter, int)
        return state if ints_ok else cls()


@dataclass(frozen=True)
class Conversation:
    conversation_id: str
    channel: str


@dataclass(frozen=True)
class Turn:
    outputs: tuple[Reply, ...]
    state: DialogueState
    outcome: str  # an Outcome (bot.vocabulary)
    matter: MatterUpdate | None = None  # set when the turn belongs to a government matter (R4)


def respond(a: Analysis, state: DialogueState, catalog: Catalog, desk: Desk, who: Conversation) -> Turn:
    """The next turn. Records (R2, R4, R13, 好差评) go through ``desk``; everything else is pure."""
    text = a.text.strip()
    if not text or not any(ch.isalnum() for ch in text):
        return Turn((empty_message(),), state, Outcome.CLARIFIED)
    if len(text) > settings().max_text_chars:
        return Turn((too_long(settings().max_text_chars),), state, Outcome.CLARIFIED)

    numbers, malformed = find_numbers(text), find_malformed(text)
    if numbers or malformed:
        return _status(numbers, malformed, state, catalog, desk)
    follow = _follow_up_turn(text, state, desk, who)
    if follow is not None:
        return follow
    form = DisputeForm.from_slot(state.dispute)
    if form is not None and a.request_type != RequestType.REQUEST_HUMAN:
        turn = _dispute_turn(a, text, form, state, catalog, desk, who)
        return _with_rating(turn)

    return _with_rating(_answer(a, text, state, catalog, desk, who))


def _with_rating(turn: Turn) -> Turn:
    """A served matter ends with the 好差评 question."""
    if turn.outcome not in SERVED_OUTCOMES:
        return turn
    return replace(turn, outputs=(*turn.outputs, rating_request()), state=replace(turn.state, awaiting="rating"))


def _dispute_turn(
    a: Analysis, text: str, form: DisputeForm, state: DialogueState, catalog: Catalog, desk: Desk, who: Conversation
) -> Turn:
    """An answer to the dispute form: a button, free text, a confirmation or a cancellation."""
    base = replace(state, awaiting=None, follow_up=None)
    ref = MatterRef(who.conversation_id, who.channel, state.matter)
    if text == Payload.CANCEL:
        update = MatterUpdate(RequestType.DISPUTE_REJECTION, Outcome.CANCELLED, form.department, form.item)
        return Turn((dispute_cancelled(),), replace(base, dispute=None, matter_open=False), Outcome.ANSWERED, update)
    if form.asked == "confirm" and text == Payload.CONFIRM:
        decision = decide(form.facts(), get_policy())
        record, fresh = desk.open_escalation(ref, form.facts(), decision, form.item, form.department, form.summary)
        update = MatterUpdate(
            RequestType.DISPUTE_REJECTION, Outcome.ESCALATED, form.department, form.item, record.number
        )
        done = replace(base, dispute=None, matter_open=False)
        return Turn((escalation_opened(record, decision, fresh),), done, Outcome.ESCALATED, update)
    if form.asked == "confirm" and text == Payload.RESTART:
        form = DisputeForm(item=form.item, department=form.department, summary=form.summary)
    else:
        answered = form.answer(text)
        form = answered if answered != form else form.merge(a.assessment.extracted)
        if form.item is None and form.department is None:
            item = _best_item(a)
            dept = item.department if item else (a.route.top_department if a.route.confident else None)
            form = replace(form, item=item.id if item else None, department=dept)
    return _advance(form, base, False, catalog)


def _advance(form: DisputeForm, base: DialogueState, first: bool, catalog: Catalog) -> Turn:
    """Ask the next missing fact, or show what will be submitted and where (R10: confirm first)."""
    question = form.missing()
    while question is not None and form.asked == question and form.asks >= MAX_ASKS:
        form = form.give_up_on(question)
        question = form.missing()
    update = MatterUpdate(RequestType.DISPUTE_REJECTION, Outcome.CLARIFIED, form.department, form.item)
    if question is not None:
        form = form.asking(question)
        nxt = replace(base, dispute=form.to_slot(), matter_open=True)
        return Turn((dispute_question(question, first),), nxt, Outcome.CLARIFIED, update)
    decision = decide(form.facts(), get_policy())
    if decision.final_in_district:
        done = replace(base, dispute=None, matter_open=False)
        return Turn((district_final(decision),), done, Outcome.REFERRED, replace(update, outcome=Outcome.REFERRED))
    form = form.asking("confirm")
    nxt = replace(base, dispute=form.to_slot(), matter_open=True)
    return Turn((dispute_confirm(form, decision, catalog),), nxt, Outcome.CLARIFIED, update)


def _status(numbers: list[str], malformed: list[str], state: DialogueState, catalog: Catalog, desk: Desk) -> Turn:
    """R13: the status of each record number in the message, from any conversation."""
    outputs: list[Reply] = []
    for number in numbers[:MAX_STATUS_LOOKUPS]:
        record = desk.find(number)
        outputs.append(record_status(record, catalog) if record else record_not_found(number, catalog))
    if not numbers:
        outputs.append(malformed_number(malformed[0]))
    matter = state.matter + 1
    update = MatterUpdate(RequestType.QUERY_PROGRESS, Outcome.ANSWERED, record_number=numbers[0] if numbers else None)
    nxt = DialogueState(town=state.town, matter=matter)
    return Turn(tuple(outputs), nxt, Outcome.ANSWERED, update)


def _follow_up_turn(text: str, state: DialogueState, desk: Desk, who: Conversation) -> Turn | None:
    """A rating, a comment or their buttons, when one was asked for; None for anything else."""
    ref = MatterRef(who.conversation_id, who.channel, state.matter)
    done = DialogueState(town=state.town, matter=state.matter)
    rating = Rating.from_label(text) if state.awaiting == "rating" else None
    if rating is not None:
        follow_up = desk.rate(ref, int(rating))
        if follow_up is not None:
            nxt = replace(done, awaiting="comment", follow_up=follow_up.number)
            return Turn((follow_up_opened(follow_up, text),), nxt, Outcome.ANSWERED)
        return Turn((rating_thanks(text),), done, Outcome.ANSWERED)
    if text == Payload.WRITE_COMMENT and state.matter:
        return Turn((ask_comment(),), replace(done, awaiting="comment"), Outcome.ANSWERED)
    if state.awaiting == "comment":
        if text == Payload.SKIP_COMMENT:
            return Turn((ask_more(),), done, Outcome.ANSWERED)
        desk.comment(ref, text, state.follow_up)
        return Turn((comment_saved(state.follow_up),), done, Outcome.ANSWERED)
    return None


def _answer(a: Analysis, text: str, state: DialogueState, catalog: Catalog, desk: Desk, who: Conversation) -> Turn:
    said_town = next((m.value for m in a.matches if m.kind == TOWN), None)
    town_name = said_town or state.town
    # A repeated delivery of the same request, or an answer to our own question, continues the
    # matter; anything else that is a government request starts a new one.
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    continuing = state.matter_open or (digest == state.last_digest and state.matter > 0)
    matter = state.matter if continuing else state.matter + 1
    base = DialogueState(town=town_name, matter=matter, last_digest=digest)
    ref = MatterRef(who.conversation_id, who.channel, matter)

    def served(outputs: tuple[Reply, ...], outcome: str, dept: str | None, item: str | None = None) -> Turn:
        number = outputs[-1].data.get("number") if outcome == Outcome.COORDINATION_OPENED else None
        update = MatterUpdate(a.request_type, outcome, dept, item, number)
        open_ = outcome == Outcome.CLARIFIED
        return Turn(outputs, replace(base, matter_open=open_), outcome, update)

    def coordinate(reason: str, depts: list[str], item: Item | None = None) -> Turn:
        record, fresh = desk.open_coordination(ref, reason, depts, item.id if item else None, text)
        outputs = (coordination_opened(record, catalog, fresh),)
        return served(outputs, Outcome.COORDINATION_OPENED, depts[0] if depts else None, item.id if item else None)

    if state.pending_item and state.pending_item in catalog.items:
        pending = catalog.items[state.pending_item]
        if said_town or text == Payload.DISTRICT_CENTRE:
            town = catalog.towns.get(said_town) if said_town else None
            ref_pending = replace(base, matter=state.matter)
            update = MatterUpdate(RequestType.CONSULT_ITEM, Outcome.REFERRED, pending.department, pending.id)
            return Turn((referral(pending, catalog, town),), ref_pending, Outcome.REFERRED, update)

    if text == Payload.MORE:
        return Turn((ask_more(),), DialogueState(town=town_name, matter=state.matter), Outcome.ANSWERED)
    if text == Payload.NONE_OF_THESE:
        nxt = replace(state, pending_item=None, awaiting=None, matter_open=True)
        return Turn((ask_rephrase(),), nxt, Outcome.CLARIFIED)

    rt = a.request_type
    if rt in SIMPLE_REPLIES and not a.bounced:
        outcome = SIMPLE_OUTCOMES.get(rt, Outcome.ANSWERED)
        keep = DialogueState(town=town_name, matter=state.matter)
        handed = MatterUpdate(rt, outcome) if rt == RequestType.REQUEST_HUMAN and state.matter_open else None
        return Turn((SIMPLE_REPLIES[rt](catalog),), keep, outcome, handed)

    top = a.route.top_department
    dept = catalog.departments[top] if top else None
    named = [code for code, _ in a.route.departments]
    # Sent away informally: the first-consultation unit coordinates (R2). Departments that each wait
    # for the other (互为前置, G5) are a dispute for the district instead (R6).
    if a.bounced and not (
        rt == RequestType.DISPUTE_REJECTION and a.assessment.extracted.facts.ground == Ground.DEPARTMENTS_DISAGREE
    ):
        return coordinate("refused", named[:3] if not a.route.confident else named[:1])
    if rt == RequestType.QUERY_PROGRESS:
        confident_dept = dept if a.route.confident else None
        numbers = (*a.record_numbers, *a.application_numbers)
        return served((progress_help(confident_dept, catalog, numbers),), Outcome.ANSWERED, top)
    if rt == RequestType.DISPUTE_REJECTION:
        item_ = _best_item(a)
        department = item_.department if item_ else (top if a.route.confident else None)
        form = DisputeForm.start(a.assessment.extracted, item_.id if item_ else None, department, mask_excerpt(text))
        return _advance(form, base, True, catalog)

    item = _best_item(a)
    if rt in CONSULT_TYPES and item is not None:
        spanning = _items_across_departments(a)
        if len(spanning) >= 2:
            depts = list(dict.fromkeys(i.department for i in spanning))
            refs = tuple(referral(i, catalog, catalog.towns.get(town_name or "")) for i in spanning[:2])
            record, fresh = desk.open_coordination(ref, "multi_department", depts, item.id, text)
            outputs = (*refs, coordination_opened(record, catalog, fresh))
            return served(outputs, Outcome.COORDINATION_OPENED, depts[0], item.id)
        if item.handled_in_towns and town_name is None:
            nxt = replace(base, pending_item=item.id, matter_open=True)
            update = MatterUpdate(rt, Outcome.CLARIFIED, item.department, item.id)
            return Turn((ask_town(item, catalog),), nxt, Outcome.CLARIFIED, update)
        town = catalog.towns.get(town_name) if town_name else None
        return served((referral(item, catalog, town),), Outcome.REFERRED, item.department, item.id)

    if dept is not None and a.route.confident:
        if rt in REPORT_TYPES:
            problem = _best_problem(a, catalog, dept.code)
            also = [catalog.departments[c] for c in (problem.also if problem else ())[:2]]
            return served((report_referral(dept, catalog, problem, rt, also),), Outcome.REFERRED, dept.code)
        return served((department_referral(dept, catalog, rt),), Outcome.REFERRED, dept.code)
    if continuing and state.clarifications >= 1:
        # R2: still no department named with confidence after asking: we coordinate, never bounce.
        return coordinate("unclear", named[:3])

    clarified = replace(base, clarifications=state.clarifications + 1, matter_open=True)
    options = _options(a, catalog)
    update = MatterUpdate(rt, Outcome.CLARIFIED, top)
    if len(options) >= 2:
        return Turn((clarify(options),), clarified, Outcome.CLARIFIED, update)
    if dept is not None:
        return served((department_referral(dept, catalog, rt),), Outcome.REFERRED, dept.code)
    return Turn((ask_rephrase(),), clarified, Outcome.CLARIFIED, update)


def _items_across_departments(a: Analysis) -> list[Item]:
    """Items named in full that belong to different departments: one matter, several departments."""
    out: list[Item] = []
    for ranked in a.route.items:
        if ranked.exact and all(i.department != ranked.item.department for i in out):
            out.append(ranked.item)
    return out


def _best_item(a: Analysis) -> Item | None:
    exact = [ranked.item for ranked in a.route.items if ranked.exact]
    if exact:
        # Several items named: the one of the department the whole message points to.
        return next((i for i in exact if i.department == a.route.top_department), exact[0])
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
