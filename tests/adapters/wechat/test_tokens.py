"""bot.adapters.wechat.tokens: one token for all instances, fetched by one at a time, refreshed when rejected."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.engine import Engine

from bot.adapters.wechat.api import WeChatApiError
from bot.adapters.wechat.tokens import CachedToken, TokenCache, with_token


class Counter:
    def __init__(self, delay: float = 0.0, expires_in: int = 7200) -> None:
        self.calls: list[bool] = []
        self.delay, self.expires_in = delay, expires_in

    async def __call__(self, force: bool) -> tuple[str, int]:
        self.calls.append(force)
        await asyncio.sleep(self.delay)
        return f"token-{len(self.calls)}", self.expires_in


def test_policy_refreshes_before_expiry() -> None:
    assert CachedToken("t", 1000.0, False, 0.0).usable(now=600.0, margin=300)
    assert not CachedToken("t", 1000.0, False, 0.0).usable(now=701.0, margin=300)
    assert not CachedToken("t", 1000.0, True, 0.0).usable(now=0.0)
    assert not CachedToken(None, 1000.0, False, 0.0).usable(now=0.0)


def test_cached_and_shared_by_instances(engine: Engine) -> None:
    fetch = Counter()
    a, b = TokenCache(engine, "wx1", fetch), TokenCache(engine, "wx1", fetch)
    assert asyncio.run(a.get()) == "token-1"
    assert asyncio.run(b.get()) == "token-1"  # another instance reads the shared row
    assert fetch.calls == [False]


def test_never_fetched_by_two_at_once(engine: Engine) -> None:
    fetch = Counter(delay=0.3)
    caches = [TokenCache(engine, "wx2", fetch) for _ in range(5)]

    async def all_at_once() -> list[str]:
        return list(await asyncio.gather(*(c.get() for c in caches)))

    assert asyncio.run(all_at_once()) == ["token-1"] * 5
    assert fetch.calls == [False]


def test_refreshed_near_expiry_and_when_rejected(engine: Engine) -> None:
    now = [1000.0]
    fetch = Counter(expires_in=7200)
    cache = TokenCache(engine, "wx3", fetch, clock=lambda: now[0])
    assert asyncio.run(cache.get()) == "token-1"
    now[0] += 7200 - 299  # inside the margin
    assert asyncio.run(cache.get()) == "token-2"

    async def call(token: str) -> str:
        if token == "token-2":
            raise WeChatApiError(42001, "access_token expired")
        return token

    assert asyncio.run(with_token(cache, call)) == "token-3"
    assert fetch.calls == [False, False, True]  # the rejected token is replaced with force_refresh


def test_a_failed_fetch_releases_the_lease(engine: Engine) -> None:
    async def broken(force: bool) -> tuple[str, int]:
        raise WeChatApiError(-1, "busy")

    cache = TokenCache(engine, "wx4", broken)
    with pytest.raises(WeChatApiError):
        asyncio.run(cache.get())
    fetch = Counter()
    assert asyncio.run(TokenCache(engine, "wx4", fetch).get(timeout=2)) == "token-1"  # no waiting on a dead lease
