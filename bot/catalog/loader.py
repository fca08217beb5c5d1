"""Loads the catalog from YAML and rejects bad data loudly.

Every problem found is collected and reported together (file, entry, field), so a data editor
fixes a file in one pass instead of one error per run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml

from bot import yaml_files
from bot.catalog.model import (
    ITEM_KINDS,
    ONLINE_MODES,
    PLATFORMS,
    REQUEST_TYPES_WITH_DEPARTMENT,
    Catalog,
    Department,
    Item,
    Problem,
    Theme,
    ThemeStep,
    Town,
    Window,
)

T = TypeVar("T")
_MISSING = object()


class CatalogError(ValueError):
    """The catalog data is invalid; the message lists every problem found."""


class _Entry:
    """Typed, checked access to one mapping of a data file; problems go to a shared list."""

    def __init__(self, raw: Any, where: str, errors: list[str], allowed: set[str]) -> None:
        self.where = where
        self.errors = errors
        if not isinstance(raw, dict):
            errors.append(f"{where}: expected a mapping, got {type(raw).__name__}")
            raw = {}
        unknown = set(raw) - allowed
        if unknown:
            errors.append(f"{where}: unknown field(s) {sorted(unknown)}")
        self.raw: dict[str, Any] = raw

    def _get(self, key: str, kind: type[T] | tuple[type, ...], required: bool, default: Any) -> Any:
        value = self.raw.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.errors.append(f"{self.where}: missing required field '{key}'")
            return default
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.errors.append(f"{self.where}: field '{key}' has the wrong type ({value!r})")
            return default
        return value

    def text(self, key: str, required: bool = True, default: str = "") -> str:
        value = self._get(key, str, required, default)
        if required and isinstance(value, str) and not value.strip():
            self.errors.append(f"{self.where}: field '{key}' is empty")
        return str(value).strip() if value is not None else default

    def opt_text(self, key: str) -> str | None:
        value = self._get(key, str, False, None)
        return value.strip() if isinstance(value, str) and value.strip() else None

    def flag(self, key: str) -> bool:
        return bool(self._get(key, bool, True, False))

    def days(self, key: str) -> int | None:
        value: int | None = self._get(key, int, False, None)
        if value is not None and not 0 <= value <= 365:
            self.errors.append(f"{self.where}: field '{key}' must be 0-365 working days, got {value}")
            return None
        return value

    def texts(self, key: str, required: bool = True, min_len: int = 0) -> tuple[str, ...]:
        value = self._get(key, list, required, [])
        out: list[str] = []
        for v in value:
            if not isinstance(v, str) or not v.strip():
                self.errors.append(f"{self.where}: field '{key}' must be a list of non-empty strings")
                return ()
            out.append(v.strip())
        if len(set(out)) != len(out):
            self.errors.append(f"{self.where}: field '{key}' repeats an entry")
        if required and len(out) < min_len:
            self.errors.append(f"{self.where}: field '{key}' needs at least {min_len} entries")
        return tuple(out)

    def choice(self, key: str, allowed: tuple[str, ...], required: bool = True) -> str:
        value = self.text(key, required)
        if value and value not in allowed:
            self.errors.append(f"{self.where}: field '{key}' = {value!r} is not one of {list(allowed)}")
        return value

    def entries(self, key: str) -> list[Any]:
        return list(self._get(key, list, True, []))


def _read_yaml(path: Path, errors: list[str]) -> Any:
    try:
        with path.open(encoding="utf-8") as f:
            return yaml_files.safe_load(f)
    except (OSError, yaml.YAMLError) as exc:
        errors.append(f"{path.name}: cannot be read as YAML: {exc}")
        return None


def _unique(kind: str, keys: list[str], errors: list[str]) -> None:
    seen: set[str] = set()
    for k in keys:
        if k in seen:
            errors.append(f"duplicate {kind} '{k}'")
        seen.add(k)


_DEPT_FIELDS = {"code", "name", "short", "aliases", "scope", "windows", "address", "phone", "hours", "unverified"}
_TOWN_FIELDS = {"code", "name", "aliases", "centre", "address", "hours", "phone", "places", "unverified"}
_ITEM_FIELDS = {
    "id",
    "name",
    "aliases",
    "section",
    "kind",
    "level",
    "towns",
    "legal_days",
    "legal_unit",
    "promised_days",
    "instant",
    "online",
    "platforms",
    "materials",
    "commitment",
    "e_license",
    "theme",
    "fee",
    "basis",
    "unverified",
}
_PROBLEM_FIELDS = {"id", "name", "request_type", "department", "also", "keywords"}
_THEME_FIELDS = {"id", "name", "aliases", "patterns", "summary", "window", "online", "together", "steps", "unverified"}
_STEP_FIELDS = {"item", "after", "who", "when", "known_as"}


def _department(raw: Any, where: str, errors: list[str]) -> Department:
    e = _Entry(raw, where, errors, _DEPT_FIELDS)
    windows = []
    for i, w in enumerate(e.entries("windows")):
        we = _Entry(w, f"{where}.windows[{i}]", errors, {"name", "location"})
        windows.append(Window(name=we.text("name"), location=we.text("location")))
    return Department(
        code=e.text("code"),
        name=e.text("name"),
        short=e.text("short"),
        aliases=e.texts("aliases", required=False),
        scope=e.text("scope"),
        windows=tuple(windows),
        address=e.text("address"),
        phone=e.opt_text("phone"),
        hours=e.text("hours"),
        unverified=e.texts("unverified", required=False),
    )


def _town(raw: Any, where: str, errors: list[str]) -> Town:
    e = _Entry(raw, where, errors, _TOWN_FIELDS)
    return Town(
        code=e.text("code"),
        name=e.text("name"),
        aliases=e.texts("aliases", required=False),
        centre=e.text("centre"),
        address=e.text("address"),
        hours=e.text("hours"),
        phone=e.opt_text("phone"),
        places=e.texts("places", required=False),
        unverified=e.texts("unverified", required=False),
    )


def _item(raw: Any, where: str, department: str, towns: set[str], errors: list[str]) -> Item:
    e = _Entry(raw, where, errors, _ITEM_FIELDS)
    item_id = e.text("id")
    if item_id and not item_id.startswith(f"{department}."):
        errors.append(f"{where}: id '{item_id}' must start with '{department}.'")
    level = e.choice("level", ("district", "town"))
    town_list: tuple[str, ...] = ()
    raw_towns = e.raw.get("towns") if isinstance(e.raw, dict) else None
    if level == "town":
        if raw_towns == "all":
            town_list = tuple(sorted(towns))
        elif isinstance(raw_towns, list) and raw_towns:
            town_list = e.texts("towns")
            for t in town_list:
                if t not in towns:
                    errors.append(f"{where}: unknown town '{t}'")
        else:
            errors.append(f"{where}: a town-level item needs towns: all or a list of towns")
    elif raw_towns not in (None, [], ""):
        errors.append(f"{where}: a district-level item must not list towns")
    online = e.choice("online", ONLINE_MODES)
    platforms = e.texts("platforms", required=False)
    for p in platforms:
        if p not in PLATFORMS:
            errors.append(f"{where}: unknown platform '{p}'")
    if online != "仅限线下" and not platforms:
        errors.append(f"{where}: online '{online}' needs at least one platform")
    theme = e.opt_text("theme")  # checked against themes.yaml once every file is read
    legal, promised = e.days("legal_days"), e.days("promised_days")
    legal_unit = e.choice("legal_unit", ("工作日", "日"), required=False) or "工作日"
    if legal is not None and promised is not None and legal_unit == "工作日" and promised > legal:
        errors.append(f"{where}: promised_days ({promised}) exceeds legal_days ({legal})")
    unverified = e.texts("unverified", required=False)
    for u in unverified:
        if u not in _ITEM_FIELDS | {"department"}:
            errors.append(f"{where}: unverified names an unknown field '{u}'")
    return Item(
        id=item_id,
        name=e.text("name"),
        aliases=e.texts("aliases", min_len=1),
        department=department,
        section=e.text("section"),
        kind=e.choice("kind", ITEM_KINDS),
        level=level,
        towns=town_list,
        legal_days=legal,
        legal_unit=legal_unit,
        promised_days=promised,
        instant=e.flag("instant"),
        online=online,
        platforms=platforms,
        materials=e.texts("materials", min_len=1),
        commitment=e.flag("commitment"),
        e_license=e.flag("e_license"),
        theme=theme,
        fee=e.text("fee"),
        basis=e.opt_text("basis"),
        unverified=unverified,
    )


def _problem(raw: Any, where: str, departments: set[str], errors: list[str]) -> Problem:
    e = _Entry(raw, where, errors, _PROBLEM_FIELDS)
    dept = e.text("department")
    also = e.texts("also", required=False)
    for code in (dept, *also):
        if code and code not in departments:
            errors.append(f"{where}: unknown department '{code}'")
    return Problem(
        id=e.text("id"),
        name=e.text("name"),
        request_type=e.choice("request_type", REQUEST_TYPES_WITH_DEPARTMENT),
        department=dept,
        also=also,
        keywords=e.texts("keywords", min_len=1),
    )


def _theme(raw: Any, where: str, items: set[str], errors: list[str]) -> Theme:
    """One whole matter; steps must name catalog items, and ``after`` only earlier steps (so the file
    order is always a valid order and there can be no cycle)."""
    e = _Entry(raw, where, errors, _THEME_FIELDS)
    steps: list[ThemeStep] = []
    seen: set[str] = set()
    for i, rs in enumerate(e.entries("steps")):
        at = f"{where}.steps[{i}]"
        se = _Entry(rs, at, errors, _STEP_FIELDS)
        item = se.text("item")
        if item and item not in items:
            errors.append(f"{at}: unknown item '{item}'")
        if item in seen:
            errors.append(f"{at}: item '{item}' appears twice in the theme")
        after = se.texts("after", required=False)
        for a in after:
            if a not in seen:
                errors.append(f"{at}: after '{a}' is not an earlier step of this theme")
        seen.add(item)
        steps.append(
            ThemeStep(
                item=item,
                after=after,
                who=se.opt_text("who") or "申请人本人",
                when=se.opt_text("when"),
                known_as=se.texts("known_as", required=False),
            )
        )
    if len(steps) < 2:
        errors.append(f"{where}: a theme needs at least 2 steps")
    patterns = e.texts("patterns", required=False)
    for pat in patterns:
        try:
            re.compile(pat)
        except re.error as exc:
            errors.append(f"{where}: pattern {pat!r} is not a valid regular expression ({exc})")
    unverified = e.texts("unverified", required=False)
    for u in unverified:
        if u not in _THEME_FIELDS:
            errors.append(f"{where}: unverified names an unknown field '{u}'")
    return Theme(
        id=e.text("id"),
        name=e.text("name"),
        aliases=e.texts("aliases", min_len=1),
        patterns=patterns,
        summary=e.text("summary"),
        window=e.text("window"),
        online=e.text("online"),
        together=e.text("together"),
        steps=tuple(steps),
        unverified=unverified,
    )


def _check_themes(themes: list[Theme], items: list[Item], errors: list[str]) -> None:
    """Names and aliases belong to one theme each; an item's ``theme`` names a known theme (an item may
    belong to a theme without being one of its usual steps, e.g. a crane registration in 工程建设)."""
    _unique("theme id", [t.id for t in themes], errors)
    _unique("theme name", [t.name for t in themes], errors)
    owner: dict[str, str] = {}
    for t in themes:
        for alias in t.aliases:
            if alias in owner and owner[alias] != t.id:
                errors.append(f"themes.yaml: alias '{alias}' belongs to both '{owner[alias]}' and '{t.id}'")
            owner[alias] = t.id
    by_name = {t.name: t for t in themes}
    for item in items:
        if item.theme is None:
            continue
        if item.theme not in by_name:
            errors.append(f"item '{item.id}': unknown theme '{item.theme}' (not in themes.yaml)")


def _each(doc: Any, key: str, path: Path, errors: list[str], build: Callable[[Any, str], T]) -> list[T]:
    entries = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries:
        errors.append(f"{path.name}: needs a non-empty list '{key}'")
        return []
    return [build(raw, f"{path.name}[{i}]") for i, raw in enumerate(entries)]


def load_catalog(directory: Path) -> Catalog:
    """Reads and validates every catalog file under ``directory``; raises CatalogError on any problem."""
    errors: list[str] = []
    sources: dict[str, str] = {}

    dept_path = directory / "departments.yaml"
    dept_doc = _read_yaml(dept_path, errors)
    departments = _each(dept_doc, "departments", dept_path, errors, lambda r, w: _department(r, w, errors))
    _unique("department code", [d.code for d in departments], errors)
    dept_codes = {d.code for d in departments}
    district_raw = dept_doc.get("district_centre") if isinstance(dept_doc, dict) else None
    district = _town(district_raw, "departments.yaml district_centre", errors)
    hotline = str(dept_doc.get("hotline", "12345")) if isinstance(dept_doc, dict) else "12345"

    town_path = directory / "towns.yaml"
    town_doc = _read_yaml(town_path, errors)
    towns = _each(town_doc, "towns", town_path, errors, lambda r, w: _town(r, w, errors))
    _unique("town", [t.name for t in towns], errors)
    town_names = {t.name for t in towns}

    items: list[Item] = []
    item_files = sorted((directory / "items").glob("*.yaml"))
    if not item_files:
        errors.append("items/: no item files")
    for path in item_files:
        doc = _read_yaml(path, errors)
        code = doc.get("department") if isinstance(doc, dict) else None
        if code != path.stem or code not in dept_codes:
            errors.append(f"{path.name}: 'department' must be the file's name and a known code, got {code!r}")
            continue
        if isinstance(doc, dict) and isinstance(doc.get("source"), str):
            sources[f"items/{path.name}"] = doc["source"].strip()
        else:
            errors.append(f"{path.name}: needs a 'source' saying where its facts come from")
        dept_code = str(code)

        def build_item(raw: Any, where: str, dept: str = dept_code) -> Item:
            return _item(raw, where, dept, town_names, errors)

        items += _each(doc, "items", path, errors, build_item)
    _unique("item id", [i.id for i in items], errors)

    prob_path = directory / "problems.yaml"
    prob_doc = _read_yaml(prob_path, errors)
    problems = _each(prob_doc, "problems", prob_path, errors, lambda r, w: _problem(r, w, dept_codes, errors))
    _unique("problem id", [p.id for p in problems], errors)

    theme_path = directory / "themes.yaml"
    theme_doc = _read_yaml(theme_path, errors)
    item_ids = {i.id for i in items}
    themes = _each(theme_doc, "themes", theme_path, errors, lambda r, w: _theme(r, w, item_ids, errors))
    _check_themes(themes, items, errors)

    docs = (("departments.yaml", dept_doc), ("towns.yaml", town_doc), ("problems.yaml", prob_doc))
    for name, doc in (*docs, ("themes.yaml", theme_doc)):
        if isinstance(doc, dict) and isinstance(doc.get("source"), str):
            sources[name] = doc["source"].strip()
        else:
            errors.append(f"{name}: needs a 'source' saying where its facts come from")

    if errors:
        shown = "\n  ".join(errors[:200])
        more = f"\n  … and {len(errors) - 200} more" if len(errors) > 200 else ""
        raise CatalogError(f"catalog data in {directory} is invalid ({len(errors)} problems):\n  {shown}{more}")
    return Catalog(
        departments={d.code: d for d in departments},
        towns={t.name: t for t in towns},
        items={i.id: i for i in items},
        problems={p.id: p for p in problems},
        district_centre=district,
        hotline=hotline,
        sources=sources,
        themes={t.id: t for t in themes},
    )


@lru_cache(maxsize=4)
def get_catalog(directory: Path | None = None) -> Catalog:
    """The process-wide catalog, loaded once (validated at first use, never at import)."""
    from bot.config import settings

    return load_catalog(directory or settings().catalog_dir)
