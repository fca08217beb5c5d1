"""The analyze API as the hotline console and the scorer call it (../shared/spec/api.md)."""

from __future__ import annotations

import pytest

from tests.server.conftest import Assistant

pytestmark = pytest.mark.server


def test_consult_is_routed_with_ranked_departments_and_items(assistant: Assistant) -> None:
    out = assistant.analyze("我想喺桂城开间奶茶店，要办咩证？")
    assert out["request_type"] == "consult_item"
    assert 0 <= out["request_type_confidence"] <= 1
    assert out["departments"][0]["code"] == "msa"
    assert out["departments"][0]["name"] == "佛山市南海区市场监督管理局"
    scores = [d["score"] for d in out["departments"]]
    assert scores == sorted(scores, reverse=True)
    assert out["items"] and out["items"][0]["department"] == "msa"
    assert out["town"] == "桂城街道"
    assert out["escalation"] is None and out["missing_facts"] == []  # only disputes are escalated


def test_report_goes_to_the_acting_department(assistant: Assistant) -> None:
    out = assistant.analyze("市民来电反映：公司拖欠三个月工资一直不发，老板电话也不接，希望有关部门处理。")
    assert out["request_type"] in ("report_issue", "complaint")
    assert out["departments"][0]["code"] == "hrss"


def test_greeting_and_out_of_scope_have_no_department(assistant: Assistant) -> None:
    assert assistant.analyze("你好")["departments"] == []
    out = assistant.analyze("帮我查一下明天的天气")
    assert out["request_type"] == "out_of_scope" and out["departments"] == []


def test_town_hint_is_used(assistant: Assistant) -> None:
    assert assistant.analyze("补办身份证", town="西樵镇")["town"] == "西樵镇"


def test_record_numbers_are_recognised(assistant: Assistant) -> None:
    status, body = assistant.post("/webhooks/assist/analyze", {"text": "XT202611280007 进度"})
    assert status == 200 and body["record_numbers"] == ["XT202611280007"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 400),
        (b"{not json", 400),
        (b'{"text": ""}', 422),
        (b'{"text": 12}', 422),
        ('{"text": "' + "长" * 5000 + '"}', 413),
        ('{"text": "hi", "town": "火星镇"}', 422),
    ],
)
def test_bad_input_gets_a_chinese_4xx(assistant: Assistant, body: bytes | str, status: int) -> None:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    got, out = assistant.post("/webhooks/assist/analyze", raw)
    assert got == status
    assert isinstance(out, dict) and any("\u4e00" <= ch <= "\u9fff" for ch in out["error"]["message"])


@pytest.mark.parametrize(
    "text",
    ["<script>alert(1)</script>", "'; DROP TABLE records; --", "😀😀😀", "\u202e\u0000abc", "？？？", "a" * 2000],
)
def test_hostile_or_odd_text_is_answered(assistant: Assistant, text: str) -> None:
    out = assistant.analyze(text)
    assert out["request_type"]


# The worked examples of ../shared/spec/escalation-policy.md, word for word.
@pytest.mark.parametrize(
    ("text", "tier", "rule"),
    [
        ("窗口说我少了一份租赁合同不受理，可办事指南里根本没要求", 3, "R5"),
        ("窗口说我的材料缺了营业执照复印件，让我补齐再来，我觉得没必要", 2, "R6"),
        ("窗口直接说我的厂房消防不达标，不给办", 2, "R7"),
        ("科室审查说环评不符合要求，不予许可", 3, "R6"),
        ("股室说政策没有明确规定，退件了", 3, "R6"),
        ("住建说要先有规划许可，规划说要先有施工图审查，两边互相推", 4, "R6"),
        ("市重点项目的施工许可被科室退回", 4, "R8"),
        ("局领导班子研究后决定不予许可", 4, "R6"),
    ],
)
def test_disputes_get_the_tier_and_the_rules(assistant: Assistant, text: str, tier: int, rule: str) -> None:
    out = assistant.analyze(text)
    assert out["request_type"] == "dispute_rejection"
    assert out["escalation"]["tier"] == tier and rule in out["escalation"]["rules"]


def test_dispute_without_a_ground_asks_for_it(assistant: Assistant) -> None:
    out = assistant.analyze("我的申请被退件了，我觉得不合理")
    assert out["request_type"] == "dispute_rejection"
    assert out["escalation"] is None and "ground" in out["missing_facts"]
