"""Shared fixtures: the real catalog, and parse results shaped like Rasa's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import pytest

from bot.catalog import Catalog, get_catalog
from bot.catalog.matcher import matcher_for

ParseFactory = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return get_catalog()


@pytest.fixture(scope="session")
def make_parse(catalog: Catalog) -> ParseFactory:
    """A Rasa-like parse result for ``text`` with a chosen intent and department ranking."""
    matcher = matcher_for(catalog)

    def build(
        text: str,
        intent: str = "consult_item",
        confidence: float = 0.95,
        departments: list[tuple[str, float]] | None = None,
        fallback: bool = False,
        government: float | None = None,
    ) -> dict[str, Any]:
        ranking = [{"name": intent, "confidence": confidence}, {"name": "out_of_scope", "confidence": 1 - confidence}]
        top = {"name": "nlu_fallback", "confidence": 0.35} if fallback else ranking[0]
        parse: dict[str, Any] = {
            "text": text,
            "intent": top,
            "intent_ranking": ([top] if fallback else []) + ranking,
            "entities": [],
            "catalog_matches": [asdict(m) for m in matcher.find(text)],
            "department_ranking": [[c, p] for c, p in (departments or [])],
        }
        if government is not None:
            parse["government_probability"] = government
        return parse

    return build
