"""When a message is about a whole matter (一件事), which one, and what the applicant already has.

"我想在大沥开一家餐馆，要办哪些证？" asks for the whole of 开餐馆; "营业执照办好了，还要办什么" asks what is
left of the matter whose licence is done. Both are answered as one plan (bot.catalog.themes) without
the steps the applicant says are done or not needed. The words are data: ``cues.yaml`` (done,
not_needed, what_else, whole_matter) and ``bot/catalog/data/themes.yaml`` (names, known_as).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.catalog import Catalog, Item, Theme
from bot.catalog.themes import finder_for
from bot.conversation.cues import says

_CLAUSE = re.compile(r"[，,。.！!？?；;、\s]+")
# Aspects that ask about one item's details: with an item named, they are that item's question.
ITEM_DETAIL_ASPECTS = ("materials", "fee", "attend", "family", "amount")


@dataclass(frozen=True)
class WholeMatter:
    theme: Theme
    done: frozenset[str]  # item ids the applicant has (or needs not), prerequisites included
    named: bool  # the message names the theme itself


def _with_prerequisites(theme: Theme, done: set[str]) -> frozenset[str]:
    """Having a step means having what it needed: the food licence implies the business licence."""
    out = set(done)
    for step in reversed(theme.steps):
        if step.item in out:
            out |= set(step.after)
    return frozenset(out)


def done_in(theme: Theme, text: str, catalog: Catalog) -> frozenset[str]:
    """Steps of ``theme`` the text says are done or not needed, clause by clause."""
    finder = finder_for(catalog)
    done: set[str] = set()
    unneeded: set[str] = set()
    for clause in _CLAUSE.split(text):
        if not clause:
            continue
        if says("not_needed", clause):  # not needed says nothing about what it would have needed
            unneeded |= set(finder.mentioned_steps(theme, clause))
        elif says("done", clause) and not says("not_done", clause):
            done |= set(finder.mentioned_steps(theme, clause))
    return _with_prerequisites(theme, done) | unneeded


def _theme_of_done(text: str, catalog: Catalog, topic: Theme | None) -> tuple[Theme, frozenset[str]] | None:
    """No theme named, but steps said done ("营业执照办好了"): the matter under discussion if it has
    them, else the theme the done item belongs to in the catalog, else the first theme listing it."""
    candidates = ([topic] if topic else []) + [t for t in catalog.themes.values() if t != topic]
    found: list[tuple[Theme, frozenset[str]]] = []
    for theme in candidates:
        done = done_in(theme, text, catalog)
        if done:
            found.append((theme, done))
    if not found:
        return None
    if topic is not None and found[0][0] == topic:
        return found[0]
    for theme, done in found:
        if any(catalog.items[i].theme == theme.name for i in done):
            return theme, done
    return found[0]


def whole_matter(
    text: str,
    catalog: Catalog,
    items: Sequence[Item],
    aspects: Sequence[str],
    topic: Theme | None = None,
    topic_done: frozenset[str] = frozenset(),
) -> WholeMatter | None:
    """The whole matter this (simplified) message asks about, or None when it asks about one item or
    something else.

    A named theme is answered whole when the message asks for the whole ("要办哪些证"), names several of
    its items at once, or names no item at all; an item named ("我想注册公司", "开奶茶店要办食品经营许可证")
    stays that item's answer. Without a theme named, "还要办什么" continues the matter under discussion
    or the matter whose steps the applicant says are done."""
    whole = says("whole_matter", text)
    what_else = says("what_else", text)
    matches = finder_for(catalog).find(text)
    if matches:
        m = matches[0]
        asks_detail = any(a in ITEM_DETAIL_ASPECTS for a in aspects) and bool(items)
        # Several of the theme's own items named at once (often of several departments): the plan
        # answers them together, with who does each, rather than a coordination record.
        several = len(items) >= 2 and all(m.theme.step(i.id) is not None for i in items)
        if whole or what_else or several or not (items or asks_detail):
            done = done_in(m.theme, text, catalog)
            if topic is not None and m.theme == topic:
                done = done | topic_done
            return WholeMatter(m.theme, done, named=True)
        return None
    if not what_else:
        return None
    told = _theme_of_done(text, catalog, topic)
    if told is not None:
        theme, done = told
        return WholeMatter(theme, done | (topic_done if theme == topic else frozenset()), named=False)
    if topic is not None:
        return WholeMatter(topic, topic_done, named=False)
    return None
