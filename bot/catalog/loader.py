"""Loads the catalog from YAML and rejects bad data loudly.

Every problem found is collected and reported together (file, entry, field), so a data editor
fixes a file in one pass instead of one error per run.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml

from bot.catalog.model import (
    ITEM_KINDS,
    ONLINE_MODES,
    PLATFORMS,
    REQUEST_TYPES_WITH_DEPARTMENT,
    THEMES,
    Catalog,
    Department,
    Item,
    Problem,
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
            return yaml.safe_load(f)
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
    theme = e.opt_text("theme")
    if theme is not None and theme not in THEMES:
        errors.append(f"{where}: unknown theme '{theme}'")
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

    for name, doc in (("departments.yaml", dept_doc), ("towns.yaml", town_doc), ("problems.yaml", prob_doc)):
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
    )


@lru_cache(maxsize=4)
def get_catalog(directory: Path | None = None) -> Catalog:
    """The process-wide catalog, loaded once (validated at first use, never at import)."""
    from bot.config import settings

    return load_catalog(directory or settings().catalog_dir)
