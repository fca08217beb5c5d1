"""Finds catalog things in free text: items, departments, towns, problem topics and record numbers.

Matching is on literal phrases (names, aliases, keywords), independent of word segmentation, so a
phrase is found whether or not jieba splits it the same way. A dictionary keyed by phrase and a scan
over the phrase lengths that exist keeps it linear in the text length.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from bot.catalog.model import Catalog
from bot.records.numbers import NUMBER_RE, normalise

# Kinds of match, which are also the entity names the assistant uses.
ITEM, DEPARTMENT, TOWN, PROBLEM, RECORD, APPLICATION = (
    "item",
    "department",
    "town",
    "problem",
    "record_number",
    "application_number",
)

APPLICATION_RE = re.compile(
    r"(?:受理号|申请号|办件号|办件编号|受理编号|申请编号|业务编号|流水号)\s*[:：是为]?\s*([A-Za-z0-9-]{6,24})"
)


@dataclass(frozen=True)
class Match:
    kind: str
    value: str  # item id, department code, town name, problem id or normalised number
    start: int
    end: int
    text: str

    @property
    def length(self) -> int:
        return self.end - self.start


class CatalogMatcher:
    """Phrase lookup over the catalog, built once per catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self._phrases: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for item in catalog.items.values():
            for phrase in (item.name, *item.aliases):
                self._add(phrase, ITEM, item.id)
        for dept in catalog.departments.values():
            for phrase in (dept.name, dept.short, *dept.aliases):
                self._add(phrase, DEPARTMENT, dept.code)
        for town in catalog.towns.values():
            for phrase in (town.name, town.centre, *town.aliases, *town.places):
                self._add(phrase, TOWN, town.name)
        for problem in catalog.problems.values():
            for phrase in problem.keywords:
                self._add(phrase, PROBLEM, problem.id)
        self._lengths = sorted({len(p) for p in self._phrases}, reverse=True)

    def _add(self, phrase: str, kind: str, value: str) -> None:
        key = phrase.strip().lower()
        if len(key) >= 2 and (kind, value) not in self._phrases[key]:
            self._phrases[key].append((kind, value))

    def phrases(self) -> list[str]:
        """All phrases known to the matcher (for building the tokenizer's user dictionary)."""
        return sorted(self._phrases)

    def find(self, text: str) -> list[Match]:
        """Every phrase occurrence, overlapping ones included, plus record and application numbers."""
        lowered = text.lower()
        found: list[Match] = []
        n = len(lowered)
        for i in range(n):
            for length in self._lengths:
                if i + length > n:
                    continue
                hits = self._phrases.get(lowered[i : i + length])
                if hits:
                    for kind, value in hits:
                        found.append(Match(kind, value, i, i + length, text[i : i + length]))
        for m in NUMBER_RE.finditer(text):
            found.append(Match(RECORD, normalise(m.group(1)), m.start(1), m.end(1), m.group(1)))
        for m in APPLICATION_RE.finditer(text):
            found.append(Match(APPLICATION, m.group(1).upper(), m.start(1), m.end(1), m.group(1)))
        return found


def longest_per_kind(matches: list[Match]) -> list[Match]:
    """Non-overlapping matches of each kind, longest first, in text order (for entities).

    Each kind marks the characters its chosen matches cover, so a match is checked in time
    proportional to its own length: linear in the text, however many matches it holds."""
    chosen: list[Match] = []
    by_kind: dict[str, list[Match]] = defaultdict(list)
    for m in matches:
        by_kind[m.kind].append(m)
    for group in by_kind.values():
        covered: set[int] = set()
        for m in sorted(group, key=lambda m: (-m.length, m.start)):
            span = range(m.start, m.end)
            if covered.isdisjoint(span):
                chosen.append(m)
                covered.update(span)
    return sorted(chosen, key=lambda m: (m.start, m.kind))


def outermost(matches: list[Match], kinds: tuple[str, ...]) -> list[Match]:
    """Matches of the given kinds not contained in a longer match of any of those kinds.

    "红路灯" (traffic lights) must not also count as "路灯" (street lights); matches on exactly the
    same span (an item alias that is also a problem keyword) all stay.
    """
    taken: list[Match] = []
    covered: set[int] = set()
    spans: set[tuple[int, int]] = set()
    for m in sorted((m for m in matches if m.kind in kinds), key=lambda m: (-m.length, m.start)):
        # Taken matches never overlap one another except on identical spans, so a match on a taken
        # span overlaps nothing else, and any other match must cover no taken character.
        if (m.start, m.end) in spans or covered.isdisjoint(range(m.start, m.end)):
            taken.append(m)
            spans.add((m.start, m.end))
            covered.update(range(m.start, m.end))
    return sorted(taken, key=lambda m: m.start)


@lru_cache(maxsize=4)
def matcher_for(catalog: Catalog) -> CatalogMatcher:
    return CatalogMatcher(catalog)
