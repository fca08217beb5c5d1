"""Whole matters (一件事一次办): finding a theme in a message, and turning it into an ordered plan.

Pure functions over the catalog: the dialogue decides when to answer with a plan, this module decides
what the plan is — the remaining steps in stages (a stage is what can be done at the same time once
the earlier stages are done), who does each, and the total time along the longest chain of steps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.catalog.model import Catalog, Item, Theme, ThemeStep


@dataclass(frozen=True)
class ThemeMatch:
    theme: Theme
    start: int
    end: int


@dataclass(frozen=True)
class PlannedStep:
    step: ThemeStep
    item: Item
    days: int | None  # working days for this step (0 when done on the spot); None when not published


@dataclass(frozen=True)
class Plan:
    theme: Theme
    stages: tuple[tuple[PlannedStep, ...], ...]  # in order; the steps of one stage can run at once
    done: tuple[Item, ...]  # steps left out because the applicant has them or needs them not
    total_days: int  # along the longest chain of the remaining steps, counting published days only
    total_known: bool  # False when a step on the way has no published time limit

    @property
    def steps(self) -> tuple[PlannedStep, ...]:
        return tuple(s for stage in self.stages for s in stage)


class ThemeFinder:
    """Theme aliases (literal) and patterns (regular expressions), searched in simplified text."""

    def __init__(self, catalog: Catalog) -> None:
        self._literal = sorted(
            ((alias, t) for t in catalog.themes.values() for alias in t.aliases), key=lambda p: -len(p[0])
        )
        self._patterns = [(re.compile(p), t) for t in catalog.themes.values() for p in t.patterns]
        self._catalog = catalog

    def find(self, text: str) -> list[ThemeMatch]:
        """Every theme named, earliest first (the longest phrase wins at one position), each once."""
        found: list[ThemeMatch] = []
        for alias, theme in self._literal:
            at = text.find(alias)
            if at >= 0:
                found.append(ThemeMatch(theme, at, at + len(alias)))
        for pattern, theme in self._patterns:
            hit = pattern.search(text)
            if hit:
                found.append(ThemeMatch(theme, hit.start(), hit.end()))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        seen: set[str] = set()
        out: list[ThemeMatch] = []
        for m in found:
            if m.theme.id not in seen:
                seen.add(m.theme.id)
                out.append(m)
        return out

    def mentioned_steps(self, theme: Theme, text: str) -> list[str]:
        """Items of ``theme`` the text names: by what applicants call their result, or by the item's
        name or aliases."""
        out: list[str] = []
        for step in theme.steps:
            item = self._catalog.items[step.item]
            words = (*step.known_as, item.name, *item.aliases)
            if any(w and w in text for w in words):
                out.append(step.item)
        return out


@lru_cache(maxsize=4)
def finder_for(catalog: Catalog) -> ThemeFinder:
    return ThemeFinder(catalog)


def step_days(item: Item) -> int | None:
    """Working days one step takes: 0 for 即办件, else the promised limit, else the legal one."""
    if item.instant:
        return 0
    if item.promised_days is not None:
        return item.promised_days
    return item.legal_days


def plan(theme: Theme, catalog: Catalog, done: set[str] | frozenset[str] = frozenset()) -> Plan:
    """The steps still to do, in stages, with the time along the longest chain.

    A step left out (done or not needed) counts as finished, so what depended on it moves up."""
    remaining = [s for s in theme.steps if s.item not in done]
    level: dict[str, int] = {}
    finish: dict[str, int] = {}
    known = True
    for s in remaining:  # the file order is a valid order: ``after`` only names earlier steps
        before = [a for a in s.after if a in level]
        level[s.item] = 1 + max((level[a] for a in before), default=0)
        days = step_days(catalog.items[s.item])
        if days is None:
            known = False
        finish[s.item] = (days or 0) + max((finish[a] for a in before), default=0)
    stages: dict[int, list[PlannedStep]] = {}
    for s in remaining:
        item = catalog.items[s.item]
        stages.setdefault(level[s.item], []).append(PlannedStep(s, item, step_days(item)))
    return Plan(
        theme=theme,
        stages=tuple(tuple(stages[k]) for k in sorted(stages)),
        done=tuple(catalog.items[s.item] for s in theme.steps if s.item in done),
        total_days=max(finish.values(), default=0),
        total_known=known,
    )
