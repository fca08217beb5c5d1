from __future__ import annotations

from bot.analysis import analyse
from bot.catalog import Catalog
from tests.conftest import ParseFactory


def test_conversation_acts_have_no_department(catalog: Catalog, make_parse: ParseFactory) -> None:
    a = analyse(make_parse("你好", intent="greet", departments=[("psb", 0.9)]), catalog)
    assert a.route.departments == [] and a.route.items == []


def test_item_alias_outweighs_a_wrong_model_guess(catalog: Catalog, make_parse: ParseFactory) -> None:
    item = (
        catalog.items["psb.id_card_reissue"]
        if "psb.id_card_reissue" in catalog.items
        else next(i for i in catalog.items.values() if i.department == "psb")
    )
    a = analyse(make_parse(f"想问下{item.aliases[0]}", departments=[("msa", 0.5), ("psb", 0.2)]), catalog)
    assert a.route.top_department == "psb"
    assert a.route.items[0].item.id == item.id and a.route.items[0].exact


def test_problem_keyword_routes_report(catalog: Catalog, make_parse: ParseFactory) -> None:
    problem = next(p for p in catalog.problems.values() if p.department == "hrss")
    a = analyse(make_parse(f"老板{problem.keywords[0]}点算", intent="report_issue", departments=[]), catalog)
    assert a.route.top_department == "hrss"
    assert a.route.confident


def test_named_department_counts(catalog: Catalog, make_parse: ParseFactory) -> None:
    a = analyse(make_parse("我想搵城管", intent="report_issue", departments=[("psb", 0.4), ("cm", 0.3)]), catalog)
    assert a.route.top_department == "cm"


def test_a_department_reporting_back_speaks_of_its_own_case(catalog: Catalog, make_parse: ParseFactory) -> None:
    text = "交警大队来电反馈：关于桂城某工地夜间施工噪声扰民的工单，已联系相关单位处理"
    a = analyse(make_parse(text, intent="report_issue", departments=[("cm", 0.7), ("psb", 0.1)]), catalog)
    assert a.route.top_department == "psb"
    assert any(e.startswith("speaking:") for e in a.route.evidence["psb"])
    # Named further in, or not as the speaker, a department is only evidence among others.
    named = "桂城某工地夜间施工噪声扰民，附近的交警中队也听得到，已经连续一周"
    b = analyse(make_parse(named, intent="report_issue", departments=[("cm", 0.7), ("psb", 0.1)]), catalog)
    assert b.route.top_department == "cm"


def test_scores_are_ranked_and_normalised(catalog: Catalog, make_parse: ParseFactory) -> None:
    a = analyse(make_parse("咨询下", departments=[("tax", 0.4), ("hrss", 0.35), ("hsa", 0.25)]), catalog)
    scores = [s for _, s in a.route.departments]
    assert scores == sorted(scores, reverse=True)
    assert abs(sum(scores) - 1.0) < 0.05
    assert not a.route.confident  # 0.4 vs 0.35 is not a clear winner


def test_low_confidence_without_evidence_is_out_of_scope(catalog: Catalog, make_parse: ParseFactory) -> None:
    a = analyse(make_parse("今晚食咩好", intent="consult_item", confidence=0.4, departments=[("msa", 0.6)]), catalog)
    assert a.request_type == "out_of_scope"
    assert a.route.departments == []


def test_government_types_together_decide_how_governmental_a_message_is(
    catalog: Catalog, make_parse: ParseFactory
) -> None:
    """Torn between complaint and report, each below half, is still a government matter; so is a hesitant one
    the department model finds clearly governmental. Torn and doubted by both stays out of scope."""
    split = make_parse("业主反映小区物业乱收费多年", intent="complaint", confidence=0.35, government=0.6)
    split["intent_ranking"] = [
        {"name": "complaint", "confidence": 0.35},
        {"name": "report_issue", "confidence": 0.3},
        {"name": "out_of_scope", "confidence": 0.3},
    ]
    assert analyse(split, catalog).request_type == "complaint"
    hesitant = make_parse("某地规划随意变更", intent="complaint", confidence=0.4, government=0.9)
    assert analyse(hesitant, catalog).request_type == "complaint"
    doubted = make_parse("今晚食咩好", intent="consult_item", confidence=0.4, government=0.3)
    assert analyse(doubted, catalog).request_type == "out_of_scope"


