from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.catalog import Catalog
from bot.catalog.matcher import (
    APPLICATION,
    DEPARTMENT,
    ITEM,
    RECORD,
    TOWN,
    Match,
    longest_per_kind,
    matcher_for,
    outermost,
)


def test_finds_town_from_old_town_names_and_villages(catalog: Catalog) -> None:
    m = matcher_for(catalog)
    assert {x.value for x in m.find("我住喺黄岐") if x.kind == TOWN} == {"大沥镇"}
    village = next(p for p in catalog.towns["西樵镇"].places)
    assert {x.value for x in m.find(f"我系{village}嘅") if x.kind == TOWN} == {"西樵镇"}


def test_finds_item_aliases_and_departments(catalog: Catalog) -> None:
    item = next(iter(catalog.items.values()))
    found = matcher_for(catalog).find(f"请问{item.aliases[0]}点搞？交警队喺边")
    assert (ITEM, item.id) in {(x.kind, x.value) for x in found}
    assert (DEPARTMENT, "psb") in {(x.kind, x.value) for x in found}


def test_record_and_application_numbers_are_normalised(catalog: Catalog) -> None:
    found = matcher_for(catalog).find("xt202611280007 同埋受理号：44060512345678 办到边")
    assert (RECORD, "XT202611280007") in {(x.kind, x.value) for x in found}
    assert (APPLICATION, "44060512345678") in {(x.kind, x.value) for x in found}
    assert not [x for x in matcher_for(catalog).find("XT20261128000799") if x.kind == RECORD]


def test_longest_per_kind_drops_overlaps(catalog: Catalog) -> None:
    found = matcher_for(catalog).find("桂城街道行政服务中心")
    towns = [x for x in longest_per_kind(found) if x.kind == TOWN]
    assert len(towns) == 1 and towns[0].text == "桂城街道行政服务中心"


def _quadratic_longest_per_kind(matches: list[Match]) -> list[Match]:
    """The earlier, obviously correct version: every candidate checked against every match taken."""
    chosen: list[Match] = []
    for kind in {m.kind for m in matches}:
        taken: list[Match] = []
        for m in sorted((m for m in matches if m.kind == kind), key=lambda m: (-m.length, m.start)):
            if all(m.end <= t.start or m.start >= t.end for t in taken):
                taken.append(m)
        chosen += taken
    return sorted(chosen, key=lambda m: (m.start, m.kind))


def _quadratic_outermost(matches: list[Match], kinds: tuple[str, ...]) -> list[Match]:
    taken: list[Match] = []
    for m in sorted((m for m in matches if m.kind in kinds), key=lambda m: (-m.length, m.start)):
        if all(m.end <= t.start or m.start >= t.end or (m.start, m.end) == (t.start, t.end) for t in taken):
            taken.append(m)
    return sorted(taken, key=lambda m: m.start)


spans = st.lists(
    st.tuples(st.sampled_from(["item", "problem", "town"]), st.integers(0, 40), st.integers(1, 8)), max_size=40
)


@given(spans)
def test_linear_overlap_resolution_agrees_with_the_quadratic_one(raw: list[tuple[str, int, int]]) -> None:
    matches = list({Match(k, f"{k}{s}", s, s + n, "x" * n) for k, s, n in raw})
    assert longest_per_kind(matches) == _quadratic_longest_per_kind(matches)
    assert outermost(matches, ("item", "problem")) == _quadratic_outermost(matches, ("item", "problem"))


def test_a_huge_message_is_matched_in_one_pass(catalog: Catalog) -> None:
    """Thousands of overlapping catalog phrases: every step is linear in the text (no pairwise checks)."""
    text = "开奶茶店办营业执照" * 3000
    found = matcher_for(catalog).find(text)
    assert len(found) > 3000
    assert len(longest_per_kind(found)) <= len(text)
