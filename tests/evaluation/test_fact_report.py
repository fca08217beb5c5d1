from __future__ import annotations

from bot.evaluation.fact_report import cross_validate
from bot.policy.fact_data import load_examples


def test_cross_validated_accuracy_on_our_data() -> None:
    scores = cross_validate(load_examples(), k=3)
    assert scores.combined["ground"] >= 0.85 and scores.combined["target_tier"] >= 0.85
    assert scores.combined["rejecting_tier"] >= 0.88
    assert scores.finds_when_told >= 0.95 and scores.abstains_when_untold >= 0.75
