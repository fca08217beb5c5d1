"""Facts read from the applicant's words, and the assessment the analyze API reports."""

from __future__ import annotations

import pytest

from bot.policy.assess import assess
from bot.policy.cues import get_cues, parse_cues
from bot.policy.facts import names_rejection


@pytest.mark.parametrize(
    ("text", "tier", "ground", "on_list"),
    [
        ("前台话我缺咗份租赁合同，但办事指南清单冇写要呢样", 1, "G1", False),
        ("窗口叫我补齐股东会决议先收件", 1, "G1", None),
        ("审批科话我个项目唔属于佢哋受理范围", 2, "G2", None),
        ("局领导班子开会后话依据唔明确，唔批", 3, "G4", None),
        ("住建话要先有规划许可，规划又话要先有施工图审查，两个部门互相推", None, "G5", None),
        ("我张申请俾人退咗", None, None, None),
    ],
)
def test_extraction(text: str, tier: int | None, ground: str | None, on_list: bool | None) -> None:
    a = assess(text)
    f = a.extracted.facts
    assert (f.rejecting_tier, f.ground, f.material_on_list) == (tier, ground, on_list)


def test_key_project_repeat_and_formal_refusal() -> None:
    f = assess("我哋系省重点项目，已经第二次被科室驳回，出咗不予许可决定书").extracted.facts
    assert f.key_project and f.times_rejected >= 2 and f.formal_refusal


def test_missing_facts_are_named_not_guessed() -> None:
    a = assess("我张申请俾人退咗，唔知点算")
    assert a.decision is None and a.missing_facts == ["ground", "rejecting_tier"]
    told = assess("窗口话我唔符合条件唔收")
    assert told.decision is not None and told.decision.target_tier == 2 and told.missing_facts == []


def test_bad_cue_file_is_rejected() -> None:
    with pytest.raises(ValueError, match="tiers 1-4"):
        parse_cues({"tiers": {1: ["窗口"]}})
    with pytest.raises(ValueError, match="invalid pattern"):
        parse_cues({"tiers": {1: ["("], 2: ["x"], 3: ["x"], 4: ["x"]}})
    assert get_cues().tiers[1]


@pytest.mark.parametrize(
    ("text", "rejection"),
    [
        ("柜台话我要补一份单位证明，但网站公布嘅材料清单入面冇呢项", True),
        ("收件人员要求额外出具一份证明，指南没写，不交就不收", True),
        ("窗口要我补的材料办事指南上根本没有", True),
        ("不予受理", True),
        ("请问办事指南有没有要求带照片", False),
        ("办事指南没有写要带什么材料吗", False),
        ("我想问下要准备什么，指南没有写清楚", False),
    ],
)
def test_a_demand_beyond_the_published_list_is_a_rejection(text: str, rejection: bool) -> None:
    """R5: material asked for beyond the published list is a rejection on an unclear basis, even when
    the applicant never says 退件; a question about what the list says is not."""
    assert names_rejection(text, get_cues()) is rejection
