"""The dialogue's decisions, without a server: what an applicant gets for each kind of message."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.engine import Engine

from bot.analysis import analyse
from bot.catalog import Catalog, Item
from bot.conversation.dialogue import Conversation, DialogueState, respond
from bot.conversation.replies import Reply, render_text
from bot.policy import get_policy
from bot.records.clock import LOCAL_TZ, FixedClock
from bot.records.db import make_engine
from bot.records.desk import ServiceDesk
from bot.records.migrate import upgrade
from bot.records.store import RecordStore
from bot.vocabulary import Payload
from tests.conftest import ParseFactory

WHO = Conversation("applicant-1", "rest")


@pytest.fixture
def memory_db() -> Engine:
    engine = make_engine("sqlite://")
    upgrade(engine)
    return engine


@pytest.fixture
def desk(memory_db: Engine) -> ServiceDesk:
    clock = FixedClock(datetime(2026, 11, 27, 10, 0, tzinfo=LOCAL_TZ))
    return ServiceDesk(RecordStore(memory_db, clock), get_policy())


def _town_item(catalog: Catalog) -> Item:
    return next(i for i in catalog.items.values() if i.handled_in_towns and len(i.towns) == 7)


def _district_item(catalog: Catalog) -> Item:
    return next(i for i in catalog.items.values() if not i.handled_in_towns)


def test_town_item_without_town_asks_for_it_with_buttons(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    item = _town_item(catalog)
    turn = respond(analyse(make_parse(item.name), catalog), DialogueState(), catalog, desk, WHO)
    reply = turn.outputs[0]
    assert isinstance(reply, Reply) and reply.kind == "ask_town"
    assert {b.payload for b in reply.buttons} >= {"西樵镇", "大沥镇", Payload.DISTRICT_CENTRE}
    assert turn.state.pending_item == item.id


def test_town_answer_completes_the_referral_at_the_town_centre(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    item = _town_item(catalog)
    state = DialogueState(pending_item=item.id)
    turn = respond(
        analyse(make_parse("西樵", intent="out_of_scope", confidence=0.9), catalog), state, catalog, desk, WHO
    )
    reply = turn.outputs[0]
    assert isinstance(reply, Reply) and reply.kind == "referral"
    text = render_text(reply)
    assert "西樵镇行政服务中心" in text
    assert turn.state.pending_item is None and turn.state.town == "西樵镇"


def test_referral_is_one_complete_answer(catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk) -> None:
    item = _district_item(catalog)
    turn = respond(analyse(make_parse(item.name), catalog), DialogueState(), catalog, desk, WHO)
    reply = turn.outputs[0]
    assert isinstance(reply, Reply) and reply.kind == "referral" and turn.outcome == "referred"
    labels = [label for label, _ in reply.sections]
    for needed in ("办理部门", "办理地点", "网上办理", "所需材料", "办理时限", "咨询电话"):
        assert needed in labels
    assert catalog.departments[item.department].name in render_text(reply)
    assert "12345" in render_text(reply)


def test_known_town_goes_straight_to_the_town_centre(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    item = _town_item(catalog)
    turn = respond(analyse(make_parse(f"我喺大沥，{item.name}"), catalog), DialogueState(), catalog, desk, WHO)
    assert isinstance(turn.outputs[0], Reply)
    assert "大沥镇行政服务中心" in render_text(turn.outputs[0])


def test_report_names_the_acting_department(catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk) -> None:
    problem = next(p for p in catalog.problems.values() if p.department == "cm")
    parse = make_parse(f"楼下{problem.keywords[0]}好多日", intent="report_issue", departments=[("cm", 0.6)])
    turn = respond(analyse(parse, catalog), DialogueState(), catalog, desk, WHO)
    reply = turn.outputs[0]
    assert isinstance(reply, Reply) and reply.kind == "report_referral"
    assert catalog.departments["cm"].short in reply.title


def test_unclear_request_gets_a_clarifying_question_then_a_coordination_record(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    parse = make_parse("我想问下点办", departments=[("tax", 0.4), ("hrss", 0.35), ("hsa", 0.25)])
    first = respond(analyse(parse, catalog), DialogueState(), catalog, desk, WHO)
    assert isinstance(first.outputs[0], Reply) and first.outputs[0].kind == "clarify"
    assert len(first.outputs[0].buttons) >= 3
    second = respond(analyse(parse, catalog), first.state, catalog, desk, WHO)
    # R2: still no department named with confidence, so the first-consultation unit coordinates.
    assert second.outcome == "coordination_opened"
    assert second.outputs[0].data["number"].startswith("XT20261127")
    assert second.state.matter == first.state.matter  # the same matter, now served


def test_conversation_acts_get_their_replies(catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk) -> None:
    for intent, kind in [
        ("greet", "greeting"),
        ("request_human", "handoff"),
        ("out_of_scope", "out_of_scope"),
        ("thank", "thanks"),
        ("goodbye", "goodbye"),
    ]:
        turn = respond(analyse(make_parse("x", intent=intent), catalog), DialogueState(), catalog, desk, WHO)
        assert [r.kind for r in turn.outputs] == [kind]
    handoff = respond(
        analyse(make_parse("转人工", intent="request_human"), catalog), DialogueState(), catalog, desk, WHO
    )
    assert "12345" in render_text(handoff.outputs[0]) and handoff.outcome == "handed_over"


def test_progress_question_repeats_the_number(catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk) -> None:
    a = analyse(make_parse("XT202611280007 办到边", intent="query_progress"), catalog)
    turn = respond(a, DialogueState(), catalog, desk, WHO)
    assert turn.outputs[0].kind == "record_not_found" and "XT202611280007" in render_text(turn.outputs[0])


def test_a_dispute_asks_only_what_is_missing_then_opens_an_escalation(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    # Ground told (material missing), tier told (window); asks the list question and the extras.
    kinds, state, data = _say(
        "窗口话我材料不全唔肯受理", DialogueState(), catalog, make_parse, desk, intent="dispute_rejection"
    )
    assert kinds == ["dispute_question"] and data["question"] == "material_on_list"
    kinds, state, data = _say("不在清单内", state, catalog, make_parse, desk, intent="deny")
    assert kinds == ["dispute_question"] and data["question"] == "extra"
    kinds, state, data = _say("都不是", state, catalog, make_parse, desk, intent="deny")
    assert kinds == ["dispute_confirm"]
    # R5: a material not on the list is G4 (lowest tier 3): window → tier 3, and the window overreached.
    assert data["tier"] == 3 and data["rules"][:1] == ["R5"] and "R7" in data["rules"]
    turn = respond(analyse(make_parse("确认提交", intent="affirm"), catalog), state, catalog, desk, WHO)
    assert [r.kind for r in turn.outputs] == ["escalation_opened", "rating_request"]
    opened = turn.outputs[0]
    assert str(opened.data["number"]).startswith("TJ20261127") and opened.data["tier"] == 3
    text = render_text(opened)
    assert "审批部门领导班子" in text and "R5" in text and "越权" in text and "2026年12月1日" in text
    assert turn.state.dispute is None and turn.outcome == "escalated"
    record = desk.find(str(opened.data["number"]))
    assert record is not None and record.tier == 3 and record.facts is not None and record.facts["ground"] == "G1"


def test_a_fully_told_dispute_goes_straight_to_confirmation(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    text = "审批科以不符合条件为由不予受理，呢个系区重点项目"
    kinds, _, data = _say(text, DialogueState(), catalog, make_parse, desk, intent="dispute_rejection")
    assert kinds == ["dispute_confirm"]
    assert data["tier"] == 4 and "R8" in data["rules"]  # tier 2, G3 → 3, key project → 4


def test_free_text_answers_and_giving_up_never_loop(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    kinds, state, data = _say(
        "我唔服佢哋嘅退件决定", DialogueState(), catalog, make_parse, desk, intent="dispute_rejection"
    )
    assert data["question"] == "ground"
    kinds, state, data = _say("我都唔知点讲", state, catalog, make_parse, desk, intent="deny")
    assert data["question"] == "ground"  # asked once more
    kinds, state, data = _say("唔知", state, catalog, make_parse, desk, intent="deny")
    assert data["question"] == "rejecting_tier"  # the unexplained ground is taken as 依据不明 (G4)
    kinds, state, data = _say("不清楚", state, catalog, make_parse, desk, intent="deny")
    assert data["question"] == "extra"
    kinds, state, data = _say("已被退件两次及以上", state, catalog, make_parse, desk, intent="affirm")
    assert kinds == ["dispute_confirm"] and "R10" in data["rules"] and "R8" in data["rules"]


def test_a_district_decision_gets_the_legal_remedies_not_an_escalation(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    text = "区政府开会研究之后话部门意见唔统一，唔批"
    kinds, state, data = _say(text, DialogueState(), catalog, make_parse, desk, intent="dispute_rejection")
    assert kinds == ["dispute_question"] and data["question"] == "extra"
    kinds, _, _ = _say("都不是", state, catalog, make_parse, desk, intent="deny")
    assert kinds[0] == "district_final"
    assert desk.store.list_records(kind="escalation") == []


def test_a_dispute_can_be_cancelled(catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk) -> None:
    _, state, _ = _say("窗口唔肯受理", DialogueState(), catalog, make_parse, desk, intent="dispute_rejection")
    kinds, state, _ = _say("取消", state, catalog, make_parse, desk, intent="deny")
    assert kinds == ["dispute_cancelled"] and state.dispute is None
    assert desk.store.list_records(kind="escalation") == []


def test_empty_emoji_and_overlong_messages_get_polite_answers(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    for text, kind in [("   ", "empty"), ("😀😀", "empty"), ("长" * 5000, "too_long")]:
        turn = respond(analyse(make_parse(text), catalog), DialogueState(town="九江镇"), catalog, desk, WHO)
        assert [r.kind for r in turn.outputs] == [kind]
        assert turn.state.town == "九江镇"  # nothing the conversation knew is lost


def _say(
    text: str, state: DialogueState, catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk, **parse: object
) -> tuple[list[str], DialogueState, dict[str, object]]:
    """One turn; returns the reply kinds, the new state and the first reply's data."""
    turn = respond(analyse(make_parse(text, **parse), catalog), state, catalog, desk, WHO)
    return [r.kind for r in turn.outputs], turn.state, turn.outputs[0].data


