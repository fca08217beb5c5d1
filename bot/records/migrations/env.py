"""Alembic environment: the connection comes from bot.records.migrate, never from a config file."""

from __future__ import annotations

from alembic import context

from bot.records.db import make_engine
from bot.records.tables import metadata

config = context.config
connection = config.attributes.get("connection")


def run(conn: object) -> None:
    context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:  # `alembic` command line: DATABASE_URL or the default SQLite file
    with make_engine(config.get_main_option("sqlalchemy.url") or None).connect() as conn:
        run(conn)
