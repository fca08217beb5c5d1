from __future__ import annotations

from bot.catalog import Catalog
from bot.catalog.matcher import APPLICATION, DEPARTMENT, ITEM, RECORD, TOWN, longest_per_kind, matcher_for


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
