"""Whole matters (一件事) as checked data, and the plans made from them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.catalog import Catalog, CatalogError, load_catalog
from bot.catalog.themes import finder_for, plan

DATA = Path(__file__).resolve().parents[2] / "bot" / "catalog" / "data"


def test_at_least_twenty_themes_each_of_catalog_items(catalog: Catalog) -> None:
    assert len(catalog.themes) >= 20
    for theme in catalog.themes.values():
        assert len(theme.steps) >= 2 and theme.window and theme.online and theme.together
        assert all(s.item in catalog.items for s in theme.steps)


def test_every_item_theme_is_a_known_theme(catalog: Catalog) -> None:
    names = {t.name for t in catalog.themes.values()}
    assert {i.theme for i in catalog.items.values() if i.theme} <= names


def _broken_copy(tmp_path: Path, edit: dict[str, object]) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    doc = yaml.safe_load((target / "themes.yaml").read_text(encoding="utf-8"))
    doc["themes"][0].update(edit)
    (target / "themes.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return target


def test_bad_themes_are_rejected_with_every_problem_listed(tmp_path: Path) -> None:
    steps = [
        {"item": "msa.enterprise_establishment", "after": ["psb.seal_engraving"]},
        {"item": "nope.item"},
        {"item": "psb.seal_engraving", "colour": "red"},
    ]
    broken = _broken_copy(tmp_path, {"steps": steps, "patterns": ["开(公司"], "aliases": ["开餐馆"]})
    with pytest.raises(CatalogError) as err:
        load_catalog(broken)
    message = str(err.value)
    assert "is not an earlier step" in message
    assert "unknown item 'nope.item'" in message
    assert "unknown field(s) ['colour']" in message
    assert "not a valid regular expression" in message
    assert "alias '开餐馆' belongs to both" in message


def test_plan_orders_steps_by_dependency_and_counts_the_longest_chain(catalog: Catalog) -> None:
    theme = catalog.themes["open_restaurant"]
    p = plan(theme, catalog)
    first = {s.item.id for s in p.stages[0]}
    assert first == {"msa.individual_business_registration", "health.health_certificate"}
    assert "msa.food_business_licence" in {s.item.id for s in p.stages[1]}
    assert [s.item.id for s in p.steps] == [
        s.item for s in sorted(theme.steps, key=lambda s: 0 if s.item in first else 1)
    ]
    # the food licence (5 days) after a business licence issued on the spot and a 3-day health check
    assert p.total_days >= 8


def test_done_steps_leave_the_plan_and_their_dependents_move_up(catalog: Catalog) -> None:
    theme = catalog.themes["start_company"]
    p = plan(theme, catalog, {"msa.enterprise_name_declaration", "msa.enterprise_establishment"})
    assert [i.id for i in p.done] == ["msa.enterprise_name_declaration", "msa.enterprise_establishment"]
    assert len(p.stages) == 1 and "psb.seal_engraving" in {s.item.id for s in p.stages[0]}


def test_finder_hears_names_and_patterns(catalog: Catalog) -> None:
    finder = finder_for(catalog)
    assert finder.find("我想在大沥开一家餐馆")[0].theme.id == "open_restaurant"
    assert finder.find("我想喺桂城开间奶茶铺")[0].theme.id == "open_small_catering"
    assert finder.find("补办身份证") == []
