"""One access token for all instances, kept in the shared database.

A token is used until ``REFRESH_MARGIN`` seconds before it expires. Exactly one instance refreshes it
at a time: it takes a short lease on the token's row (a conditional UPDATE, which the database
serialises) while the others wait for the new token. A token WeChat rejects (40001/42001) is marked
stale, and the next refresh asks the stable-token endpoint for a new one (``force_refresh``).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from bot.adapters.wechat.api import WeChatApiError
from bot.records.tables import wechat_tokens

T = TypeVar("T")
REFRESH_MARGIN = 300.0  # seconds before expiry
LEASE_SECONDS = 15.0  # how long one instance may take to refresh before another may try
POLL_SECONDS = 0.1

Fetch = Callable[[bool], Awaitable[tuple[str, int]]]


@dataclass(frozen=True)
class CachedToken:
    token: str | None
    expires_at: float
    force_refresh: bool
    lease_until: float

    def usable(self, now: float, margin: float = REFRESH_MARGIN) -> bool:
        """Pure policy: a token is used while more than ``margin`` seconds of its life remain."""
        return bool(self.token) and not self.force_refresh and self.expires_at - margin > now


class TokenCache:
    def __init__(
        self,
        engine: Engine,
        app_id: str,
        fetch: Fetch,
        clock: Callable[[], float] = time.time,
        margin: float = REFRESH_MARGIN,
        lease: float = LEASE_SECONDS,
    ) -> None:
        self.engine, self.app_id, self.fetch, self.clock = engine, app_id, fetch, clock
        self.margin, self.lease = margin, lease
        self.owner = uuid.uuid4().hex[:16]
        self.fetches = 0  # for tests and metrics: how many times this instance asked WeChat

    async def get(self, timeout: float = 20.0) -> str:
        """A usable token: the cached one, or a fresh one fetched by exactly one instance."""
        deadline = self.clock() + timeout
        while True:
            now = self.clock()
            row = await asyncio.to_thread(self._read)
            if row.usable(now, self.margin):
                assert row.token is not None
                return row.token
            if await asyncio.to_thread(self._take_lease, now):
                return await self._refresh(row.force_refresh)
            if now > deadline:
                raise WeChatApiError(-1, "timed out waiting for another instance's token refresh")
            await asyncio.sleep(POLL_SECONDS)

    async def invalidate(self, token: str) -> None:
        """WeChat rejected ``token``: the next :meth:`get` fetches a new one (if nobody did already)."""
        await asyncio.to_thread(self._invalidate, token)

    async def _refresh(self, force: bool) -> str:
        try:
            token, expires_in = await self.fetch(force)
        except BaseException:
            await asyncio.to_thread(self._release)
            raise
        self.fetches += 1
        await asyncio.to_thread(self._store, token, self.clock() + max(60, expires_in))
        return token

    # --- database (run off the event loop) ---------------------------------------------------------

    def _ensure_row(self, conn: Any) -> None:
        values = {"app_id": self.app_id, "expires_at": 0.0, "lease_until": 0.0, "force_refresh": 0}
        if conn.dialect.name == "postgresql":
            conn.execute(postgresql.insert(wechat_tokens).values(**values).on_conflict_do_nothing())
        else:
            conn.execute(sqlite.insert(wechat_tokens).values(**values).on_conflict_do_nothing())

    def _read(self) -> CachedToken:
        with self.engine.begin() as conn:
            row = conn.execute(select(wechat_tokens).where(wechat_tokens.c.app_id == self.app_id)).mappings().first()
            if row is None:
                self._ensure_row(conn)
                return CachedToken(None, 0.0, False, 0.0)
        return CachedToken(row["access_token"], row["expires_at"], bool(row["force_refresh"]), row["lease_until"])

    def _take_lease(self, now: float) -> bool:
        with self.engine.begin() as conn:
            self._ensure_row(conn)
            taken = conn.execute(
                update(wechat_tokens)
                .where(wechat_tokens.c.app_id == self.app_id, wechat_tokens.c.lease_until < now)
                .values(lease_until=now + self.lease, lease_owner=self.owner)
            ).rowcount
        return bool(taken == 1)

    def _release(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(wechat_tokens)
                .where(wechat_tokens.c.app_id == self.app_id, wechat_tokens.c.lease_owner == self.owner)
                .values(lease_until=0.0)
            )

    def _store(self, token: str, expires_at: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(wechat_tokens)
                .where(wechat_tokens.c.app_id == self.app_id)
                .values(access_token=token, expires_at=expires_at, force_refresh=0, lease_until=0.0)
            )

    def _invalidate(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(wechat_tokens)
                .where(wechat_tokens.c.app_id == self.app_id, wechat_tokens.c.access_token == token)
                .values(force_refresh=1)
            )


async def with_token(cache: TokenCache, call: Callable[[str], Awaitable[T]]) -> T:
    """``call(token)``, retried once with a new token when WeChat says the token is invalid or expired."""
    token = await cache.get()
    try:
        return await call(token)
    except WeChatApiError as exc:
        if not exc.token_rejected:
            raise
        await cache.invalidate(token)
        return await call(await cache.get())
