"""A light text classifier from a message to departments (char n-grams + logistic loss).

It learns from the department-labelled training examples (nlu_data/departments/*.yml) and from the
catalog's own words (item names and aliases, problem keywords, department scopes), so that a new
item or keyword in the catalog teaches the router without new sentences. Training takes seconds.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier

from bot.catalog import Catalog

_MODEL_FILE = "department_model.joblib"
# Label of examples that belong to no department (small talk, out of scope): the model then also
# says how likely a text is a government matter at all, a second opinion beside the intent model.
NONE = "_none"
# Boilerplate of hotline work orders that says nothing about the department.
_BOILERPLATE = re.compile(r"(市民|来电人|来电|群众|网友)(来电|通过\S{0,6})?(反映|咨询|投诉|求助|举报|表示|称)[:：]?")


def normalise(text: str) -> str:
    return _BOILERPLATE.sub(" ", text.lower())


def catalog_examples(catalog: Catalog) -> list[tuple[str, str]]:
    """(text, department) pairs derived from the catalog itself."""
    pairs: list[tuple[str, str]] = []
    for item in catalog.items.values():
        pairs.append((item.name, item.department))
        pairs += [(a, item.department) for a in item.aliases]
    for problem in catalog.problems.values():
        pairs.append((problem.name, problem.department))
        pairs += [(k, problem.department) for k in problem.keywords]
    for dept in catalog.departments.values():
        pairs += [(part, dept.code) for part in re.split(r"[、，,（）()：:]", dept.scope) if len(part) >= 2]
        pairs += [(a, dept.code) for a in (dept.short, *dept.aliases)]
    return pairs


@dataclass
class DepartmentModel:
    """Ranks departments for a text; probabilities over the departments seen in training."""

    vectorizer: TfidfVectorizer
    classifier: SGDClassifier

    def __post_init__(self) -> None:
        # sklearn multiplies by coef_.T, copying the whole (classes x features) matrix on every
        # call (16 ms here); a contiguous transposed copy made once makes a prediction ~0.1 ms.
        self._weights = np.ascontiguousarray(self.classifier.coef_.T)
        self._bias = self.classifier.intercept_
        self._classes = [str(c) for c in self.classifier.classes_]
        # TfidfVectorizer.transform rebuilds idf_ from its diagonal matrix on every call (1.1 of
        # 1.5 ms per message); the same weighting done here on a plain array is a quarter of that.
        self._analyze = self.vectorizer.build_analyzer()
        self._vocabulary: dict[str, int] = self.vectorizer.vocabulary_
        self._idf = np.asarray(self.vectorizer.idf_, dtype=np.float64)

    def _scores(self, text: str) -> NDArray[np.float64]:
        """Class scores of one text: sublinear tf × idf, L2-normalised, times the weights (as sklearn)."""
        counts = Counter(g for g in self._analyze(normalise(text)) if g in self._vocabulary)
        if not counts:
            return np.asarray(self._bias, dtype=np.float64).copy()
        idx = np.fromiter((self._vocabulary[g] for g in counts), dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self._idf[idx]
        values /= np.sqrt(values @ values)
        scores: NDArray[np.float64] = values @ self._weights[idx] + self._bias
        return scores

    def _proba(self, text: str) -> NDArray[np.float64]:
        """Same as SGDClassifier.predict_proba for log loss (one-vs-rest, normalised)."""
        prob: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-self._scores(text)))
        total = float(prob.sum())
        return prob / total if total > 0 else prob

    @classmethod
    def train(cls, examples: Iterable[tuple[str, str]], alpha: float = 1e-5) -> DepartmentModel:
        texts, labels = zip(*[(normalise(t), d) for t, d in examples if t.strip()], strict=False)
        if len(set(labels)) < 2:
            raise ValueError("the department model needs examples of at least two departments")
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1)
        x = vectorizer.fit_transform(texts)
        # Logistic loss for probabilities; SGD trains in well under a second where lbfgs took a minute.
        classifier = SGDClassifier(
            loss="log_loss", alpha=alpha, class_weight="balanced", max_iter=50, tol=1e-4, random_state=0
        )
        classifier.fit(x, np.array(labels))
        return cls(vectorizer, classifier)

    @property
    def departments(self) -> Sequence[str]:
        return [str(c) for c in self.classifier.classes_ if c != NONE]

    def predict(self, text: str, top: int = 5) -> tuple[list[tuple[str, float]], float]:
        """Departments ranked (probabilities renormalised without NONE) and P(government matter)."""
        probs = self._proba(text)
        classes = self._classes
        p_none = float(probs[classes.index(NONE)]) if NONE in classes else 0.0
        mass = max(1e-9, 1.0 - p_none)
        order = [i for i in np.argsort(-probs) if classes[i] != NONE][:top]
        return [(classes[i], float(probs[i]) / mass) for i in order], 1.0 - p_none

    def rank(self, text: str, top: int = 5) -> list[tuple[str, float]]:
        return self.predict(text, top)[0]

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        joblib.dump({"vectorizer": self.vectorizer, "classifier": self.classifier}, directory / _MODEL_FILE)

    @classmethod
    def load(cls, directory: Path) -> DepartmentModel:
        parts = joblib.load(directory / _MODEL_FILE)
        return cls(parts["vectorizer"], parts["classifier"])
