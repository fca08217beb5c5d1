"""Rate limits shared by every instance (the ``limits`` library, on Redis when one is configured).

Why: record numbers are 9,999 a prefix a day and every turn costs NLU time, so one client must not be
able to exhaust either. Each door asks :func:`get_throttle` before it does any work: per client address
(all doors but WeChat, whose requests all come from Tencent's servers), per conversation, per web session
issued, per record opened, per login attempt. Keys are hashed before they reach the store, so Redis
never holds an address or an openid.

When Redis is unreachable the limits fall back to this process's memory (logged once a minute), so a
Redis outage weakens the limits to per-instance ones instead of refusing or waving every request through.
Without Redis, the Rasa workers of one machine (SHOUZI_WORKERS > 1) share their counts through an SQLite
file (bot.shared_limits), so a client is not let through once per worker.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from bot.config import settings
from bot.inputs import ClientError
from bot.shared_limits import SQLiteMovingWindow

logger = logging.getLogger(__name__)


class Quota(str, Enum):
    """What is counted; each has a default and an environment variable ``SHOUZI_RATE_<NAME>``."""

    CLIENT_MESSAGES = "client_messages"  # messages from one client address, any door but WeChat
    CONVERSATION_MESSAGES = "conversation_messages"  # messages in one conversation
    WEB_SESSIONS = "web_sessions"  # website-widget conversations started by one client address
    ANALYZE = "analyze"  # analysis requests from one client address
    RECORDS_CONVERSATION = "records_conversation"  # numbered records opened by one conversation
    RECORDS_CLIENT = "records_client"  # numbered records opened from one client address
    LOGIN_CLIENT = "login_client"  # failed staff logins from one client address
    LOGIN_NAME = "login_name"  # failed staff logins for one user name from one address (existing or not)


DEFAULTS: dict[Quota, str] = {
    Quota.CLIENT_MESSAGES: "60/minute;600/hour",
    Quota.CONVERSATION_MESSAGES: "20/minute;200/hour",
    Quota.WEB_SESSIONS: "30/hour;100/day",
    Quota.ANALYZE: "600/minute",
    Quota.RECORDS_CONVERSATION: "5/day",
    Quota.RECORDS_CLIENT: "20/day",
    Quota.LOGIN_CLIENT: "30/15minute",
    Quota.LOGIN_NAME: "10/15minute",
}


def quota_env(quota: Quota) -> str:
    return f"SHOUZI_RATE_{quota.name}"


def _limits_from_env() -> dict[Quota, list[RateLimitItem]]:
    out: dict[Quota, list[RateLimitItem]] = {}
    for quota, default in DEFAULTS.items():
        raw = os.environ.get(quota_env(quota), "").strip() or default
        try:
            out[quota] = list(parse_many(raw)) if raw.lower() != "off" else []
        except ValueError as exc:
            raise ValueError(f"environment variable {quota_env(quota)}: {raw!r} is not a rate like 20/minute") from exc
    return out


def redis_uri() -> str | None:
    """The Redis the instances share (``SHOUZI_REDIS_HOST``/``_PORT``/``_DB``), or None for memory."""
    host = os.environ.get("SHOUZI_REDIS_HOST", "").strip()
    if not host:
        return None
    return f"redis://{host}:{os.environ.get('SHOUZI_REDIS_PORT', '6379')}/{os.environ.get('SHOUZI_REDIS_DB', '1')}"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the fullest window has room again


def _hashed(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:32]


class Throttle:
    """Moving-window limits per (quota, key); thread-safe, shared through Redis when configured."""

    def __init__(
        self, limits: dict[Quota, list[RateLimitItem]], storage_uri: str | None = None, shared_file: Path | None = None
    ) -> None:
        self.limits = limits
        # limits 2.x keeps only a weak reference to its storage: the throttle owns them.
        self._storages: list[Storage] = [MemoryStorage()]
        self._local = MovingWindowRateLimiter(self._storages[0])
        self._shared: MovingWindowRateLimiter | None = None
        shared: Storage | None = None
        if storage_uri:
            shared = storage_from_string(storage_uri, socket_timeout=0.5, socket_connect_timeout=0.5)
        elif shared_file is not None:
            shared = SQLiteMovingWindow(shared_file)
        if shared is not None:
            self._storages.append(shared)
            self._shared = MovingWindowRateLimiter(shared)
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _limiter(self) -> MovingWindowRateLimiter:
        if self._shared is not None and time.monotonic() >= self._down_until:
            return self._shared
        return self._local

    def hit(self, quota: Quota, key: str, cost: int = 1) -> Verdict:
        """Counts one use of ``quota`` by ``key``; refused (nothing counted) when any window is full."""
        items = self.limits.get(quota, [])
        if not items or not key:
            return Verdict(True)
        ident = _hashed(key)
        limiter = self._limiter()
        try:
            return self._hit(limiter, items, quota, ident, cost)
        except Exception:  # Redis down or slow: this instance's own limits until it is back
            with self._lock:
                if time.monotonic() >= self._down_until:
                    logger.warning("rate limits: shared store unreachable, using this instance's memory for 60 s")
                self._down_until = time.monotonic() + 60
            return self._hit(self._local, items, quota, ident, cost)

    def peek(self, quota: Quota, key: str) -> Verdict:
        """Whether one more use would be allowed, counting nothing (login failures count, successes do not)."""
        items = self.limits.get(quota, [])
        if not items or not key:
            return Verdict(True)
        ident = _hashed(key)
        try:
            return self._test(self._limiter(), items, quota, ident)
        except Exception:
            with self._lock:
                self._down_until = time.monotonic() + 60
            return self._test(self._local, items, quota, ident)

    @staticmethod
    def _test(limiter: MovingWindowRateLimiter, items: list[RateLimitItem], quota: Quota, ident: str) -> Verdict:
        for item in items:
            if not limiter.test(item, quota.value, ident):
                reset, _ = limiter.get_window_stats(item, quota.value, ident)
                return Verdict(False, max(1, int(reset - time.time()) + 1))
        return Verdict(True)

    @staticmethod
    def _hit(
        limiter: MovingWindowRateLimiter, items: list[RateLimitItem], quota: Quota, ident: str, cost: int
    ) -> Verdict:
        refused = Throttle._test(limiter, items, quota, ident)
        if not refused.allowed:
            return refused
        for item in items:
            # Another process may have taken the last place since the test: the hit itself decides.
            if not limiter.hit(item, quota.value, ident, cost=cost):
                reset, _ = limiter.get_window_stats(item, quota.value, ident)
                return Verdict(False, max(1, int(reset - time.time()) + 1))
        return Verdict(True)

    def clear(self, quota: Quota, key: str) -> None:
        """Forgets ``key``'s uses of ``quota`` (a successful login clears its failures)."""
        ident = _hashed(key)
        for item in self.limits.get(quota, []):
            for limiter in (self._local, self._shared):
                if limiter is None:
                    continue
                try:
                    limiter.clear(item, quota.value, ident)
                except Exception:
                    logger.warning("rate limits: could not clear %s", quota.value)