def test_a_bounced_matter_opens_a_coordination_record_once(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    text = "我去市场监管所问开店的事，他们说不归他们管，叫我去问别的部门"
    kinds, state, data = _say(text, DialogueState(), catalog, make_parse, desk, intent="complaint")
    assert kinds == ["coordination_opened", "rating_request"]
    number = str(data["number"])
    assert number.startswith("XT20261127") and data["due_on"] == "2026-12-01"
    # The same message delivered again: the same record, not a second one.
    _, _, data2 = _say(text, state, catalog, make_parse, desk, intent="complaint")
    assert data2["number"] == number
    assert len(desk.store.list_records(kind="coordination")) == 1


def test_status_by_number_from_another_conversation(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    _, _, data = _say("社保局话唔关佢哋事，踢皮球", DialogueState(), catalog, make_parse, desk, intent="complaint")
    number = str(data["number"])
    other = Conversation("someone-else", "wechat")
    turn = respond(analyse(make_parse(f"帮我查下{number.lower()}"), catalog), DialogueState(), catalog, desk, other)
    reply = turn.outputs[0]
    assert reply.kind == "record_status" and reply.data["state"] == "opened"
    assert "2026年12月1日" in render_text(reply)
    kinds, _, _ = _say("我的单号XT2026112", DialogueState(), catalog, make_parse, desk)
    assert kinds == ["malformed_number"]


def test_a_poor_rating_opens_a_follow_up_and_takes_a_comment(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    item = _district_item(catalog)
    kinds, state, _ = _say(item.name, DialogueState(), catalog, make_parse, desk)
    assert kinds == ["referral", "rating_request"] and state.awaiting == "rating"
    kinds, state, data = _say("不满意", state, catalog, make_parse, desk, intent="deny")
    assert kinds == ["follow_up_opened"] and str(data["number"]).startswith("HP")
    kinds, state, _ = _say("材料写得不清楚，电话13812345678", state, catalog, make_parse, desk, intent="complaint")
    assert kinds == ["comment_saved"] and state.awaiting is None
    follow_up = desk.find(str(data["number"]))
    assert follow_up is not None and follow_up.summary is not None and "138****5678" in follow_up.summary


def test_a_good_rating_is_thanked_without_a_follow_up(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    item = _district_item(catalog)
    _, state, _ = _say(item.name, DialogueState(), catalog, make_parse, desk)
    kinds, state, _ = _say("非常满意", state, catalog, make_parse, desk, intent="affirm")
    assert kinds == ["rating_thanks"]
    assert desk.store.list_records(kind="follow_up") == []


def test_items_of_several_departments_are_coordinated(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    a, b = (
        next(i for i in catalog.items.values() if i.department == d and not i.handled_in_towns) for d in ("psb", "tax")
    )
    kinds, _, _ = _say(f"我要办{a.name}，还有{b.name}", DialogueState(), catalog, make_parse, desk)
    assert kinds[-2:] == ["coordination_opened", "rating_request"]
    assert kinds.count("referral") == 2


def test_slot_state_survives_a_round_trip_and_bad_content() -> None:
    state = DialogueState(town="西樵镇", matter=3, awaiting="rating", last_digest="x")
    assert DialogueState.from_slot(state.to_slot()) == state
    assert DialogueState.from_slot(None) == DialogueState()
    assert DialogueState.from_slot({"matter": "three"}) == DialogueState()
    assert DialogueState.from_slot({"town": "大沥镇", "unknown": 1}).town == "大沥镇"
