"""The dialogue's decisions, without a server: what an applicant gets for each kind of message."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.engine import Engine

from bot.analysis import analyse
from bot.catalog import Catalog, Item
from bot.conversation.cues import is_control
from bot.conversation.dialogue import Conversation, DialogueState, respond
from bot.conversation.replies import Reply, render_text
from bot.policy import get_policy
from bot.records.clock import LOCAL_TZ, FixedClock
from bot.records.db import make_engine
from bot.records.desk import ServiceDesk
from bot.records.migrate import upgrade
from bot.records.store import RecordStore
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


def test_town_item_without_town_is_answered_first_and_offers_the_town_centres(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    item = _town_item(catalog)
    turn = respond(analyse(make_parse(item.name), catalog), DialogueState(), catalog, desk, WHO)
    reply = turn.outputs[0]
    assert isinstance(reply, Reply) and reply.kind == "referral" and turn.outcome == "referred"
    sections = dict(reply.sections)
    assert {"办理部门", "办理地点", "网上办理", "所需材料", "办理时限"} <= set(sections)
    assert "南海区行政服务中心" in sections["办理地点"] and "镇街的行政服务中心" in sections["办理地点"]
    assert {b.payload for b in reply.buttons} >= {"西樵镇", "大沥镇"}
    assert turn.state.topic_item == item.id and not turn.state.matter_open


def test_whole_matter_is_answered_as_one_plan_in_the_applicants_script(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    parse = make_parse("我想喺桂城开间奶茶铺，要办咩牌照？")
    parse["original_text"], parse["script"] = "我想喺桂城開間奶茶舖，要辦咩牌照？", "traditional"
    turn = respond(analyse(parse, catalog), DialogueState(), catalog, desk, WHO)
    reply = turn.outputs[0]
    assert reply.kind == "theme_plan" and reply.data["theme"] == "open_small_catering"
    assert reply.data["items"][0] == "msa.individual_business_registration"
    assert "營業執照" in render_text(reply) and "办" not in render_text(reply)
    assert all(b.payload == b.payload.strip() for b in reply.buttons)
    follow = respond(analyse(make_parse("营业执照办好了，还要办什么"), catalog), turn.state, catalog, desk, WHO)
    nxt = follow.outputs[0]
    assert nxt.kind == "theme_plan" and nxt.data["theme"] == "open_small_catering"
    assert "msa.individual_business_registration" in nxt.data["done"]
    assert "msa.individual_business_registration" not in nxt.data["items"]


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
    # Then the facts a good record needs (R10): what was rejected, a written notice, and when.
    assert kinds == ["dispute_question"] and data["question"] == "item"
    kinds, state, data = _say("办的是食品经营许可证", state, catalog, make_parse, desk, intent="consult_item")
    assert kinds == ["dispute_question"] and data["question"] == "notice"
    kinds, state, data = _say("只是口头说的", state, catalog, make_parse, desk, intent="deny")
    assert kinds == ["dispute_question"] and data["question"] == "date"
    kinds, state, data = _say("上个星期三", state, catalog, make_parse, desk, intent="inform")
    assert kinds == ["dispute_confirm"]
    # R5: a material not on the list is G4 (lowest tier 3): window → tier 3, and the window overreached.
    assert data["tier"] == 3 and data["rules"][:1] == ["R5"] and "R7" in data["rules"]
    turn = respond(analyse(make_parse("确认提交", intent="affirm"), catalog), state, catalog, desk, WHO)
    assert [r.kind for r in turn.outputs] == ["escalation_opened"]  # 好差评 comes at the end, not here
    opened = turn.outputs[0]
    assert str(opened.data["number"]).startswith("TJ20261127") and opened.data["tier"] == 3
    text = render_text(opened)
    assert "审批部门领导班子" in text and "越权" in text and "2026年12月1日" in text
    assert "属于“依据不明”（R5）" in text  # the rule in plain words, its code in brackets
    assert turn.state.records == (opened.data["number"],) and turn.state.unrated == turn.state.matter
    assert turn.state.dispute is None and turn.outcome == "escalated"
    record = desk.find(str(opened.data["number"]))
    assert record is not None and record.tier == 3 and record.facts is not None and record.facts["ground"] == "G1"
    assert record.item_id == "msa.food_business_licence"
    assert record.summary is not None and "上个星期三" in record.summary and "口头" in record.summary


def test_a_fully_told_dispute_goes_straight_to_confirmation(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    text = "审批科上周三书面通知以不符合条件为由不予受理，呢个系区重点项目"
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
    assert data["question"] == "item"  # nothing told about what was rejected: asked, not guessed
    kinds, state, data = _say("不清楚", state, catalog, make_parse, desk, intent="deny")
    assert data["question"] == "notice"
    kinds, state, data = _say("不清楚", state, catalog, make_parse, desk, intent="deny")
    assert data["question"] == "date"
    kinds, state, data = _say("不记得了", state, catalog, make_parse, desk, intent="deny")
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
    assert kinds == ["coordination_opened"]
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
    assert kinds == ["referral"] and state.awaiting is None and state.unrated == state.matter
    kinds, state, _ = _say("谢谢", state, catalog, make_parse, desk, intent="thank")
    assert kinds == ["thanks", "rating_request"] and state.awaiting == "rating"
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
    _, state, _ = _say("拜拜", state, catalog, make_parse, desk, intent="goodbye")
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
    assert kinds[-1] == "coordination_opened"
    assert kinds.count("referral") == 2


def test_slot_state_survives_a_round_trip_and_bad_content() -> None:
    state = DialogueState(town="西樵镇", matter=3, awaiting="rating", last_digest="x")
    assert DialogueState.from_slot(state.to_slot()) == state
    assert DialogueState.from_slot(None) == DialogueState()
    assert DialogueState.from_slot({"matter": "three"}) == DialogueState()
    assert DialogueState.from_slot({"town": "大沥镇", "unknown": 1}).town == "大沥镇"


# Holding a conversation (#10): the matter under discussion, corrections, control words, the rating.


def _item(catalog: Catalog, item_id: str) -> Item:
    return catalog.items[item_id]


def test_follow_ups_are_answered_from_the_matter_under_discussion(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    kinds, state, _ = _say("我在桂城，补办身份证要带什么材料", DialogueState(), catalog, make_parse, desk)
    assert kinds == ["referral"] and state.topic_item == "psb.id_card_replace" and state.town == "桂城街道"
    matter = state.matter
    # The NLU's verdict on a bare follow-up (often out of scope or a greeting) does not matter.
    for text, intent, expected in [
        ("要多久？", "out_of_scope", "15 个工作日"),
        ("那要多少钱", "out_of_scope", "40元"),
        ("可以网上办吗？", "online_help", "粤省事"),
        ("在哪", "greet", "桂城街道行政服务中心"),
    ]:
        turn = respond(analyse(make_parse(text, intent=intent), catalog), state, catalog, desk, WHO)
        assert [r.kind for r in turn.outputs] == ["follow_up_answer"], text
        assert expected in render_text(turn.outputs[0]) and "服务范围" not in render_text(turn.outputs[0])
        assert turn.matter is None and turn.state.matter == matter  # the same matter, nothing new recorded
        state = turn.state
    assert desk.store.list_records(kind="coordination") == []


def test_a_follow_up_the_catalog_cannot_answer_says_who_can(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    _, state, _ = _say("我住大沥，申请低保要准备什么", DialogueState(), catalog, make_parse, desk)
    kinds, _, data = _say("大概能领多少钱一个月", state, catalog, make_parse, desk, intent="out_of_scope")
    assert kinds == ["follow_up_answer"] and data["aspects"][0] == "amount"
    turn = respond(analyse(make_parse("大概能领多少钱一个月"), catalog), state, catalog, desk, WHO)
    text = render_text(turn.outputs[0])
    assert "区民政局" in text and "12345" in text


def test_a_follow_up_with_nothing_under_discussion_asks_which_matter(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    kinds, state, data = _say("要多久？", DialogueState(), catalog, make_parse, desk, intent="out_of_scope")
    assert kinds == ["ask_matter"] and data["aspects"] == ["time"]
    # Asked again without a matter: still no coordination record (nothing was lost but the matter).
    kinds, _, _ = _say("要多久？", state, catalog, make_parse, desk, intent="consult_item", departments=[("dsd", 0.3)])
    assert kinds == ["ask_matter"] and desk.store.list_records(kind="coordination") == []


def test_a_typed_town_corrects_the_matter_under_discussion(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    _, state, _ = _say("我在九江，补办身份证", DialogueState(), catalog, make_parse, desk)
    kinds, state, _ = _say("搞错了，我在大沥", state, catalog, make_parse, desk, intent="greet", confidence=0.3)
    assert kinds == ["referral"] and state.town == "大沥镇"
    turn = respond(analyse(make_parse("在獅山", intent="greet"), catalog), state, catalog, desk, WHO)
    assert "獅山鎮行政服務中心" in render_text(turn.outputs[0])  # understood, and answered in traditional


def test_a_correction_replaces_the_item_in_the_same_matter(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    _, state, _ = _say("我在桂城，想办台湾通行证", DialogueState(), catalog, make_parse, desk)
    turn = respond(
        analyse(make_parse("不是，我是说给我妈办港澳通行证", intent="dispute_rejection", confidence=0.5), catalog),
        state,
        catalog,
        desk,
        WHO,
    )
    assert [r.kind for r in turn.outputs] == ["referral"] and turn.outputs[0].data["item"] == "psb.hk_macau_permit"
    assert turn.state.matter == state.matter and turn.state.for_whom == "妈妈" and turn.state.dispute is None
    assert "为妈妈办理" in render_text(turn.outputs[0])


def test_being_bounced_is_coordinated_with_the_responsible_department_never_disputed(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    kinds, state, data = _say(
        "我去了三个部门都说不归他们管", DialogueState(), catalog, make_parse, desk, intent="dispute_rejection"
    )
    assert kinds == ["ask_matter"] and data["bounced"] is True and state.dispute is None
    kinds, state, data = _say("办无犯罪记录证明", state, catalog, make_parse, desk)
    assert kinds == ["coordination_opened"] and data["departments"][0] == "psb"
    assert state.records == (data["number"],)
    turn = respond(analyse(make_parse("我刚才那个单呢", intent="query_progress"), catalog), state, catalog, desk, WHO)
    assert turn.outputs[0].kind == "record_status" and turn.outputs[0].data["number"] == data["number"]
    assert desk.store.list_records(kind="escalation") == []


def test_a_prerequisite_loop_is_still_a_dispute(catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk) -> None:
    text = "住建说要先有规划许可，规划说要先有施工图审查，两边互相推"
    kinds, _, _ = _say(text, DialogueState(), catalog, make_parse, desk, intent="dispute_rejection")
    assert kinds[0] in ("dispute_question", "dispute_confirm", "district_final") and not desk.store.list_records()


@pytest.mark.parametrize("word", ["转人工", "轉人工", "我要同真人讲", "人工服务"])
def test_a_person_is_honoured_at_any_point(
    word: str, catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    for state in (
        DialogueState(awaiting="comment", matter=1, follow_up="HP202611270001"),
        DialogueState(dispute={"asked": "ground", "asks": 1}, matter=1, matter_open=True),
        DialogueState(pending_item="psb.id_card_replace", matter=1, matter_open=True),
    ):
        turn = respond(analyse(make_parse(word, intent="deny"), catalog), state, catalog, desk, WHO)
        assert [r.kind for r in turn.outputs] == ["handoff"] and turn.outcome == "handed_over"
        assert turn.state.dispute is None and turn.state.awaiting is None and turn.state.pending_item is None


def test_cancel_and_restart_in_any_form(catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk) -> None:
    form = DialogueState(dispute={"asked": "ground", "asks": 1}, matter=2, matter_open=True, records=("XT1",))
    for word in ["取消", "算了，唔搞了", "唔使了"]:
        kinds, state, _ = _say(word, form, catalog, make_parse, desk, intent="deny")
        assert kinds == ["dispute_cancelled"] and state.dispute is None
    for word in ["重新开始", "重新開始", "重新嚟过", "从头开始"]:
        kinds, state, _ = _say(word, form, catalog, make_parse, desk, intent="affirm")
        assert kinds == ["restarted"] and state == DialogueState(matter=2, records=("XT1",))
    # "取消" inside a request is a request, not a control word.
    assert not is_control("cancel", "取消预约怎么操作")


def test_the_rating_comes_once_at_the_end(catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk) -> None:
    kinds, state, _ = _say("我在桂城，补办身份证要带什么材料", DialogueState(), catalog, make_parse, desk)
    assert "rating_request" not in kinds
    kinds, state, _ = _say("租房提取公积金怎么办", state, catalog, make_parse, desk)
    assert kinds == ["referral"]
    kinds, state, _ = _say("没有了", state, catalog, make_parse, desk, intent="deny")
    assert kinds == ["goodbye", "rating_request"]
    kinds, state, _ = _say("满意", state, catalog, make_parse, desk, intent="affirm")
    assert kinds == ["rating_thanks"] and state.rated
    kinds, state, _ = _say("拜拜", state, catalog, make_parse, desk, intent="goodbye")
    assert kinds == ["goodbye"]  # not asked twice


def test_the_same_item_asked_again_gets_the_key_points_not_the_whole_guide(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    _, state, _ = _say("我在桂城，补办身份证", DialogueState(), catalog, make_parse, desk)
    kinds, _, _ = _say("补办身份证", state, catalog, make_parse, desk)
    assert kinds == ["referral_brief"]


def test_dispute_form_corrections_traditional_confirmation_and_top_tier(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    text = "窗口说我材料不全退件了，办的是食品经营许可证，今天给了书面通知，清单里有的"
    kinds, state, data = _say(text, DialogueState(), catalog, make_parse, desk, intent="dispute_rejection")
    assert kinds == ["dispute_question"] and data["question"] == "extra"
    kinds, state, _ = _say("都不是", state, catalog, make_parse, desk, intent="deny")
    assert kinds == ["dispute_confirm"]
    # A typed correction at the confirmation replaces the tier (and the decision with it).
    turn = respond(analyse(make_parse("不对，是审批科退的", intent="deny"), catalog), state, catalog, desk, WHO)
    assert turn.outputs[0].kind == "dispute_confirm" and "审批部门职能股室" in render_text(turn.outputs[0])
    state = respond(analyse(make_parse("不对，是审批科退的", intent="deny"), catalog), state, catalog, desk, WHO).state
    done = respond(analyse(make_parse("確認提交", intent="deny"), catalog), state, catalog, desk, WHO)
    assert done.outputs[0].kind == "escalation_opened"
    record = desk.find(str(done.outputs[0].data["number"]))
    assert record is not None and record.tier == 3 and list(record.departments)[:1] == ["msa"]


def test_an_escalation_at_the_top_tier_does_not_promise_to_move_up(
    catalog: Catalog, make_parse: ParseFactory, desk: ServiceDesk
) -> None:
    text = "市重点项目的施工许可被科室退回，说不符合条件，上周五收到书面通知"
    kinds, state, data = _say(text, DialogueState(), catalog, make_parse, desk, intent="dispute_rejection")
    assert kinds == ["dispute_confirm"] and data["tier"] == 4
    turn = respond(analyse(make_parse("确认提交", intent="affirm"), catalog), state, catalog, desk, WHO)
    text_out = render_text(turn.outputs[0])
    assert "第4层级" in text_out and "自动再提高一个层级" not in text_out and "领导小组办公室督办" in text_out
    assert "（R8）" in text_out


def test_slot_state_keeps_the_conversation_memory() -> None:
    state = DialogueState(topic_item="psb.passport", records=("XT202611270001",), unrated=2, rated=False)
    assert DialogueState.from_slot(state.to_slot()) == state
    assert DialogueState.from_slot({"records": [1, 2]}) == DialogueState()
