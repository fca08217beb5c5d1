"""From an understood message to ranked departments and service items, with scores.

Evidence combined (each source can be wrong on its own):
- the department model's probabilities (learned from training sentences and catalog words);
- catalog phrases found in the text: item names/aliases, problem keywords, department names;
- the request type (conversation acts carry no department; online trouble defaults to 政数局);
- the town, which decides where (not who) and is passed through for the referral.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.catalog import Catalog, Item
from bot.catalog.matcher import DEPARTMENT, ITEM, PROBLEM, TOWN, Match, outermost
from bot.request_types import GOVERNMENT_TYPES, RequestType
from bot.routing.item_index import ItemIndex

PLATFORM_DEPARTMENT = "dsd"  # the one-stop platforms and the centres themselves

# Weights of each kind of evidence, relative to the model's probability mass of 1.
W_MODEL = 1.0
W_ITEM = 0.9
W_PROBLEM = 0.6
W_PROBLEM_ALSO = 0.12
W_DEPARTMENT_NAMED = 0.8
# A department that speaks first, reporting back or answering on a work order ("区城管局来电反馈：…",
# "交警答复：…"), is talking about its own case, whatever the order's words suggest.
W_DEPARTMENT_SPEAKING = 2.0
SPEAKER_WITHIN = 12  # characters from the start of the message
_SPEAKS = re.compile(r"[^，。,:：;；]{0,8}?(来电|致电)?(反馈|答复|回复|补充)")
MIN_SCORE = 0.02
MIN_ITEM_COVERAGE = 0.5


@dataclass(frozen=True)
class RankedItem:
    item: Item
    score: float  # relevance to this request, combining phrase coverage and department evidence
    coverage: float  # share of the item's best phrase found in the text (1.0 when named exactly)

    @property
    def exact(self) -> bool:
        return self.coverage >= 1.0


@dataclass(frozen=True)
class Route:
    departments: list[tuple[str, float]]
    items: list[RankedItem]
    town: str | None
    confident: bool
    evidence: dict[str, list[str]] = field(default_factory=dict)

    @property
    def top_department(self) -> str | None:
        return self.departments[0][0] if self.departments else None


def _town(matches: Sequence[Match], town_hint: str | None, catalog: Catalog) -> str | None:
    if town_hint and town_hint in catalog.towns:
        return town_hint
    for m in sorted(matches, key=lambda m: -m.length):
        if m.kind == TOWN:
            return m.value
    return None


def route(
    catalog: Catalog,
    index: ItemIndex,
    text: str,
    request_type: str,
    matches: Iterable[Match],
    model_ranking: Sequence[tuple[str, float]],
    town_hint: str | None = None,
    min_confidence: float = 0.45,
) -> Route:
    """Ranks departments and items for one message; empty for conversation acts."""
    matches = list(matches)
    town = _town(matches, town_hint, catalog)
    if request_type not in GOVERNMENT_TYPES:
        return Route([], [], town, confident=False)

    score: dict[str, float] = defaultdict(float)
    evidence: dict[str, list[str]] = defaultdict(list)
    for code, p in model_ranking:
        if code in catalog.departments:
            score[code] += W_MODEL * p
    item_hits: dict[str, int] = {}
    for m in outermost(matches, (ITEM, PROBLEM, DEPARTMENT)):
        if m.kind == ITEM:
            item_hits[m.value] = max(item_hits.get(m.value, 0), m.length)
        elif m.kind == PROBLEM:
            problem = catalog.problems[m.value]
            score[problem.department] += W_PROBLEM * min(1.0, m.length / 4)
            evidence[problem.department].append(f"problem:{problem.id}")
            for other in problem.also:
                score[other] += W_PROBLEM_ALSO
        elif m.kind == DEPARTMENT:
            speaking = m.start <= SPEAKER_WITHIN and _SPEAKS.match(text, m.end) is not None
            score[m.value] += W_DEPARTMENT_SPEAKING if speaking else W_DEPARTMENT_NAMED
            evidence[m.value].append(f"{'speaking' if speaking else 'named'}:{m.text}")
    for item_id, length in item_hits.items():
        dept = catalog.items[item_id].department
        score[dept] += W_ITEM * min(1.0, length / 4) / max(1, len(item_hits)) ** 0.5
        evidence[dept].append(f"item:{item_id}")
    if request_type == RequestType.ONLINE_HELP and not evidence:
        score[PLATFORM_DEPARTMENT] += 0.5

    total = sum(score.values()) or 1.0
    departments = sorted(((c, s / total) for c, s in score.items() if s / total >= MIN_SCORE), key=lambda x: -x[1])
    items = _rank_items(catalog, index, text, item_hits, departments)
    top = departments[0][1] if departments else 0.0
    second = departments[1][1] if len(departments) > 1 else 0.0
    confident = bool(departments) and top >= min_confidence and top - second >= 0.15
    return Route([(c, round(s, 4)) for c, s in departments[:5]], items, town, confident, dict(evidence))


def _rank_items(
    catalog: Catalog,
    index: ItemIndex,
    text: str,
    item_hits: dict[str, int],
    departments: Sequence[tuple[str, float]],
) -> list[RankedItem]:
    dept_score = dict(departments)
    ranked: dict[str, RankedItem] = {}
    longest = max(item_hits.values(), default=1)
    for item_id, length in item_hits.items():
        item = catalog.items[item_id]
        s = 0.5 + 0.5 * length / longest
        score = min(1.0, s * (0.5 + dept_score.get(item.department, 0.0)))
        ranked[item_id] = RankedItem(item, round(score, 4), 1.0)
    for item_id, coverage in index.search(text, top=5):
        if item_id in ranked or coverage < MIN_ITEM_COVERAGE:
            continue
        item = catalog.items[item_id]
        score = coverage * (0.3 + dept_score.get(item.department, 0.0))
        ranked[item_id] = RankedItem(item, round(min(1.0, score), 4), round(coverage, 4))
    return sorted(ranked.values(), key=lambda r: (-r.exact, -r.score))[:5]
