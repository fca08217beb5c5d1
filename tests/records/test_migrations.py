"""Migrations and the table definitions agree, on both databases, up and down."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from bot.records.db import make_engine
from bot.records.migrate import downgrade, upgrade
from bot.records.tables import metadata

VERSIONS = Path(__file__).resolve().parents[2] / "bot" / "records" / "migrations" / "versions"


def test_migrated_schema_matches_the_tables(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    upgrade(engine)  # idempotent: a restart runs it again
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_upgrading_keeps_existing_records(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO records (number, kind, state, first_unit, channel, conversation_id, matter, reason,"
                " departments, due_on, created_at, updated_at) VALUES ('XT202611270001', 'coordination', 'opened',"
                " 'u', 'rest', 'c', 1, 'unclear', '[]', '2026-12-01', '2026-11-27 10:00:00', '2026-11-27 10:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO record_events (record_id, at, actor, action, to_state)"
                " SELECT id, '2026-11-27 10:00:00', 'assistant', 'open', 'opened' FROM records"
            )
        )
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT number, version FROM records")).all() == [("XT202611270001", 1)]
        assert conn.execute(text("SELECT count(*) FROM record_events")).scalar_one() == 1
    engine.dispose()


def test_two_instances_starting_at_once_migrate_once(db_url: str) -> None:
    """The second `migrate upgrade` waits on the lock, finds the schema current and applies nothing."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": db_url}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot.records.migrate", "upgrade"], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    applied = sorted(int(line.rsplit(":", 1)[1]) for out in outputs for line in out.splitlines() if "applied" in line)
    assert applied == [0, len(list(VERSIONS.glob("0*.py")))]  # one applies every migration, the other none
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    engine.dispose()
