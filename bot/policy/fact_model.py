"""A learned reader of dispute facts: it fills in what the regex cues (cues.yaml) miss.

The cues are precise but only know the phrasings someone wrote down, and applicants keep finding new
ones. Small linear models over character 1-3-grams, one per fact, are trained at first use from the
labelled disputes in nlu_data/dispute_facts (under a second, nothing downloaded). They abstain
when unsure, since R10 says a missing fact is asked for, never guessed.

    python -m bot.policy.fact_model --report            # 5-fold CV on our data; rows 1-30 of disputes.csv
    python -m bot.policy.fact_model --report --heldout  # also rows 31-70, the held-out rows (once, at the end)
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.policy.assess import assess
from bot.policy.engine import Facts, decide
from bot.policy.fact_data import ROOT, FactExample, load_examples
from bot.policy.facts import Cues, extract, get_cues
from bot.policy.model import get_policy
from bot.policy.textnorm import normalise

NONE = "none"
UNLISTED = "G1u"  # a material not on the published list was demanded (R5 turns it into G4)
# Classes that lead to the same decision: the model abstains on their sum, not on each alone, so that
# doubt between "unlisted material" and "no basis" does not hide that both mean G4.
SAME_DECISION = {UNLISTED: "G4"}
# Fewer characters than this are too little to tell a reason by n-grams ("冇", "唔知", "窗口"): the
# model then reads no ground, though a cue still may ("冇依据").
MIN_GROUND_CHARS = 4
DISPUTES = ROOT / "tests" / "data" / "disputes.csv"


@dataclass(frozen=True)
class Thresholds:
    """Least probability to accept a fact; below it the model abstains (R10: ask, do not guess).

    Chosen by 5-fold CV on nlu_data/dispute_facts: lower thresholds find more of the grounds told but
    also read grounds into messages that tell none; the tier's is higher because R10 has a default
    (a window) and a guessed tier would stop the assistant from asking."""

    ground: float = 0.4
    tier: float = 0.5
    key_project: float = 0.5
    repeated: float = 0.5


@dataclass(frozen=True)
class Reading:
    """What the model reads in one text; None means it abstains on that fact."""

    rejecting_tier: int | None
    ground: str | None  # G1..G5
    material_on_list: bool | None  # False: R5's unlisted material (ground G1)
    key_project: bool
    repeated: bool
    ground_probability: float  # of the (merged) ground class chosen, or of "none"
    tier_probability: float


def ground_label(e: FactExample) -> str:
    """The class the ground model learns: none, G1..G5, or G1u for an unlisted material."""
    if e.ground is None:
        return NONE
    return UNLISTED if e.ground == "G1" and e.material_on_list is False else e.ground


def tier_label(e: FactExample) -> str:
    return NONE if e.rejecting_tier is None else str(e.rejecting_tier)


Vector = tuple[NDArray[np.intp], NDArray[np.float64]]  # feature indices and their weights
_SPACES = re.compile(r"\s\s+")


class _Features:
    """Char 1-3-gram TF-IDF (sublinear tf, l2), fitted by sklearn's TfidfVectorizer.

    One text is then featurised by dictionary lookups (tens of microseconds) where
    TfidfVectorizer.transform takes a millisecond of input checks: the API reads every dispute."""

    def __init__(self, texts: Sequence[str]) -> None:
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        self.matrix = vectorizer.fit_transform(texts)
        self.index: dict[str, int] = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
        self.idf: NDArray[np.float64] = np.asarray(vectorizer.idf_, dtype=np.float64)

    def vector(self, text: str) -> Vector:
        """The same numbers as TfidfVectorizer.transform([text]) (its analyzer lowercases and
        collapses runs of white space; the text here is already lower case)."""
        t = _SPACES.sub(" ", text.lower())
        counts = Counter(t[i : i + n] for n in (1, 2, 3) for i in range(len(t) - n + 1))
        found = [(self.index[g], c) for g, c in counts.items() if g in self.index]
        if not found:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float64)
        idx = np.fromiter((i for i, _ in found), dtype=np.intp, count=len(found))
        tf = np.fromiter((c for _, c in found), dtype=np.float64, count=len(found))
        weights = (1.0 + np.log(tf)) * self.idf[idx]
        return idx, weights / float(np.sqrt(weights @ weights))


class _Head:
    """One fact's classifier over the shared features; its classes are strings."""

    def __init__(self, x: Any, labels: Sequence[str], c: float) -> None:
        self.classes = sorted(set(labels))
        self._weights: NDArray[np.float64] | None = None
        self._bias: NDArray[np.float64] | None = None
        if len(self.classes) > 1:
            # liblinear (one-vs-rest) trains in a tenth of a second here, where lbfgs took seconds.
            clf = LogisticRegression(C=c, solver="liblinear", class_weight="balanced")
            clf.fit(x, list(labels))
            self.classes = [str(k) for k in clf.classes_]
            self._weights = np.ascontiguousarray(clf.coef_.T, dtype=np.float64)  # features x classes
            self._bias = np.asarray(clf.intercept_, dtype=np.float64)

    def proba(self, v: Vector) -> dict[str, float]:
        """As LogisticRegression.predict_proba for liblinear: a sigmoid per class, normalised."""
        if self._weights is None or self._bias is None:
            return {self.classes[0]: 1.0}
        idx, weights = v
        scores = weights @ self._weights[idx] + self._bias
        p: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-scores))
        if len(self.classes) == 2:  # binary: one score, for the second class
            return {self.classes[0]: float(1.0 - p[0]), self.classes[1]: float(p[0])}
        return {k: float(q) for k, q in zip(self.classes, p / p.sum(), strict=True)}


