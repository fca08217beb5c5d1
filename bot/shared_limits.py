"""Moving-window rate-limit counts in an SQLite file, for the Rasa workers of one machine without Redis.

With several Sanic workers (SHOUZI_WORKERS, #16) each process's own memory would let a client through
once per worker. ``limits`` has no file-backed storage, so this one keeps its moving windows in a small
SQLite file of its own (not the records database): every decision is one ``BEGIN IMMEDIATE``
transaction, so concurrent workers never both take the last place in a window. Counts are transient,
so the file is not fsynced; losing it in a power cut only forgets who was counted.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from limits.storage import MovingWindowSupport, Storage

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS hits (key TEXT NOT NULL, at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS hits_key_at ON hits (key, at)",
)
# Every so many acquisitions, rows older than the longest window anyone uses are removed.
_PURGE_EVERY = 1000
_KEEP_SECONDS = 2 * 86400


class SQLiteMovingWindow(Storage, MovingWindowSupport):  # type: ignore[misc]
    """A ``limits`` storage for ``MovingWindowRateLimiter`` only (the strategy bot.throttle uses)."""

    STORAGE_SCHEME = None  # made directly by bot.throttle, never from a URI

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._acquired = 0
        with self._transaction() as db:
            for statement in _SCHEMA:
                db.execute(statement)

    def _connection(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")
            self._local.db = db
        return db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = time.time()
        with self._transaction() as db:
            db.execute("DELETE FROM hits WHERE key = ? AND at <= ?", (key, now - expiry))
            (used,) = db.execute("SELECT COUNT(*) FROM hits WHERE key = ?", (key,)).fetchone()
            if used + amount > limit:
                return False
            db.executemany("INSERT INTO hits (key, at) VALUES (?, ?)", [(key, now)] * amount)
            self._acquired += 1
            if self._acquired % _PURGE_EVERY == 0:
                db.execute("DELETE FROM hits WHERE at <= ?", (now - _KEEP_SECONDS,))
        return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[int, int]:
        """(start of the window: the oldest use still in it, uses in the window), as limits' memory storage."""
        now = time.time()
        oldest, used = (
            self._connection()
            .execute("SELECT MIN(at), COUNT(*) FROM hits WHERE key = ? AND at > ?", (key, now - expiry))
            .fetchone()
        )
        return (int(oldest) if oldest is not None else int(now)), int(used)

    def clear(self, key: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM hits WHERE key = ?", (key,))

    def reset(self) -> int:
        with self._transaction() as db:
            return int(db.execute("DELETE FROM hits").rowcount)

    def check(self) -> bool:
        return bool(self._connection().execute("SELECT 1").fetchone())

    # The fixed-window interface of ``Storage``: not used by the moving-window limiter.
    def incr(self, key: str, expiry: int, elastic_expiry: bool = False, amount: int = 1) -> int:
        raise NotImplementedError("SQLiteMovingWindow serves the moving-window strategy only")

    def get(self, key: str) -> int:
        raise NotImplementedError("SQLiteMovingWindow serves the moving-window strategy only")

    def get_expiry(self, key: str) -> int:
        raise NotImplementedError("SQLiteMovingWindow serves the moving-window strategy only")
