"""The catalog as shipped is complete and valid; broken data is rejected with every problem named."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import yaml

from bot.catalog import Catalog, CatalogError, load_catalog
from bot.config import CATALOG_DIR

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "departments.csv"
TOWNS = {"桂城街道", "九江镇", "西樵镇", "丹灶镇", "狮山镇", "大沥镇", "里水镇"}


def test_every_contract_department_is_in_the_catalog(catalog: Catalog) -> None:
    if not SPEC.exists():
        pytest.skip("../shared/spec is not beside this checkout")
    with SPEC.open(encoding="utf-8") as f:
        spec = {r["code"]: r["name"] for r in csv.DictReader(f)}
    assert {c: d.name for c, d in catalog.departments.items()} == spec


def test_seven_towns_with_centres(catalog: Catalog) -> None:
    assert set(catalog.towns) == TOWNS
    for town in catalog.towns.values():
        assert town.centre.endswith("行政服务中心")
        assert town.places, f"{town.name} should know its villages and communities"


def test_items_cover_departments_with_complete_facts(catalog: Catalog) -> None:
    assert len(catalog.items) >= 200
    covered = {i.department for i in catalog.items.values()}
    assert len(covered) == len(catalog.departments)
    for item in catalog.items.values():
        assert item.aliases and item.materials and item.section
        assert item.online == "仅限线下" or item.platforms
        if item.level == "town":
            assert set(item.towns) <= TOWNS and item.towns


def test_one_thing_one_visit_themes_present(catalog: Catalog) -> None:
    themes = {i.theme for i in catalog.items.values() if i.theme}
    assert {"开办企业", "开餐馆", "出生", "退休", "二手房转移登记"} <= themes


def test_problems_route_reports(catalog: Catalog) -> None:
    assert len(catalog.problems) >= 100
    codes = {p.department for p in catalog.problems.values()}
    assert {"psb", "cm", "ee", "hrss", "msa", "tr"} <= codes


def test_sources_are_stated(catalog: Catalog) -> None:
    assert {"departments.yaml", "towns.yaml", "problems.yaml"} <= set(catalog.sources)
    assert all(text for text in catalog.sources.values())


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(CATALOG_DIR, target)
    return target


def _edit_first_item(path: Path, **changes: object) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["items"][0].update(changes)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"colour": "red"}, "unknown field"),
        ({"kind": "随便"}, "is not one of"),
        ({"legal_days": 5, "promised_days": 9}, "exceeds legal_days"),
        ({"platforms": ["某某APP"]}, "unknown platform"),
        ({"level": "town", "towns": ["火星镇"]}, "unknown town"),
        ({"materials": []}, "needs at least 1"),
        ({"theme": "开飞船"}, "unknown theme"),
        ({"instant": "yes"}, "wrong type"),
        ({"id": "zzz.wrong_prefix"}, "must start with"),
        ({"legal_unit": "月"}, "is not one of"),
    ],
)
def test_bad_item_is_rejected(data_copy: Path, changes: dict[str, object], message: str) -> None:
    _edit_first_item(data_copy / "items" / "msa.yaml", **changes)
    with pytest.raises(CatalogError, match=message):
        load_catalog(data_copy)


def test_duplicate_ids_and_all_problems_reported_together(data_copy: Path) -> None:
    path = data_copy / "items" / "msa.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["items"].append(dict(doc["items"][0]))
    doc["items"][1]["kind"] = "随便"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(data_copy)
    assert "duplicate item id" in str(err.value)
    assert "is not one of" in str(err.value)


def test_unknown_department_in_problem_is_rejected(data_copy: Path) -> None:
    path = data_copy / "problems.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["problems"][0]["department"] = "nosuch"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match="unknown department 'nosuch'"):
        load_catalog(data_copy)


def test_missing_source_and_broken_yaml_are_rejected(data_copy: Path) -> None:
    doc = yaml.safe_load((data_copy / "towns.yaml").read_text(encoding="utf-8"))
    del doc["source"]
    (data_copy / "towns.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    (data_copy / "items" / "tax.yaml").write_text("items: [unclosed", encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(data_copy)
    assert "towns.yaml: needs a 'source'" in str(err.value)
    assert "tax.yaml: cannot be read as YAML" in str(err.value)


def test_calendar_day_limits_are_said_as_days(catalog: Catalog) -> None:
    from bot.conversation.replies import referral, render_text

    item = next(i for i in catalog.items.values() if i.legal_unit == "日" and i.legal_days and not i.instant)
    assert f"法定时限 {item.legal_days} 日" in render_text(referral(item, catalog, None))
