"""Shared fixtures: the real catalog, parse results shaped like Rasa's, and real databases."""

from __future__ import annotations

import os
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url

from bot.adapters.launcher import free_port
from bot.catalog import Catalog, get_catalog
from bot.catalog.matcher import matcher_for
from bot.records.db import make_engine
from bot.records.migrate import upgrade
from bot.throttle import get_throttle

ParseFactory = Callable[..., dict[str, Any]]
# Staff passwords in tests: argon2's cheapest profile (production uses RFC 9106's; tests/staff checks both).
os.environ.setdefault("SHOUZI_PASSWORD_HASH", "cheapest")
# The tests' own process is one process: its rate limits live in its memory (several Rasa workers would share
# a file, bot.shared_limits). Assistants the tests start keep the machine's default layout (bot.adapters.launcher).
os.environ["SHOUZI_WORKERS"] = "1"


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    """Each test starts with empty rate-limit windows (the throttle is process-wide)."""
    get_throttle.cache_clear()
    yield
    get_throttle.cache_clear()


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


ROOT = Path(__file__).resolve().parents[1]


def _service(script: str, prefix: str) -> Iterator[str]:
    """Starts a throwaway server with scripts/<script> on a free loopback port; yields its address.

    Where it cannot start, the tests that need it skip, unless ``SHOUZI_REQUIRE_SERVICES=1`` (set by
    ``make test``) makes that a failure.
    """
    workdir = tempfile.mkdtemp(prefix=prefix)
    path = ROOT / "scripts" / script
    started = subprocess.run(
        [str(path), "start", workdir, str(free_port())], capture_output=True, text=True, timeout=600
    )
    try:
        if started.returncode != 0:
            message = f"{script} could not start its server: {started.stderr.strip()[-500:]}"
            if os.environ.get("SHOUZI_REQUIRE_SERVICES") == "1":
                pytest.fail(message)
            pytest.skip(message)
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(path), "stop", workdir], check=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL for the session (``SHOUZI_TEST_POSTGRES_URL`` uses one you already run)."""
    given = os.environ.get("SHOUZI_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    yield from _service("postgres.sh", "shouzi-pg-")


@pytest.fixture(scope="session")
def redis_address() -> Iterator[tuple[str, int]]:
    """A real Redis for the session: the conversation lock store of multi-instance deployments."""
    for address in _service("redis.sh", "shouzi-redis-"):
        host, port = address.rsplit(":", 1)
        yield host, int(port)


def fresh_postgres_database(server_url: str) -> str:
    """A new, empty database on the test server, so every test starts from nothing."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server_url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))  # name is generated above, never user input
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind the assistant supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'records.db'}"
    return fresh_postgres_database(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated database (SQLite file and PostgreSQL, each test on both)."""
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()
