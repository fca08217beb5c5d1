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
from bot.catalog.matcher import DEPARTMENT, ITEM, PROBLEM, TOWN, matcher_for, outermost
from bot.catalog.themes import finder_for, plan
from bot.config import settings
from bot.conversation.cues import MAX_CONTROL_CHARS, aspects_asked, fold, is_control, says, wants_human
from bot.conversation.dispute_form import MAX_ASKS, RECORD_QUESTIONS, DisputeForm
from bot.conversation.replies import (
    Reply,
    ask_comment,
    ask_matter,
    ask_more,
    ask_rephrase,
    cancelled,
    clarify,
    comment_saved,
    coordination_opened,
    department_follow_up,
    department_referral,
    dispute_cancelled,
    dispute_confirm,
    dispute_question,
    district_final,
    empty_message,
    escalation_opened,
    follow_up_answer,
    follow_up_opened,
    goodbye,
    greeting,
    handoff,
    in_traditional,
    malformed_number,
    out_of_scope,
    progress_help,
    rating_request,
    rating_thanks,
    record_not_found,
    record_status,
    referral,
    referral_brief,
    report_referral,
    restarted,
    thanks,
    theme_plan,
    too_long,
)
from bot.conversation.whole import WholeMatter, whole_matter
from bot.nlu.script import to_traditional
from bot.policy import get_policy
from bot.policy.cues import get_cues as get_policy_cues
from bot.policy.engine import decide
from bot.policy.facts import was_bounced
from bot.records.desk import Desk
from bot.records.masking import mask_excerpt
from bot.records.numbers import find_malformed, find_numbers
from bot.records.store import MatterRef, MatterUpdate
from bot.request_types import RequestType
from bot.vocabulary import SERVED_OUTCOMES, Outcome, Payload, Rating

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
MAX_STATUS_LOOKUPS = 3
# A typed answer to "which town?" is short; a longer message naming a town is a request of its own.
MAX_TOWN_ANSWER_CHARS = 12
# A follow-up this short ("可以网上办吗？") says nothing about the matter, whatever the department model guesses.
MAX_BARE_FOLLOW_UP_CHARS = 10


