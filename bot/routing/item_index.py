"""Fuzzy retrieval of service items by character n-gram similarity, for when no alias matches."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.catalog import Catalog


class ItemIndex:
    """TF-IDF over each item's name and aliases; cosine similarity to a query."""

    def __init__(self, catalog: Catalog) -> None:
        self._ids = list(catalog.items)
        docs = [" ".join((i.name, *i.aliases)) for i in catalog.items.values()]
        self._vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True)
        self._matrix = self._vectorizer.fit_transform(docs) if docs else None

    def search(self, text: str, top: int = 5) -> list[tuple[str, float]]:
        if self._matrix is None or not text.strip():
            return []
        sims = (self._matrix @ self._vectorizer.transform([text.lower()]).T).toarray().ravel()
        order = np.argsort(-sims)[:top]
        return [(self._ids[i], float(sims[i])) for i in order if sims[i] > 0]


@lru_cache(maxsize=4)
def index_for(catalog: Catalog) -> ItemIndex:
    return ItemIndex(catalog)
