"""Where a disputed rejection goes (R5–R10): a pure function of the facts and the policy."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.policy.model import Deadline, Policy
from bot.vocabulary import TOP_TIER, Ground


@dataclass(frozen=True)
class Facts:
    """What is known about one disputed rejection; None means not told (R10 asks for it)."""

    rejecting_tier: int | None = None
    ground: str | None = None  # G1..G5
    material_on_list: bool | None = None  # for G1: is every demanded material on the published list?
    key_project: bool = False
    times_rejected: int = 1
    formal_refusal: bool = False  # a formal 不予许可 decision (remedies must be mentioned, R9)


@dataclass(frozen=True)
class Decision:
    target_tier: int
    tier_name: str
    ground: str | None  # None: the tier is the same whatever the ground (see decide_any_ground)
    rules: tuple[str, ...]
    overreach: bool  # R7: rejected below the lowest tier allowed for its ground
    final_in_district: bool  # R9: decided at tier 4, no further escalation inside the district
    deadline: Deadline | None
    reason: str
    remedies: tuple[str, ...] = field(default_factory=tuple)


def decide(facts: Facts, policy: Policy) -> Decision:
    """Target tier, the rules applied (ids in order), the 越权 flag and the statutory remedies."""
    if facts.ground not in policy.grounds:
        raise ValueError(f"unknown or missing ground: {facts.ground!r}")
    rules: list[str] = []
    reasons: list[str] = []
    ground = facts.ground
    if ground == Ground.INCOMPLETE and facts.material_on_list is False:
        ground = policy.unlisted_material_ground
        rules.append("R5")
        reasons.append(policy.rule_text["R5"])
    tier = facts.rejecting_tier
    if tier is None:
        tier = policy.default_rejecting_tier
        rules.append("R10")
        reasons.append(policy.rule_text["R10"])
    if tier not in policy.tier_names:
        raise ValueError(f"rejecting tier must be 1-4, got {tier}")
    lowest = policy.grounds[ground].lowest_tier
    overreach = tier < lowest

    if tier >= TOP_TIER:
        rules.append("R9")
        reasons.append(policy.rule_text["R9"])
        return Decision(
            target_tier=TOP_TIER,
            tier_name=policy.tier_names[TOP_TIER],
            ground=ground,
            rules=tuple(rules),
            overreach=False,
            final_in_district=True,
            deadline=None,
            reason="；".join(reasons),
            remedies=policy.remedies,
        )

    target = max(tier + 1, lowest)
    rules.append("R6")
    reasons.append(policy.rule_text["R6"])
    if overreach:
        rules.append("R7")
        reasons.append(policy.rule_text["R7"])
    if facts.key_project or facts.times_rejected >= policy.repeat_rejections:
        target += policy.key_project_bump
        rules.append("R8")
        reasons.append(policy.rule_text["R8"])
    target = min(target, TOP_TIER)
    remedies = policy.remedies if facts.formal_refusal or target == TOP_TIER else ()
    if remedies:
        rules.append("R9")
    return Decision(
        target_tier=target,
        tier_name=policy.tier_names[target],
        ground=ground,
        rules=tuple(dict.fromkeys(rules)),
        overreach=overreach,
        final_in_district=False,
        deadline=policy.deadlines.get(target),
        reason="；".join(reasons),
        remedies=remedies,
    )


def decide_any_ground(facts: Facts, policy: Policy) -> Decision | None:
    """The decision when the ground is not told but every possible ground leads to the same tier.

    "市重点项目的施工许可被科室退回": whatever the section's reason, a key project rejected at tier 2
    goes to tier 4, so the tier is decided from the text even though R10 still asks for the ground.
    Only the rules that apply under every ground are cited.
    """
    options = [
        decide(replace(facts, ground=g, material_on_list=True if g == Ground.INCOMPLETE else None), policy)
        for g in policy.grounds
    ]
    if len({d.target_tier for d in options}) != 1:
        return None
    rules = tuple(r for r in options[0].rules if all(r in d.rules for d in options))
    return replace(
        options[0],
        ground=None,
        rules=rules,
        overreach=all(d.overreach for d in options),
        reason="；".join(policy.rule_text[r] for r in rules if r in policy.rule_text),
        remedies=options[0].remedies if all(d.remedies == options[0].remedies for d in options) else (),
    )
