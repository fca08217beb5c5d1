"""Rate-limit counts shared by the workers of one machine through an SQLite file (bot.shared_limits)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from limits import parse_many

from bot.throttle import Quota, Throttle, shared_file


def _throttle(path: Path) -> Throttle:
    return Throttle({Quota.CLIENT_MESSAGES: list(parse_many("30/minute"))}, shared_file=path)


def _hits(path: str, n: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    t = _throttle(Path(path))
    out.put(sum(t.hit(Quota.CLIENT_MESSAGES, "1.2.3.4").allowed for _ in range(n)))


def test_two_processes_share_one_window(tmp_path: Path) -> None:
    """Four processes each try 20 uses of a 30-a-minute limit at once: exactly 30 get through in all."""
    path = tmp_path / "throttle.sqlite"
    out: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    procs = [multiprocessing.Process(target=_hits, args=(str(path), 20, out)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    assert sum(out.get(timeout=5) for _ in procs) == 30
    t = _throttle(path)
    refused = t.hit(Quota.CLIENT_MESSAGES, "1.2.3.4")
    assert not refused.allowed and 1 <= refused.retry_after <= 61
    assert t.hit(Quota.CLIENT_MESSAGES, "5.6.7.8").allowed  # another client has its own window
    t.clear(Quota.CLIENT_MESSAGES, "1.2.3.4")
    assert t.peek(Quota.CLIENT_MESSAGES, "1.2.3.4").allowed


def test_the_file_is_used_only_for_several_workers_without_redis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.config import settings

    monkeypatch.setenv("SHOUZI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SHOUZI_REDIS_HOST", raising=False)
    settings.cache_clear()
    try:
        monkeypatch.setenv("SHOUZI_WORKERS", "1")
        assert shared_file() is None
        monkeypatch.setenv("SHOUZI_WORKERS", "2")
        assert shared_file() == tmp_path / "throttle.sqlite"
        monkeypatch.setenv("SHOUZI_REDIS_HOST", "127.0.0.1")
        assert shared_file() is None  # Redis is shared by every instance already
    finally:
        settings.cache_clear()
