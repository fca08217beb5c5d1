"""A learned reader of dispute facts: it fills in what the regex cues (cues.yaml) miss.

The cues are precise but only know the phrasings someone wrote down, and applicants keep finding new
ones. Small linear models over character 1-3-grams, one per fact, are trained at first use from the
labelled disputes in nlu_data/dispute_facts (under a second, nothing downloaded). They abstain
when unsure, since R10 says a missing fact is asked for, never guessed.

Measured by ``python -m bot.evaluation.fact_report --report`` (bot/evaluation/fact_report.py).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.policy.cues import Cues, get_cues
from bot.policy.fact_data import FactExample, load_examples
from bot.policy.textnorm import normalise
from bot.vocabulary import Ground

NONE = "none"
UNLISTED = "G1u"  # a material not on the published list was demanded (R5 turns it into G4)
# Classes that lead to the same decision: the model abstains on their sum, not on each alone, so that
# doubt between "unlisted material" and "no basis" does not hide that both mean G4.
SAME_DECISION = {UNLISTED: Ground.NO_BASIS.value}
# Fewer characters than this are too little to tell a reason by n-grams ("冇", "唔知", "窗口"): the
# model then reads no ground, though a cue still may ("冇依据").
MIN_GROUND_CHARS = 4


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
    return UNLISTED if e.ground == Ground.INCOMPLETE and e.material_on_list is False else e.ground


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
            if best == Ground.NO_BASIS and g.get(UNLISTED, 0.0) > g.get(Ground.NO_BASIS.value, 0.0):
                ground, on_list = Ground.INCOMPLETE.value, False
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
