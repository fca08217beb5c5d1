"""Brings a database to the newest schema with Alembic; run by ``scripts/run.sh`` before serving.

``python -m bot.records.migrate [upgrade|current|downgrade REV]`` uses ``DATABASE_URL``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from bot.records.db import make_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as conn:
        cfg = _config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as conn:
        cfg = _config(engine)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def main(argv: list[str]) -> int:
    engine = make_engine()
    verb = argv[0] if argv else "upgrade"
    if verb == "upgrade":
        upgrade(engine)
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
