"""The OpenAPI description served for integrators and the fuzzer names every route the channels serve."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.adapters.channels.openapi import description

ROOT = Path(__file__).resolve().parents[1]


def _channels() -> list[Any]:
    import importlib

    out = []
    for dotted in yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8")):
        module, _, name = dotted.rpartition(".")
        out.append(getattr(importlib.import_module(module), name))
    return out


async def _nothing(_: Any) -> None:
    return None


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> set[tuple[str, str]]:
    monkeypatch.setenv("SHOUZI_DATA_DIR", str(tmp_path))
    routes: set[tuple[str, str]] = set()
    for channel in _channels():
        instance = channel.from_credentials(None)
        bp = instance.blueprint(_nothing)
        prefix = f"/webhooks/{channel.name()}"
        for route in bp._future_routes:
            for method in route.methods:
                if method in ("GET", "POST"):
                    routes.add((method, prefix + ("/" + route.uri.lstrip("/") if route.uri != "/" else "/")))
    return routes


def _matches(template: str, uri: str) -> bool:
    return bool(re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), uri)) or template == uri


def test_every_channel_route_is_described(served: set[tuple[str, str]]) -> None:
    paths = description()["paths"]
    described = {(m.upper(), p) for p, ops in paths.items() for m in ops}
    for method, uri in served:
        if "<path:path>" in uri:  # the staff API's catch-all: its sub-routes are described one by one
            assert any(p.startswith(uri.split("<")[0]) for _, p in described)
            continue
        uri = re.sub(r"<([^>:]+)(:[^>]+)?>", r"{\1}", uri)
        assert any(m == method and _matches(p, uri) for m, p in described), (method, uri)


def test_the_description_is_valid_openapi_3() -> None:
    doc = description()
    assert doc["openapi"].startswith("3.") and doc["paths"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert method in ("get", "post") and op["responses"], (path, method)