@lru_cache(maxsize=1)
def get_throttle() -> Throttle:
    """The process-wide throttle (``get_throttle.cache_clear()`` in tests after changing the env)."""
    return Throttle(_limits_from_env(), redis_uri(), shared_file())


def shared_file() -> Path | None:
    """The SQLite file the workers of this machine share their counts in, when there are several and no Redis."""
    workers = os.environ.get("SHOUZI_WORKERS", "1").strip()
    if redis_uri() or not workers.isdigit() or int(workers) <= 1:
        return None
    return settings().data_dir / "throttle.sqlite"


def too_many_message(retry_after: int, hotline: str = "12345") -> str:
    """What a refused applicant reads: why, when to try again, and a way through now."""
    wait = f"{retry_after} 秒" if retry_after < 120 else f"{(retry_after + 59) // 60} 分钟"
    return f"您发送得太频繁了，请 {wait}后再试；如有急事，请拨打 {hotline} 政务服务便民热线，由人工为您办理。"


class RateLimited(ClientError):
    """429 with a Chinese explanation and the seconds to wait (sent as ``Retry-After``)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(429, "rate_limited", too_many_message(retry_after))
        self.retry_after = retry_after


def check(quota: Quota, key: str) -> None:
    """Counts one use, or raises :class:`RateLimited`."""
    verdict = get_throttle().hit(quota, key)
    if not verdict.allowed:
        raise RateLimited(verdict.retry_after)
