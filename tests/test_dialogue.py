"""The dialogue's decisions, without a server: what an applicant gets for each kind of message."""

from __future__ import annotations

from bot.analysis import analyse
from bot.catalog import Catalog, Item
from bot.dialogue import DISTRICT_PAYLOAD, DialogueState, respond
from bot.replies import Reply, render_text
from tests.conftest import ParseFactory


def _town_item(catalog: Catalog) -> Item:
    return next(i for i in catalog.items.values() if i.handled_in_towns and len(i.towns) == 7)


def _district_item(catalog: Catalog) -> Item:
    return next(i for i in catalog.items.values() if not i.handled_in_towns)


def test_town_item_without_town_asks_for_it_with_buttons(catalog: Catalog, make_parse: ParseFactory) -> None:
    item = _town_item(catalog)
    turn = respond(analyse(make_parse(item.name), catalog), DialogueState(), catalog)
    reply = turn.outputs[0]
    assert isinstance(reply, Reply) and reply.kind == "ask_town"
    assert {b.payload for b in reply.buttons} >= {"西樵镇", "大沥镇", DISTRICT_PAYLOAD}
    assert turn.state.pending_item == item.id


def test_town_answer_completes_the_referral_at_the_town_centre(catalog: Catalog, make_parse: ParseFactory) -> None:
    item = _town_item(catalog)
    state = DialogueState(pending_item=item.id)
    turn = respond(analyse(make_parse("西樵", intent="out_of_scope", confidence=0.9), catalog), state, catalog)
    reply = turn.outputs[0]
    assert isinstance(reply, Reply) and reply.kind == "referral"
    text = render_text(reply)
    assert "西樵镇行政服务中心" in text
    assert turn.state.pending_item is None and turn.state.town == "西樵镇"


def test_referral_is_one_complete_answer(catalog: Catalog, make_parse: ParseFactory) -> None:
    item = _district_item(catalog)
    turn = respond(analyse(make_parse(item.name), catalog), DialogueState(), catalog)
    reply = turn.outputs[0]
    assert isinstance(reply, Reply) and reply.kind == "referral" and turn.outcome == "referred"
    labels = [label for label, _ in reply.sections]
    for needed in ("办理部门", "办理地点", "网上办理", "所需材料", "办理时限", "咨询电话"):
        assert needed in labels
    assert catalog.departments[item.department].name in render_text(reply)
    assert "12345" in render_text(reply)


def test_known_town_goes_straight_to_the_town_centre(catalog: Catalog, make_parse: ParseFactory) -> None:
    item = _town_item(catalog)
    turn = respond(analyse(make_parse(f"我喺大沥，{item.name}"), catalog), DialogueState(), catalog)
    assert isinstance(turn.outputs[0], Reply)
    assert "大沥镇行政服务中心" in render_text(turn.outputs[0])


def test_report_names_the_acting_department(catalog: Catalog, make_parse: ParseFactory) -> None:
    problem = next(p for p in catalog.problems.values() if p.department == "cm")
    parse = make_parse(f"楼下{problem.keywords[0]}好多日", intent="report_issue", departments=[("cm", 0.6)])
    turn = respond(analyse(parse, catalog), DialogueState(), catalog)
    reply = turn.outputs[0]
    assert isinstance(reply, Reply) and reply.kind == "report_referral"
    assert catalog.departments["cm"].short in reply.title


def test_unclear_request_gets_a_clarifying_question_then_a_referral(catalog: Catalog, make_parse: ParseFactory) -> None:
    parse = make_parse("我想问下点办", departments=[("tax", 0.4), ("hrss", 0.35), ("hsa", 0.25)])
    first = respond(analyse(parse, catalog), DialogueState(), catalog)
    assert isinstance(first.outputs[0], Reply) and first.outputs[0].kind == "clarify"
    assert len(first.outputs[0].buttons) >= 3
    second = respond(analyse(parse, catalog), first.state, catalog)
    assert isinstance(second.outputs[0], Reply) and second.outcome == "referred"


def test_conversation_acts_get_their_replies(catalog: Catalog, make_parse: ParseFactory) -> None:
    for intent, kind in [
        ("greet", "greeting"),
        ("request_human", "handoff"),
        ("out_of_scope", "out_of_scope"),
        ("thank", "thanks"),
        ("goodbye", "goodbye"),
    ]:
        turn = respond(analyse(make_parse("x", intent=intent), catalog), DialogueState(), catalog)
        assert [r.kind for r in turn.outputs] == [kind]
    handoff = respond(analyse(make_parse("转人工", intent="request_human"), catalog), DialogueState(), catalog)
    assert "12345" in render_text(handoff.outputs[0]) and handoff.outcome == "handed_over"


def test_progress_question_repeats_the_number(catalog: Catalog, make_parse: ParseFactory) -> None:
    turn = respond(
        analyse(make_parse("XT202611280007 办到边", intent="query_progress"), catalog), DialogueState(), catalog
    )
    assert isinstance(turn.outputs[0], Reply) and "XT202611280007" in render_text(turn.outputs[0])


def test_dispute_mentions_tiered_vetoes_and_remedies(catalog: Catalog, make_parse: ParseFactory) -> None:
    turn = respond(analyse(make_parse("窗口唔肯受理", intent="dispute_rejection"), catalog), DialogueState(), catalog)
    text = render_text(turn.outputs[0]) if isinstance(turn.outputs[0], Reply) else ""
    assert "提级" in text and "行政复议" in text


def test_empty_emoji_and_overlong_messages_get_polite_answers(catalog: Catalog, make_parse: ParseFactory) -> None:
    for text, kind in [("   ", "empty"), ("😀😀", "empty"), ("长" * 5000, "too_long")]:
        turn = respond(analyse(make_parse(text), catalog), DialogueState(town="九江镇"), catalog)
        assert [r.kind for r in turn.outputs] == [kind]
        assert turn.state.town == "九江镇"  # nothing the conversation knew is lost
