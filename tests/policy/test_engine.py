"""Every rule (R5-R10) and every worked example of ../shared/spec/escalation-policy.md."""

from __future__ import annotations

import copy

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.policy import Facts, PolicyError, decide, get_policy, parse_policy
from bot.policy.engine import decide_any_ground
from bot.policy.model import POLICY_FILE

POLICY = get_policy()


@pytest.mark.parametrize(
    ("facts", "tier", "rules"),
    [
        # 窗口说我少了一份租赁合同不受理，可办事指南里根本没要求 -> G4 via R5, to 3
        (Facts(rejecting_tier=1, ground="G1", material_on_list=False), 3, ("R5", "R6", "R7")),
        # 窗口说我的材料缺了营业执照复印件，让我补齐再来 -> G1, to 2
        (Facts(rejecting_tier=1, ground="G1", material_on_list=True), 2, ("R6",)),
        # 窗口直接说我的厂房消防不达标，不给办 -> G3 越权, to 2
        (Facts(rejecting_tier=1, ground="G3"), 2, ("R6", "R7")),
        # 科室审查说环评不符合要求，不予许可 -> 3 (formal refusal: remedies too)
        (Facts(rejecting_tier=2, ground="G3", formal_refusal=True), 3, ("R6", "R9")),
        # 股室说政策没有明确规定，退件了 -> G4, to 3
        (Facts(rejecting_tier=2, ground="G4"), 3, ("R6", "R7")),
        # 住建与规划互为前置 -> G5, to 4
        (Facts(rejecting_tier=2, ground="G5"), 4, ("R6", "R7", "R9")),
        # 市重点项目的施工许可被科室退回 -> G3 + R8, to 4
        (Facts(rejecting_tier=2, ground="G3", key_project=True), 4, ("R6", "R8", "R9")),
        # 局领导班子研究后决定不予许可 -> 4
        (Facts(rejecting_tier=3, ground="G3", formal_refusal=True), 4, ("R6", "R9")),
    ],
)
def test_worked_examples(facts: Facts, tier: int, rules: tuple[str, ...]) -> None:
    d = decide(facts, POLICY)
    assert d.target_tier == tier
    assert d.rules == rules
    assert d.tier_name == POLICY.tier_names[tier]


def test_unknown_tier_defaults_to_window_r10() -> None:
    d = decide(Facts(ground="G1", material_on_list=True), POLICY)
    assert d.target_tier == 2 and "R10" in d.rules


def test_rejected_twice_goes_one_higher_r8() -> None:
    assert decide(Facts(rejecting_tier=1, ground="G1", times_rejected=2), POLICY).target_tier == 3


def test_tier_four_is_final_with_remedies_r9() -> None:
    d = decide(Facts(rejecting_tier=4, ground="G5"), POLICY)
    assert d.final_in_district and d.target_tier == 4 and d.rules == ("R9",)
    assert any("60 日" in r for r in d.remedies) and any("6 个月" in r for r in d.remedies)


def test_deadlines_follow_the_target_tier_r11() -> None:
    d = decide(Facts(rejecting_tier=2, ground="G4"), POLICY)
    assert d.deadline is not None and (d.deadline.acknowledge, d.deadline.decide) == (2, 5)


def test_missing_ground_is_not_guessed() -> None:
    with pytest.raises(ValueError):
        decide(Facts(rejecting_tier=1), POLICY)


@given(
    tier=st.sampled_from([1, 2, 3]),
    ground=st.sampled_from(["G1", "G2", "G3", "G4", "G5"]),
    on_list=st.sampled_from([True, False, None]),
    key=st.booleans(),
    times=st.integers(min_value=1, max_value=6),
)
def test_properties(tier: int, ground: str, on_list: bool | None, key: bool, times: int) -> None:
    facts = Facts(rejecting_tier=tier, ground=ground, material_on_list=on_list, key_project=key, times_rejected=times)
    d = decide(facts, POLICY)
    assert tier + 1 <= d.target_tier <= 4
    assert d.target_tier >= POLICY.grounds[d.ground].lowest_tier
    assert d.overreach == (tier < POLICY.grounds[d.ground].lowest_tier)
    assert ("R7" in d.rules) == d.overreach
    plain = decide(Facts(rejecting_tier=tier, ground=ground, material_on_list=on_list), POLICY)
    assert d.target_tier >= plain.target_tier  # key projects and repeats never go lower
    if d.target_tier == 4:
        assert d.remedies


def _doc() -> dict[str, object]:
    with POLICY_FILE.open(encoding="utf-8") as f:
        loaded: dict[str, object] = yaml.safe_load(f)
    return loaded


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["grounds"]["G3"].update(lowest_tier=7), "lowest_tier"),
        (lambda d: d["deadlines"][3].update(acknowledge=9), "acknowledge after decide"),
        (lambda d: d["deadlines"].pop(4), "tiers 2, 3 and 4"),
        (lambda d: d.update(unlisted_material_ground="G9"), "not a ground"),
        (lambda d: d["rules"].pop("R7"), "R7"),
        (lambda d: d["tiers"].pop(2), "tiers must be"),
    ],
)
def test_inconsistent_rules_are_rejected(edit, message: str) -> None:  # type: ignore[no-untyped-def]
    doc = copy.deepcopy(_doc())
    edit(doc)
    with pytest.raises(PolicyError, match=message):
        parse_policy(doc)


def test_changing_a_deadline_needs_no_code() -> None:
    doc = copy.deepcopy(_doc())
    doc["deadlines"][2]["decide"] = 4  # type: ignore[index]
    d = decide(Facts(rejecting_tier=1, ground="G3"), parse_policy(doc))
    assert d.deadline is not None and d.deadline.decide == 4


def test_a_tier_that_every_ground_agrees_on_is_decided_without_the_ground() -> None:
    policy = get_policy()
    # A key project rejected by a section: 3 (any ground's target) + 1 → 4, whatever the ground.
    d = decide_any_ground(Facts(rejecting_tier=2, key_project=True), policy)
    assert d is not None and d.target_tier == 4 and d.ground is None and "R8" in d.rules
    # A window rejection: G1 → 2 but G4 → 3, so the ground must be asked (R10).
    assert decide_any_ground(Facts(rejecting_tier=1), policy) is None