@dataclass(frozen=True)
class DialogueState:
    """What the assistant remembers between turns of one conversation (kept in a Rasa slot).

    Two kinds of memory: the matter under discussion (its item or department, town, who it is for),
    so that follow-ups and corrections are answered in context; and the conversation's own records
    and rating, so that "我刚才那个单" is recalled and 好差评 is asked once, at the end.
    """

    pending_item: str | None = None  # item waiting for the applicant's town (R3)
    town: str | None = None
    clarifications: int = 0  # clarifying questions asked for the current matter
    matter: int = 0  # number of the current matter in this conversation; 0 before the first
    matter_open: bool = False  # the current matter still waits for an answer (town, clarification)
    awaiting: str | None = None  # "rating", "comment" or "bounce_matter"
    follow_up: str | None = None  # HP record the awaited comment belongs to
    last_digest: str | None = None  # digest of the last request, to recognise a repeated delivery
    dispute: dict[str, Any] | None = None  # the dispute form being filled in (bot.conversation.dispute_form)
    topic_item: str | None = None  # the item under discussion (answered or being answered)
    topic_department: str | None = None  # its department, or the department when no item is known
    topic_record: str | None = None  # the record the current matter ended with (XT/TJ)
    for_whom: str | None = None  # the family member the matter is for ("妈妈"), when said
    records: tuple[str, ...] = ()  # numbers of the records this conversation opened, oldest first
    unrated: int = 0  # a served matter not rated yet: asked about at the end (好差评, once)
    rated: bool = False  # the applicant has rated this conversation
    topic_theme: str | None = None  # the whole matter (一件事) under discussion, answered as a plan
    theme_done: tuple[str, ...] = ()  # its items the applicant has or needs not (left out of the plan)

    def to_slot(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_slot(cls, value: Any) -> DialogueState:
        """Tolerant of missing or stale slot content: unknown keys are ignored, bad types reset."""
        if not isinstance(value, dict):
            return cls()
        known = {f.name: f.type for f in fields(cls)}
        kept = {k: v for k, v in value.items() if k in known}
        records = kept.get("records", ())
        if not isinstance(records, (list, tuple)) or not all(isinstance(r, str) for r in records):
            return cls()
        kept["records"] = tuple(records)
        done = kept.get("theme_done", ())
        if not isinstance(done, (list, tuple)) or not all(isinstance(d, str) for d in done):
            return cls()
        kept["theme_done"] = tuple(done)
        try:
            state = cls(**kept)
        except TypeError:
            return cls()
        ints_ok = all(isinstance(v, int) for v in (state.clarifications, state.matter, state.unrated))
        return state if ints_ok else cls()

    def settled(self, **changes: Any) -> DialogueState:
        """The state after a turn that leaves no question open: what the conversation knows stays."""
        cleared: dict[str, Any] = dict(
            pending_item=None, clarifications=0, matter_open=False, awaiting=None, follow_up=None, dispute=None
        )
        return replace(self, **{**cleared, **changes})


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


@dataclass(frozen=True)
class Heard:
    """One message as the dialogue reads it: the analysis, plus what the cues and the catalog see in
    its simplified-character form (so "在獅山" and "確認提交" are understood like "在狮山", "确认提交")."""

    a: Analysis
    text: str  # trimmed, traditional characters folded
    town: str | None  # a town named in the message
    items: tuple[Item, ...]  # items named in full (from the analysis or the folded text)
    departments: tuple[str, ...]  # departments named by name or alias, in text order
    aspects: tuple[str, ...]  # what a follow-up asks about (time, fee, …)
    for_whom: str | None  # a family member the matter is for
    theme_named: bool = False  # a whole matter (一件事) is named ("开餐馆", "生小孩")

    @property
    def item(self) -> Item | None:
        return self.items[0] if self.items else None


FAMILY = {
    "妈": "妈妈", "母亲": "妈妈", "阿妈": "妈妈", "老母": "妈妈",
    "爸": "爸爸", "父亲": "爸爸", "阿爸": "爸爸", "老豆": "爸爸",
    "老婆": "爱人", "老公": "爱人", "太太": "爱人", "先生": "爱人",
    "儿子": "孩子", "女儿": "孩子", "小孩": "孩子", "孩子": "孩子", "个仔": "孩子", "个女": "孩子",
    "父母": "父母", "家人": "家人", "屋企人": "家人", "老人": "老人",
    "爷爷": "老人", "奶奶": "老人", "外婆": "老人", "外公": "老人",
}  # fmt: skip


def hear(a: Analysis, catalog: Catalog) -> Heard:
    """Reads one message once for the dialogue (traditional characters folded, catalog re-matched)."""
    text = fold(a.text)
    matches = list(a.matches)
    if text != a.text.strip():
        matches += matcher_for(catalog).find(text)
    town = next((m.value for m in matches if m.kind == TOWN), None)
    best = _best_item(a)
    named = [r.item for r in a.route.items if r.exact]
    named += [catalog.items[m.value] for m in outermost(matches, (ITEM,)) if m.value in catalog.items]
    ordered = ([best] if best else []) + named
    items = tuple(dict.fromkeys(i for i in ordered if i is not None))
    departments = tuple(dict.fromkeys(m.value for m in sorted(matches, key=lambda m: m.start) if m.kind == DEPARTMENT))
    aspects = aspects_asked(text)
    for_whom = None
    if "family" in aspects or says("correction", text):
        for_whom = next((FAMILY[w] for w in sorted(FAMILY, key=len, reverse=True) if w in text), None)
    theme_named = bool(finder_for(catalog).find(text))
    return Heard(a, text, town, items, departments, aspects, for_whom, theme_named)


def respond(a: Analysis, state: DialogueState, catalog: Catalog, desk: Desk, who: Conversation) -> Turn:
    """The next turn. Records (R2, R4, R13, 好差评) go through ``desk``; everything else is pure.

    An applicant who writes in traditional characters is answered in them (payloads stay as they are)."""
    turn = _respond(a, state, catalog, desk, who)
    if a.traditional:
        return replace(turn, outputs=tuple(in_traditional(r, to_traditional) for r in turn.outputs))
    return turn


def _respond(a: Analysis, state: DialogueState, catalog: Catalog, desk: Desk, who: Conversation) -> Turn:
    raw = a.text.strip()
    if not raw or not any(ch.isalnum() for ch in raw):
        return Turn((empty_message(),), state, Outcome.CLARIFIED)
    if len(raw) > settings().max_text_chars:
        return Turn((too_long(settings().max_text_chars),), state, Outcome.CLARIFIED)
    h = hear(a, catalog)

    control = _control_turn(h, state, catalog, desk, who)
    if control is not None:
        return control
    numbers, malformed = find_numbers(h.text), find_malformed(h.text)
    if numbers or malformed:
        return _status(numbers, malformed, state, catalog, desk)
    follow = _follow_up_turn(h.text, state, desk, who)
    if follow is not None:
        return follow
    if state.records and says("recall", h.text) and not h.items:
        return _status(list(state.records[-MAX_STATUS_LOOKUPS:][::-1]), [], state, catalog, desk)
    form = DisputeForm.from_slot(state.dispute)
    if form is not None:
        return _dispute_turn(h, form, state, catalog, desk, who)
    return _answer(h, state, catalog, desk, who)


def _control_turn(h: Heard, state: DialogueState, catalog: Catalog, desk: Desk, who: Conversation) -> Turn | None:
    """转人工, 取消 and 重新开始, honoured at any point and in any form; None for anything else."""
    human = wants_human(h.text) or (
        h.a.request_type == RequestType.REQUEST_HUMAN and len(h.text) <= MAX_CONTROL_CHARS and not h.items
    )
    if human or h.text == Payload.HUMAN:
        kept = state.settled()
        open_matter = state.matter_open or state.dispute is not None or state.awaiting == "bounce_matter"
        update = MatterUpdate(RequestType.REQUEST_HUMAN, Outcome.HANDED_OVER) if open_matter else None
        if open_matter and state.dispute is not None:
            form = DisputeForm.from_slot(state.dispute)
            update = MatterUpdate(
                RequestType.DISPUTE_REJECTION,
                Outcome.HANDED_OVER,
                form.department if form else None,
                form.item if form else None,
            )
        return Turn((handoff(catalog),), kept, Outcome.HANDED_OVER, update)
    if is_control("restart", h.text):
        fresh = DialogueState(matter=state.matter, records=state.records, unrated=state.unrated, rated=state.rated)
        update = _cancelled_matter(state) if state.dispute is not None or state.matter_open else None
        return Turn((restarted(),), fresh, Outcome.ANSWERED, update)
    if is_control("cancel", h.text) or h.text == Payload.CANCEL:
        if state.dispute is not None:
            return Turn((dispute_cancelled(),), state.settled(), Outcome.ANSWERED, _cancelled_matter(state))
        if state.awaiting == "comment":
            return Turn((ask_more(),), state.settled(), Outcome.ANSWERED)
        if state.matter_open or state.awaiting == "bounce_matter":
            return Turn((cancelled(),), state.settled(), Outcome.ANSWERED, _cancelled_matter(state))
        return _ending(goodbye(catalog), state)
    return None


def _cancelled_matter(state: DialogueState) -> MatterUpdate:
    form = DisputeForm.from_slot(state.dispute)
    if form is not None:
        return MatterUpdate(RequestType.DISPUTE_REJECTION, Outcome.CANCELLED, form.department, form.item)
    return MatterUpdate(RequestType.CONSULT_ITEM, Outcome.CANCELLED, state.topic_department, state.topic_item)


def _ending(reply: Reply, state: DialogueState) -> Turn:
    """The applicant is done: the goodbye (or thanks), with the 好差评 question if a served matter
    has not been rated yet — once per conversation, at the end, not after every answer."""
    if state.unrated and not state.rated:
        nxt = state.settled(awaiting="rating")
        return Turn((reply, rating_request()), nxt, Outcome.ANSWERED)
    return Turn((reply,), state.settled(), Outcome.ANSWERED)


def _served(state: DialogueState, outcome: str) -> DialogueState:
    """Marks the current matter as one to be rated when it was served (R1, R2, R6)."""
    return replace(state, unrated=state.matter) if outcome in SERVED_OUTCOMES else state


def _dispute_turn(
    h: Heard, form: DisputeForm, state: DialogueState, catalog: Catalog, desk: Desk, who: Conversation
) -> Turn:
    """An answer to the dispute form: a button, free text, a correction or a confirmation."""
    text, a = h.text, h.a
    base = replace(state, awaiting=None, follow_up=None)
    ref = MatterRef(who.conversation_id, who.channel, state.matter)
    if form.asked == "confirm" and text == Payload.CONFIRM:
        decision = decide(form.facts(), get_policy())
        record, fresh = desk.open_escalation(
            ref, form.facts(), decision, form.item, form.department, form.record_summary()
        )
        update = MatterUpdate(
            RequestType.DISPUTE_REJECTION, Outcome.ESCALATED, form.department, form.item, record.number
        )
        done = _served(
            base.settled(topic_record=record.number, records=_with_record(state.records, record.number)),
            Outcome.ESCALATED,
        )
        return Turn((escalation_opened(record, decision, fresh),), done, Outcome.ESCALATED, update)
    if form.asked == "confirm" and text == Payload.RESTART:
        form = DisputeForm(item=form.item, department=form.department, summary=form.summary)
        return _advance(form, base, False, catalog)
    matter_item = h.item
    matter_dept = h.departments[0] if h.departments else None
    if says("correction", text) or form.asked == "confirm":
        # A correction replaces what it corrects; at the confirmation anything typed is one.
        form = form.correct(a.assessment.extracted)
        if matter_item is not None:
            form = form.with_matter(matter_item.id, matter_item.department)
        elif matter_dept is not None:
            form = form.with_matter(None, matter_dept)
    answered = form.answer(text)
    if answered != form:
        form = answered
    else:
        form = form.merge(a.assessment.extracted)
        if form.asked == "item" or (form.item is None and form.department is None):
            if matter_item is not None:
                form = form.with_matter(matter_item.id, matter_item.department)
            elif matter_dept is not None or (a.route.confident and a.route.top_department):
                form = form.with_matter(None, matter_dept or a.route.top_department)
    return _advance(form.told(text), base, False, catalog)


def _with_record(records: tuple[str, ...], number: str) -> tuple[str, ...]:
    return records if number in records else (*records, number)


def _advance(form: DisputeForm, base: DialogueState, first: bool, catalog: Catalog) -> Turn:
    """Ask the next missing fact, or show what will be submitted and where (R10: confirm first)."""
    question = form.missing()
    while question is not None and form.asked == question and form.asks >= MAX_ASKS:
        form = form.give_up_on(question)
        question = form.missing()
    update = MatterUpdate(RequestType.DISPUTE_REJECTION, Outcome.CLARIFIED, form.department, form.item)
    decision = decide(form.facts(), get_policy()) if question in (None, *RECORD_QUESTIONS) else None
    if decision is not None and decision.final_in_district:
        done = _served(base.settled(), Outcome.REFERRED)
        return Turn((district_final(decision),), done, Outcome.REFERRED, replace(update, outcome=Outcome.REFERRED))
    if question is not None:
        form = form.asking(question)
        nxt = replace(base, dispute=form.to_slot(), matter_open=True)
        return Turn((dispute_question(question, first),), nxt, Outcome.CLARIFIED, update)
    assert decision is not None
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
    nxt = state.settled(matter=matter)
    return Turn(tuple(outputs), nxt, Outcome.ANSWERED, update)


def _follow_up_turn(text: str, state: DialogueState, desk: Desk, who: Conversation) -> Turn | None:
    """A rating, a comment or their buttons, when one was asked for; None for anything else."""
    ref = MatterRef(who.conversation_id, who.channel, state.unrated or state.matter)
    done = state.settled()
    rating = Rating.from_label(text) if state.awaiting == "rating" else None
    if rating is not None:
        rated = replace(done, rated=True, unrated=0)
        follow_up = desk.rate(ref, int(rating))
        if follow_up is not None:
            nxt = replace(rated, awaiting="comment", follow_up=follow_up.number)
            return Turn((follow_up_opened(follow_up, text),), nxt, Outcome.ANSWERED)
        return Turn((rating_thanks(text),), rated, Outcome.ANSWERED)
    if text == Payload.WRITE_COMMENT and state.matter:
        return Turn((ask_comment(),), replace(done, awaiting="comment"), Outcome.ANSWERED)
    if state.awaiting == "comment":
        if text == Payload.SKIP_COMMENT:
            return Turn((ask_more(),), done, Outcome.ANSWERED)
        desk.comment(ref, text, state.follow_up)
        return Turn((comment_saved(state.follow_up),), done, Outcome.ANSWERED)
    return None


def _answer(h: Heard, state: DialogueState, catalog: Catalog, desk: Desk, who: Conversation) -> Turn:
    a, text = h.a, h.text
    town_name = h.town or state.town
    # A repeated delivery of the same request, or an answer to our own question, continues the
    # matter; anything else that is a government request starts a new one.
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    continuing = state.matter_open or (digest == state.last_digest and state.matter > 0)
    matter = state.matter if continuing else state.matter + 1
    base = state.settled(town=town_name, matter=matter, last_digest=digest, for_whom=h.for_whom or state.for_whom)
    ref = MatterRef(who.conversation_id, who.channel, matter)
    topic = catalog.items.get(state.topic_item or "")
    town = catalog.towns.get(town_name or "")

    def served(outputs: tuple[Reply, ...], outcome: str, dept: str | None, item: str | None = None) -> Turn:
        number = outputs[-1].data.get("number") if outcome == Outcome.COORDINATION_OPENED else None
        update = MatterUpdate(a.request_type, outcome, dept, item, number)
        open_ = outcome == Outcome.CLARIFIED
        nxt = replace(base, matter_open=open_, topic_item=item, topic_department=dept, topic_record=number)
        nxt = replace(nxt, topic_theme=None, theme_done=())  # a plan sets its own (below)
        if number:
            nxt = replace(nxt, records=_with_record(state.records, str(number)))
        return Turn(outputs, _served(nxt, outcome), outcome, update)

    def coordinate(reason: str, depts: list[str], item: Item | None = None) -> Turn:
        record, fresh = desk.open_coordination(ref, reason, depts, item.id if item else None, text)
        outputs = (coordination_opened(record, catalog, fresh, responsible=item),)
        return served(outputs, Outcome.COORDINATION_OPENED, depts[0] if depts else None, item.id if item else None)

    def refer(item: Item, same_matter: bool = False) -> Turn:
        at = catalog.towns.get(town_name or "")
        if same_matter:
            nonlocal base
            base = replace(base, matter=state.matter or matter)
        return served((referral(item, catalog, at, base.for_whom),), Outcome.REFERRED, item.department, item.id)

    # Answers to our own questions: the town (typed or pressed), the matter a bounce is about.
    if state.awaiting == "bounce_matter" and not h.aspects:
        return _coordinate_bounce(h, state, base, catalog, coordinate)
    if state.pending_item in catalog.items and text == Payload.DISTRICT_CENTRE:
        return refer(catalog.items[state.pending_item or ""], same_matter=True)
    if state.pending_item and state.pending_item in catalog.items and not _names_other_item(h, state.pending_item):
        pending = catalog.items[state.pending_item]
        if h.town:
            return refer(pending, same_matter=True)
        if h.aspects:
            keep = replace(state, for_whom=base.for_whom)
            return Turn((follow_up_answer(pending, h.aspects, catalog, None, base.for_whom),), keep, Outcome.CLARIFIED)
    if h.town and topic is not None and _only_town(h):
        # "其实我喺西樵": the town corrects or completes the matter under discussion.
        if topic.handled_in_towns:
            return refer(topic, same_matter=True)
        nxt = replace(state.settled(), town=town_name)
        return Turn((follow_up_answer(topic, ("where",), catalog, town, state.for_whom),), nxt, Outcome.ANSWERED)

    theme = catalog.themes.get(state.topic_theme or "")
    if theme is not None and topic is None and not h.items and not h.theme_named and (_only_town(h) or h.aspects):
        # "间铺喺狮山", "喺边度办", "几耐": about the whole matter under discussion — its plan again,
        # now with the town's centre.
        again = plan(theme, catalog, frozenset(state.theme_done))
        nxt = replace(state.settled(), town=town_name)
        return Turn((theme_plan(again, catalog, town),), nxt, Outcome.ANSWERED)

    if text == Payload.MORE:
        return Turn((ask_more(),), state.settled(town=town_name), Outcome.ANSWERED)
    if text == Payload.NONE_OF_THESE:
        nxt = replace(state, pending_item=None, awaiting=None, matter_open=True)
        return Turn((ask_rephrase(),), nxt, Outcome.CLARIFIED)

    rt = a.request_type
    top = a.route.top_department
    dept = catalog.departments[top] if top else None
    named = [code for code, _ in a.route.departments]
    # Sent away informally (no formal rejection): the first-consultation unit coordinates (R2) and
    # names the responsible department. A loop of prerequisites (互为前置, G5) is a dispute (R6).
    if _bounced(h) and not says("prerequisites", text):
        item = h.item or (topic if not h.items else None)
        if item is None and not h.departments:
            # Who sent the applicant away, and about what, is not known: ask once, then coordinate.
            nxt = replace(base, awaiting="bounce_matter", matter_open=True)
            update = MatterUpdate(rt, Outcome.CLARIFIED)
            return Turn((ask_matter(bounced=True),), nxt, Outcome.CLARIFIED, update)
        if item is not None and not h.items:
            base = replace(base, matter=state.matter or matter)  # the matter under discussion
            ref = MatterRef(who.conversation_id, who.channel, base.matter)
        depts = _involved(item, h, a)
        return coordinate("refused", depts, item)

    # A correction ("不是，我是说…") is not a rejection, whatever the classifier made of the "不是".
    told_rejection = a.assessment.rejection_told or any(p.search(text) for p in get_policy_cues().rejected)
    if says("correction", text) and not told_rejection:
        if h.item is not None:
            return refer(h.item, same_matter=True)
        if not h.aspects:
            return Turn((ask_rephrase(),), replace(state, matter_open=True), Outcome.CLARIFIED)

    # A whole matter (一件事): every item in order, without what the applicant already has.
    whole = _whole(h, state, catalog, rt, told_rejection)
    if whole is not None:
        remaining = plan(whole.theme, catalog, whole.done)
        first = remaining.steps[0].item if remaining.steps else catalog.items[whole.theme.steps[0].item]
        turn = served((theme_plan(remaining, catalog, town),), Outcome.REFERRED, first.department)
        as_consult = replace(turn.matter, request_type=RequestType.CONSULT_ITEM) if turn.matter else None
        nxt = replace(turn.state, topic_theme=whole.theme.id, theme_done=tuple(sorted(whole.done)))
        return replace(turn, state=nxt, matter=as_consult)

    # A follow-up about the matter under discussion (time, fees, where, who must come …).
    if h.aspects and not told_rejection and (not h.items or (topic and h.item == topic)):
        if state.topic_record and "time" in h.aspects and not h.items:
            record = desk.find(state.topic_record)
            if record is not None:
                return Turn((record_status(record, catalog),), state.settled(), Outcome.ANSWERED)
        if topic is not None:
            nxt = replace(state.settled(), for_whom=base.for_whom, town=town_name)
            reply = follow_up_answer(topic, h.aspects, catalog, town, base.for_whom)
            return Turn((reply,), nxt, Outcome.ANSWERED)
        if state.topic_department in catalog.departments:
            d = catalog.departments[state.topic_department or ""]
            return Turn((department_follow_up(d, h.aspects, catalog),), state.settled(), Outcome.ANSWERED)
        if not _has_content(h) and (len(text) <= MAX_BARE_FOLLOW_UP_CHARS or not (a.route.confident and top)):
            nxt = replace(state.settled(), town=town_name)
            return Turn((ask_matter(h.aspects, town_name),), nxt, Outcome.CLARIFIED)

    if h.town and _only_town(h):
        nxt = replace(state.settled(), town=town_name)
        return Turn((ask_matter((), town_name),), nxt, Outcome.CLARIFIED)

    if _ends(h):
        reply = thanks() if rt == RequestType.THANK or says("thanks", text) else goodbye(catalog)
        return _ending(reply, state)

    if rt in SIMPLE_REPLIES and not a.bounced:
        if rt == RequestType.OUT_OF_SCOPE and _has_content(h):
            rt = RequestType.CONSULT_ITEM  # a catalog item or department named: never "not our business"
        else:
            outcome = SIMPLE_OUTCOMES.get(rt, Outcome.ANSWERED)
            keep = state.settled(town=town_name)
            return Turn((SIMPLE_REPLIES[rt](catalog),), keep, outcome)

    if rt == RequestType.QUERY_PROGRESS:
        confident_dept = dept if a.route.confident else None
        numbers = (*a.record_numbers, *a.application_numbers)
        return served((progress_help(confident_dept, catalog, numbers),), Outcome.ANSWERED, top)
    if rt == RequestType.DISPUTE_REJECTION:
        item_ = h.item
        department = item_.department if item_ else (h.departments[0] if h.departments else None)
        if department is None and a.route.confident:
            department = top
        form = DisputeForm.start(a.assessment.extracted, item_.id if item_ else None, department, mask_excerpt(text))
        return _advance(form.told(text), base, True, catalog)

    item = h.item
    if rt in CONSULT_TYPES and item is not None:
        if topic is not None and item == topic and not h.town:
            reply = referral_brief(item, catalog, town)
            return Turn((reply,), replace(state.settled(), last_digest=digest), Outcome.ANSWERED)
        spanning = _items_across_departments(a)
        if len(spanning) >= 2:
            depts = list(dict.fromkeys(i.department for i in spanning))
            refs = tuple(referral(i, catalog, town) for i in spanning[:2])
            record, fresh = desk.open_coordination(ref, "multi_department", depts, item.id, text)
            outputs = (*refs, coordination_opened(record, catalog, fresh))
            return served(outputs, Outcome.COORDINATION_OPENED, depts[0], item.id)
        # Answered first and whole, town or not: the reply names the district centre, "or any town
        # centre", and offers the nearest town's address (R1, R3).
        return refer(item)

    if dept is not None and a.route.confident:
        if rt in REPORT_TYPES:
            problem = _best_problem(a, catalog, dept.code)
            also = [catalog.departments[c] for c in (problem.also if problem else ())[:2]]
            return served((report_referral(dept, catalog, problem, rt, also),), Outcome.REFERRED, dept.code)
        return served((department_referral(dept, catalog, rt),), Outcome.REFERRED, dept.code)
    if continuing and state.clarifications >= 1 and (_has_content(h) or (a.route.departments and not h.aspects)):
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


def _coordinate_bounce(
    h: Heard,
    state: DialogueState,
    base: DialogueState,
    catalog: Catalog,
    coordinate: Callable[[str, list[str], Item | None], Turn],
) -> Turn:
    """The matter a bounced applicant was asked for: now the coordination record, whatever was told."""
    del state, base, catalog  # the record belongs to the matter opened when the bounce was told
    return coordinate("refused", _involved(h.item, h, h.a), h.item)


def _involved(item: Item | None, h: Heard, a: Analysis) -> list[str]:
    """The departments a coordination is about: the responsible one first, then those named."""
    depts = [item.department] if item else []
    depts += list(h.departments)
    if not depts and a.route.confident and a.route.top_department:
        depts.append(a.route.top_department)
    return list(dict.fromkeys(depts))[:3]


def _bounced(h: Heard) -> bool:
    """Sent away by a department without a formal rejection (R2), in the escalation cues' words or
    the conversation's ("派出所叫我去社区开，社区又叫我去派出所")."""
    if h.a.bounced or was_bounced(h.text, get_policy_cues()):
        return True
    return says("sent_around", h.text) and not h.a.assessment.rejection_told


def _only_town(h: Heard) -> bool:
    """A short message naming a town and nothing else to do ("在里水镇", "厂喺狮山", "搞错了，我在大沥")."""
    return h.town is not None and not h.items and not h.aspects and len(h.text) <= MAX_TOWN_ANSWER_CHARS


def _names_other_item(h: Heard, pending: str) -> bool:
    return any(i.id != pending for i in h.items)


def _has_content(h: Heard) -> bool:
    """The message names something the district handles: an item, a department, a problem or a
    whole matter."""
    return bool(h.items or h.departments or h.theme_named or any(m.kind == PROBLEM for m in h.a.matches))


# Request types that are never a whole matter, whatever they name ("隔壁开餐厅油烟好大" is a report).
NOT_WHOLE = (*REPORT_TYPES, RequestType.DISPUTE_REJECTION, RequestType.QUERY_PROGRESS, RequestType.REQUEST_HUMAN)


def _whole(h: Heard, state: DialogueState, catalog: Catalog, rt: str, told_rejection: bool) -> WholeMatter | None:
    """The whole matter this message asks about, if it asks about one (see bot.conversation.whole)."""
    if told_rejection or (rt in NOT_WHOLE and not says("what_else", h.text)):
        return None
    topic = catalog.themes.get(state.topic_theme or "")
    return whole_matter(h.text, catalog, h.items, h.aspects, topic, frozenset(state.theme_done))


def _ends(h: Heard) -> bool:
    """The applicant is done: goodbye, thanks, "没有了" — short, naming no matter."""
    if _has_content(h) or h.aspects or len(h.text) > MAX_CONTROL_CHARS:
        return False
    if h.a.request_type in (RequestType.GOODBYE, RequestType.THANK, RequestType.DENY):
        return True
    return says("ending", h.text) or says("thanks", h.text)


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
