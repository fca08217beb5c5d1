"""Conversation locks shared by several processes, with atomic ticket handling.

Rasa 3.6's lock stores read a conversation's lock, change it and write it back in three steps; two
processes receiving messages of one conversation in the same instant both get ticket 0 and process
at once (seen in tests/server/test_multi_instance.py: two records for one message). Here every change
of a lock is one atomic step, so tickets are unique and served in order:

- ``AtomicRedisLockStore``: one Redis transaction (WATCH/MULTI); for instances on several machines.
- ``FileLockStore``: a file per conversation changed under an ``flock``; for the Sanic workers of one
  machine (#16: both cores without Redis). Lock state is transient, so nothing is fsynced.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.config import settings

T = TypeVar("T")
Change = Callable[[TicketLock | None], tuple[TicketLock | None, T]]


class AtomicTickets(LockStore):
    """Rasa's ticket operations, each as one atomic read-change-write (``_atomically``)."""

    def _atomically(self, conversation_id: str, change: Change[T]) -> T:
        raise NotImplementedError

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        return self._atomically(conversation_id, issue)

    def update_lock(self, conversation_id: str) -> None:
        def expire(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._atomically(conversation_id, expire)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._atomically(conversation_id, finish)


class AtomicRedisLockStore(AtomicTickets, RedisLockStore):
    """Configured as ``lock_store: {type: bot.adapters.stores.lock_store.AtomicRedisLockStore, url: …}``."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, **kwargs}
            kwargs.setdefault("host", endpoint_config.url or "localhost")
        super().__init__(**kwargs)

    def _atomically(self, conversation_id: str, change: Change[T]) -> T:
        """Read, change and write (or delete, for None) one lock as a single transaction."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    new, result = change(lock)
                    pipe.multi()
                    if new is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, new.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # someone else changed it in between: read again


# Conversations share a fixed set of lock files (never deleted, so every process locks the same inode);
# each conversation's tickets live in a file of their own, written and removed under its stripe's lock.
_STRIPES = 256


class FileLockStore(AtomicTickets):
    """Configured as ``lock_store: {type: bot.adapters.stores.lock_store.FileLockStore}``; the files live
    under ``lock_dir`` (default: ``locks/`` in the data directory). Only for processes of one machine."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, lock_dir: str | None = None) -> None:
        configured = lock_dir or (endpoint_config.kwargs.get("lock_dir") if endpoint_config else None)
        self.directory = Path(configured or settings().data_dir / "locks")
        self.directory.mkdir(parents=True, exist_ok=True)
        super().__init__()

    def _paths(self, conversation_id: str) -> tuple[Path, Path]:
        digest = hashlib.sha256(conversation_id.encode("utf-8", "surrogatepass")).hexdigest()
        return self.directory / f"stripe-{int(digest[:8], 16) % _STRIPES:03d}.lock", self.directory / f"{digest}.json"

    @contextmanager
    def _locked(self, conversation_id: str) -> Iterator[Path]:
        stripe, data = self._paths(conversation_id)
        fd = os.open(stripe, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield data
        finally:
            os.close(fd)  # closing releases the flock

    @staticmethod
    def _read(data: Path) -> TicketLock | None:
        try:
            return TicketLock.from_dict(json.loads(data.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None

    @staticmethod
    def _write(data: Path, lock: TicketLock | None) -> None:
        if lock is None:
            data.unlink(missing_ok=True)
        else:
            data.write_text(lock.dumps(), encoding="utf-8")

    def _atomically(self, conversation_id: str, change: Change[T]) -> T:
        with self._locked(conversation_id) as data:
            new, result = change(self._read(data))
            self._write(data, new)
            return result

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        with self._locked(conversation_id) as data:
            return self._read(data)

    def delete_lock(self, conversation_id: str) -> None:
        with self._locked(conversation_id) as data:
            self._write(data, None)

    def save_lock(self, lock: TicketLock) -> None:
        with self._locked(lock.conversation_id) as data:
            self._write(data, lock)
