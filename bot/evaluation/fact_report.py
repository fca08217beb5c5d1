"""How well the dispute-fact reader does: k-fold CV of the learned model on its own labelled data, and
the tier found for the labelled disputes of tests/data/disputes.csv through assess().

    python -m bot.evaluation.fact_report --report            # 5-fold CV; rows 1-30 of disputes.csv
    python -m bot.evaluation.fact_report --report --heldout  # also rows 31-70, the held-out rows (once, at the end)
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.policy.assess import assess
from bot.policy.cues import get_cues
from bot.policy.engine import Facts, decide
from bot.policy.fact_data import ROOT, FactExample, load_examples
from bot.policy.fact_model import NONE, UNLISTED, FactModel, Reading, tier_words
from bot.policy.facts import extract
from bot.policy.model import get_policy

DISPUTES = ROOT / "tests" / "data" / "disputes.csv"


def target_tier(facts: Facts) -> int | None:
    """Where the dispute goes, or None while the ground is unknown (assess() then asks)."""
    return None if facts.ground is None else decide(facts, get_policy()).target_tier


def expected_facts(e: FactExample) -> Facts:
    return Facts(e.rejecting_tier, e.ground, e.material_on_list, e.key_project, 2 if e.repeated else 1)


def _labels(f: Facts) -> dict[str, object]:
    ground = NONE if f.ground is None else (UNLISTED if f.material_on_list is False else f.ground)
    return {
        "ground": ground,
        "rejecting_tier": NONE if f.rejecting_tier is None else str(f.rejecting_tier),
        "key_project": f.key_project,
        "repeated": f.times_rejected >= 2,
        "target_tier": target_tier(f),
    }


def _reading_facts(r: Reading) -> Facts:
    return Facts(r.rejecting_tier, r.ground, r.material_on_list, r.key_project, 2 if r.repeated else 1)


@dataclass(frozen=True)
class FactScores:
    """k-fold CV accuracy per fact ("none" is a class: abstaining on an untold fact is right)."""

    n: int
    model: dict[str, float]  # the model alone
    combined: dict[str, float]  # cues first, the model filling the gaps: what assess() does
    abstains_when_untold: float  # combined: share of texts telling no ground where none is read
    finds_when_told: float  # combined: share of texts telling a ground where one is read
    confusions: dict[tuple[str, str], int] = field(default_factory=dict)  # (gold, read) ground, combined


def folds(n: int, k: int, seed: int = 0) -> list[list[int]]:
    order = np.random.default_rng(seed).permutation(n)
    return [sorted(int(i) for i in order[j::k]) for j in range(k)]


def cross_validate(examples: Sequence[FactExample], k: int = 5, seed: int = 0) -> FactScores:
    """Each fold is read by a model trained on the other folds, alone and through extract()."""
    cues = get_cues()
    names = ("ground", "rejecting_tier", "key_project", "repeated", "target_tier")
    alone_hits = dict.fromkeys(names, 0)
    both_hits = dict.fromkeys(names, 0)
    untold = abstained = told = found = 0
    confusions: dict[tuple[str, str], int] = {}
    for fold in folds(len(examples), k, seed):
        held = set(fold)
        model = FactModel([e for i, e in enumerate(examples) if i not in held], masked=tier_words(cues))
        for i in fold:
            e = examples[i]
            gold = _labels(expected_facts(e))
            alone = _labels(_reading_facts(model.read(e.text)))
            read = extract(e.text, cues, model=model).facts
            both = _labels(read)
            for name in names:
                alone_hits[name] += alone[name] == gold[name]
                both_hits[name] += both[name] == gold[name]
            if gold["ground"] != both["ground"]:
                pair = (str(gold["ground"]), str(both["ground"]))
                confusions[pair] = confusions.get(pair, 0) + 1
            if e.ground is None:
                untold += 1
                abstained += read.ground is None
            else:
                told += 1
                found += read.ground is not None
    n = len(examples)
    return FactScores(
        n=n,
        model={k_: v / n for k_, v in alone_hits.items()},
        combined={k_: v / n for k_, v in both_hits.items()},
        abstains_when_untold=abstained / max(untold, 1),
        finds_when_told=found / max(told, 1),
        confusions=dict(sorted(confusions.items(), key=lambda kv: -kv[1])),
    )


def disputes_accuracy(first: int, last: int, tier_of: Callable[[str], int | None], path: Path = DISPUTES) -> float:
    """Share of rows first..last (1-based, inclusive) of disputes.csv whose expected tier is found.

    Rows after `last` are never read: the file is consumed row by row and left there."""
    hits = total = 0
    with path.open(encoding="utf-8", newline="") as f:
        for n, row in enumerate(csv.DictReader(f), start=1):
            if n > last:
                break
            if n >= first:
                total += 1
                hits += tier_of(row["text"]) == int(row["expected_tier"])
    return hits / total if total else 0.0


def assessed_tier(text: str) -> int | None:
    """The tier assess() sends a dispute to, as the analyze API and the dialogue see it."""
    decision = assess(text).decision
    return None if decision is None else decision.target_tier


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--report", action="store_true", help="CV on our data and rows 1-30 of disputes.csv")
    ap.add_argument("--heldout", action="store_true", help="also rows 31-70 of disputes.csv (held out: once)")
    ap.add_argument("--folds", type=int, default=5)
    a = ap.parse_args(argv)
    if not a.report:
        ap.print_help()
        return 2
    examples = load_examples()
    start = time.perf_counter()
    FactModel(examples, masked=tier_words(get_cues()))
    print(
        f"training data: {len(examples)} examples in nlu_data/dispute_facts; training takes "
        f"{time.perf_counter() - start:.2f} s"
    )
    s = cross_validate(examples, a.folds)
    print(f"{a.folds}-fold CV, accuracy per fact (abstaining on an untold fact counts as right):")
    print(f"  {'fact':<16}{'model':>8}{'cues+model':>12}")
    for name in s.model:
        print(f"  {name:<16}{s.model[name]:>8.3f}{s.combined[name]:>12.3f}")
    print(f"  ground read when told: {s.finds_when_told:.3f}; abstains when not told: {s.abstains_when_untold:.3f}")
    top = ", ".join(f"{g}->{r}: {n}" for (g, r), n in list(s.confusions.items())[:8])
    print(f"  commonest ground errors (gold->read): {top}")
    print(f"tests/data/disputes.csv rows 1-30, tier accuracy: {disputes_accuracy(1, 30, assessed_tier):.3f}")
    if a.heldout:
        heldout = disputes_accuracy(31, 70, assessed_tier)
        print(f"tests/data/disputes.csv rows 31-70 (held out), tier accuracy: {heldout:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