def test_town_from_text_or_hint(catalog: Catalog, make_parse: ParseFactory) -> None:
    assert analyse(make_parse("我喺官窑"), catalog).route.town == "狮山镇"
    assert analyse(make_parse("开餐馆"), catalog, town_hint="九江镇").route.town == "九江镇"


def test_fallback_intent_keeps_best_request_type(catalog: Catalog, make_parse: ParseFactory) -> None:
    a = analyse(make_parse("窗口退件", intent="dispute_rejection", confidence=0.6, fallback=True), catalog)
    assert a.request_type == "dispute_rejection" and a.ambiguous


def test_long_message_is_never_just_a_greeting(catalog: Catalog, make_parse: ParseFactory) -> None:
    parse = make_parse("盼望有关部门尽快解决我们小区长期停水的问题", intent="affirm", confidence=0.7)
    parse["intent_ranking"].append({"name": "report_issue", "confidence": 0.2})
    assert analyse(parse, catalog).request_type == "report_issue"
    assert analyse(make_parse("好的，谢谢", intent="thank"), catalog).request_type == "thank"


def test_catalog_phrase_overrules_a_hesitant_out_of_scope(catalog: Catalog, make_parse: ParseFactory) -> None:
    problem = next(p for p in catalog.problems.values() if p.department == "ee")
    parse = make_parse(f"为什么{problem.keywords[0]}没人管", intent="out_of_scope", confidence=0.8)
    parse["intent_ranking"].append({"name": "complaint", "confidence": 0.15})
    assert analyse(parse, catalog).request_type == "complaint"
    sure = make_parse(f"为什么{problem.keywords[0]}没人管", intent="out_of_scope", confidence=0.95)
    assert analyse(sure, catalog).request_type == "out_of_scope"


def test_department_model_settles_disagreements(catalog: Catalog, make_parse: ParseFactory) -> None:
    hesitant_oos = make_parse("某小区业主长期无法入住", intent="out_of_scope", confidence=0.85, government=0.92)
    hesitant_oos["intent_ranking"].append({"name": "complaint", "confidence": 0.05})
    a = analyse(hesitant_oos, catalog)
    assert a.request_type == "complaint" and a.confidence >= 0.9
    # An intent model sure of "out of scope" keeps it: the department model finds most short unknown
    # phrases (a film title, a dish) governmental.
    sure_oos = make_parse("红烧狮子头", intent="out_of_scope", confidence=0.93, government=0.92)
    sure_oos["intent_ranking"].append({"name": "report_issue", "confidence": 0.05})
    assert analyse(sure_oos, catalog).request_type == "out_of_scope"
    chat = make_parse("寿司点整先好食", intent="consult_item", confidence=0.99, government=0.05)
    a = analyse(chat, catalog)
    assert a.request_type == "out_of_scope" and a.route.departments == []
    named = make_parse("补领身份证点整", intent="consult_item", confidence=0.99, government=0.05)
    assert analyse(named, catalog).request_type == "consult_item"  # a catalog phrase keeps it
    recipe = make_parse("做蛋炒饭需要什么材料", intent="consult_item", confidence=0.9, government=0.25)
    assert analyse(recipe, catalog).request_type == "out_of_scope"
    unsure = make_parse("这个规定合理吗", intent="consult_item", confidence=0.9, government=0.4)
    assert analyse(unsure, catalog).request_type == "consult_item"  # not clearly everyday: kept
