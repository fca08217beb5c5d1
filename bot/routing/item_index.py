"""Fuzzy retrieval of service items: how much of an item's name or alias appears in the text.

People rarely type an alias exactly ("开间奶茶店" for 开奶茶店, "换个新护照" for 换护照), so each phrase
is scored by the IDF-weighted share of its character bigrams found in the text. Bigrams common to
many phrases (办理, 申请, 证明) weigh little; a phrase mostly present scores near 1.
"""

from __future__ import annotations

import math
from collections import defaultdict
from functools import lru_cache

from bot.catalog import Catalog


def bigrams(text: str) -> set[str]:
    t = text.lower()
    return {t[i : i + 2] for i in range(len(t) - 1)}


class ItemIndex:
    """Inverted index from character bigrams to the item phrases that contain them."""

    def __init__(self, catalog: Catalog) -> None:
        self._phrase_item: list[str] = []
        self._phrase_weight: list[float] = []
        phrase_grams: list[set[str]] = []
        for item in catalog.items.values():
            for phrase in {item.name, *item.aliases}:
                grams = bigrams(phrase)
                if len(grams) >= 2:
                    self._phrase_item.append(item.id)
                    phrase_grams.append(grams)
        df: dict[str, int] = defaultdict(int)
        for grams in phrase_grams:
            for g in grams:
                df[g] += 1
        n = len(phrase_grams)
        self._idf = {g: math.log(1 + n / d) for g, d in df.items()}
        self._postings: dict[str, list[int]] = defaultdict(list)
        for pid, grams in enumerate(phrase_grams):
            for g in grams:
                self._postings[g].append(pid)
            self._phrase_weight.append(sum(self._idf[g] for g in grams))

    def search(self, text: str, top: int = 5) -> list[tuple[str, float]]:
        """Items whose best phrase is most covered by the text, with that coverage (0-1)."""
        found: dict[int, float] = defaultdict(float)
        for g in bigrams(text):
            for pid in self._postings.get(g, ()):
                found[pid] += self._idf[g]
        best: dict[str, float] = {}
        for pid, weight in found.items():
            coverage = weight / self._phrase_weight[pid]
            item_id = self._phrase_item[pid]
            if coverage > best.get(item_id, 0.0):
                best[item_id] = coverage
        return sorted(best.items(), key=lambda kv: -kv[1])[:top]


@lru_cache(maxsize=4)
def index_for(catalog: Catalog) -> ItemIndex:
    return ItemIndex(catalog)
