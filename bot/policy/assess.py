"""A disputed rejection told in words: the facts found, the decision, and what is still to ask."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.policy.cues import get_cues
from bot.policy.engine import Decision, decide, decide_any_ground
from bot.policy.facts import ExtractedFacts, extract, tells_rejection
from bot.policy.model import Policy, get_policy


@dataclass(frozen=True)
class Assessment:
    extracted: ExtractedFacts
    # None until the ground is known (R10: ask, do not guess), unless every ground gives one tier.
    decision: Decision | None
    rejection_told: bool = False  # a formal rejection act told with its ground (a dispute, R6)

    @property
    def missing_facts(self) -> list[str]:
        return self.extracted.missing

    def as_api(self, policy: Policy) -> dict[str, Any] | None:
        d = self.decision
        if d is None:
            return None
        return {
            "tier": d.target_tier,
            "tier_name": d.tier_name,
            "rules": list(d.rules),
            "reason": d.reason,
            "ground": d.ground,
            "ground_name": policy.grounds[d.ground].name if d.ground else None,
            "rejecting_tier": self.extracted.facts.rejecting_tier,
            "overreach": d.overreach,
            "final_in_district": d.final_in_district,
            "deadline_working_days": (
                {"acknowledge": d.deadline.acknowledge, "decide": d.deadline.decide} if d.deadline else None
            ),
            "remedies": list(d.remedies),
            "policy_version": policy.version,
        }


def assess(text: str) -> Assessment:
    """Everything the escalation policy reads in one text; computed once per message (bot.analysis)."""
    cues = get_cues()
    extracted = extract(text, cues)
    policy = get_policy()
    decision = decide(extracted.facts, policy) if extracted.ground_told else decide_any_ground(extracted.facts, policy)
    return Assessment(extracted, decision, tells_rejection(text, extracted, cues))
