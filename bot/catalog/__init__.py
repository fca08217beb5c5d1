"""The service catalog: departments, towns, service items and problem topics, as validated data."""

from bot.catalog.loader import CatalogError, get_catalog, load_catalog
from bot.catalog.model import Catalog, Department, Item, Problem, Theme, ThemeStep, Town

__all__ = [
    "Catalog",
    "CatalogError",
    "Department",
    "Item",
    "Problem",
    "Theme",
    "ThemeStep",
    "Town",
    "get_catalog",
    "load_catalog",
]