class FactModel:
    """Four heads (ground, tier, key project, repeated) over char 1-3-gram TF-IDF features.

    The ground head reads the text with the `masked` patterns blanked out (get_fact_model passes the
    tier cues): who rejected a matter says nothing about why, and without the mask "局领导" alone reads
    as G4 because leaders' refusals in the data are often on policy grounds."""

    def __init__(
        self,
        examples: Sequence[FactExample],
        thresholds: Thresholds | None = None,
        c: float = 30.0,
        masked: Sequence[re.Pattern[str]] = (),
    ) -> None:
        if not examples:
            raise ValueError("the fact model needs examples")
        self.thresholds = thresholds or Thresholds()
        self.masked = tuple(masked)
        texts = [normalise(e.text) for e in examples]
        self.features = _Features(texts)
        self.ground_features = _Features([self._mask(t) for t in texts])
        x = self.features.matrix
        self.ground = _Head(self.ground_features.matrix, [ground_label(e) for e in examples], c)
        self.tier = _Head(x, [tier_label(e) for e in examples], c)
        self.key_project = _Head(x, [str(e.key_project) for e in examples], c)
        self.repeated = _Head(x, [str(e.repeated) for e in examples], c)

    def _mask(self, text: str) -> str:
        for p in self.masked:
            text = p.sub("□", text)
        return text

    def read(self, text: str) -> Reading:
        clean = normalise(text)
        x = self.features.vector(clean)
        t = self.thresholds
        g = self.ground.proba(self.ground_features.vector(self._mask(clean)))
        merged: dict[str, float] = {}
        for k, p in g.items():
            merged[SAME_DECISION.get(k, k)] = merged.get(SAME_DECISION.get(k, k), 0.0) + p
        best, p_best = max(merged.items(), key=lambda kv: kv[1])
        ground: str | None = None
        on_list: bool | None = None
        if best != NONE and p_best >= t.ground and len(clean) >= MIN_GROUND_CHARS:
            if best == "G4" and g.get(UNLISTED, 0.0) > g.get("G4", 0.0):
                ground, on_list = "G1", False
            else:
                ground = best
        tiers = self.tier.proba(x)
        tier_best, p_tier = max(tiers.items(), key=lambda kv: kv[1])
        return Reading(
            rejecting_tier=int(tier_best) if tier_best != NONE and p_tier >= t.tier else None,
            ground=ground,
            material_on_list=on_list,
            key_project=self.key_project.proba(x).get("True", 0.0) >= t.key_project,
            repeated=self.repeated.proba(x).get("True", 0.0) >= t.repeated,
            ground_probability=p_best,
            tier_probability=p_tier,
        )


def tier_words(cues: Cues) -> tuple[re.Pattern[str], ...]:
    """The tier cues, to mask for the ground head."""
    return tuple(p for tier in sorted(cues.tiers, reverse=True) for p in cues.tiers[tier])


@lru_cache(maxsize=1)
def get_fact_model() -> FactModel:
    """The model trained from nlu_data/dispute_facts, once per process (FactDataError if the data is bad)."""
    return FactModel(load_examples(), masked=tier_words(get_cues()))


# ---- measuring -------------------------------------------------------------------------------


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
