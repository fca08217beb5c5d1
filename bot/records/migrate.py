"""Brings a database to the newest schema with Alembic; run by ``scripts/run.sh`` before serving.

``python -m bot.records.migrate [upgrade|current|downgrade REV]`` uses ``DATABASE_URL``.

Several instances start at once in a multi-machine deployment: an upgrade holds a lock (a PostgreSQL
advisory lock; a lock file beside an SQLite database), so one instance migrates and the others wait, find
the schema current and do nothing.
"""

from __future__ import annotations

import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from bot.records.db import make_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


# Any fixed 64-bit number: the advisory lock every instance of this assistant takes to migrate.
ADVISORY_LOCK = 5_150_015_0015


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as lock_conn:
            lock_conn.execute(select(func.pg_advisory_lock(ADVISORY_LOCK)))
            try:
                yield
            finally:
                lock_conn.execute(select(func.pg_advisory_unlock(ADVISORY_LOCK)))
                lock_conn.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    fd = os.open(os.path.abspath(database) + ".migrate.lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _steps_to(conn: Connection, target: str) -> int:
    """How many revisions lie between the database's current one and ``target`` (head)."""
    script = ScriptDirectory(str(MIGRATIONS))
    current = MigrationContext.configure(conn).get_current_revision()
    rev: Script | None = script.get_revision(script.get_current_head() or "" if target == "head" else target)
    steps = 0
    while rev is not None and rev.revision != current:
        steps += 1
        down = rev.down_revision
        rev = script.get_revision(down) if isinstance(down, str) else None
    return steps


def upgrade(engine: Engine, revision: str = "head") -> int:
    """Upgrades under the migration lock; the number of revisions this call applied (0: already current)."""
    with _migration_lock(engine), engine.begin() as conn:
        steps = _steps_to(conn, revision)
        cfg = _config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return steps


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as conn:
        cfg = _config(engine)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def main(argv: list[str]) -> int:
    engine = make_engine()
    verb = argv[0] if argv else "upgrade"
    if verb == "upgrade":
        applied = upgrade(engine)
        print(f"迁移 / migrations applied: {applied}")
    elif verb == "downgrade" and len(argv) == 2:
        downgrade(engine, argv[1])
    elif verb == "current":
        with engine.connect() as conn:
            cfg = _config(engine)
            cfg.attributes["connection"] = conn
            command.current(cfg)
    else:
        print("usage: python -m bot.records.migrate [upgrade | current | downgrade REV]", file=sys.stderr)
        return 2
    print(f"数据库已就绪 / database ready: {engine.url.render_as_string(hide_password=True)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
