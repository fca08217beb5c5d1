"""Sending to applicants: customer-service (客服) texts with a short retry for a turn's late answer,
and the outbox's applicant notifications with backoff, claimed so that one instance sends each once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from bot.adapters.wechat.api import WeChatApi, WeChatApiError, template_message, text_message
from bot.adapters.wechat.tokens import TokenCache, with_token
from bot.records.clock import from_db
from bot.records.store import RecordStore
from bot.wechat import wire
from bot.wechat.notices import backoff, notice_text, template_fields
from bot.wechat.privacy import masked
from bot.wechat.render import split
from bot.wechat.state import DoorState

logger = logging.getLogger("shouzi.wechat")
# A turn's late answer is retried after these pauses when WeChat is busy or unreachable.
SEND_PAUSES = (0.5, 1.0, 2.0, 4.0)
WINDOW_MARGIN = 300.0  # do not rely on the last 5 minutes of the 48-hour window


class Messenger:
    def __init__(self, api: WeChatApi, tokens: TokenCache, pauses: Sequence[float] = SEND_PAUSES) -> None:
        self.api, self.tokens, self.pauses = api, tokens, tuple(pauses)

    async def _send(self, path: str, payload: dict[str, Any]) -> None:
        await with_token(self.tokens, lambda token: self.api.send(path, payload, token))

    async def text(self, openid: str, content: str) -> None:
        await self._send(wire.CUSTOM_SEND_PATH, text_message(openid, content))

    async def template(self, openid: str, template_id: str, fields: dict[str, str]) -> None:
        await self._send(wire.TEMPLATE_SEND_PATH, template_message(openid, template_id, fields))

    async def texts_with_retry(self, openid: str, messages: Sequence[str]) -> bool:
        """Each message in order; a busy or unreachable WeChat is retried with growing pauses.

        A message is retried only while WeChat has not accepted it, so none is sent twice."""
        for content in messages:
            for pause in (*self.pauses, None):
                try:
                    await self.text(openid, content)
                    break
                except WeChatApiError as exc:
                    if pause is None or exc.errcode in wire.UNREACHABLE or exc.errcode in wire.OUT_OF_WINDOW:
                        logger.warning("客服消息 to %s failed: %s", masked(openid), exc)
                        return False
                    await asyncio.sleep(pause)
        return True


class OutboxDelivery:
    """Applicant notifications of WeChat conversations, from the outbox to the applicant."""

    def __init__(
        self,
        store: RecordStore,
        state: DoorState,
        messenger: Messenger,
        template_id: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store, self.state, self.messenger = store, state, messenger
        self.template_id, self.clock = template_id, clock

    async def run_once(self) -> int:
        """Claims and delivers what is due; returns how many were delivered."""
        rows = await asyncio.to_thread(self.store.claim_for_applicants, wire.CHANNEL)
        rows += await asyncio.to_thread(self.store.claim_for_conversations, wire.CHANNEL)
        delivered = 0
        for row in rows:
            if await self._deliver(row):
                delivered += 1
        return delivered

    async def _deliver(self, row: dict[str, Any]) -> bool:
        openid = str(row["conversation_id"])
        payload = row["payload"] if isinstance(row["payload"], dict) else {}
        last_seen, _ = await asyncio.to_thread(self.state.user, openid)
        window = wire.CUSTOMER_SERVICE_WINDOW_HOURS * 3600 - WINDOW_MARGIN
        in_window = last_seen is not None and self.clock() - last_seen < window
        try:
            if in_window:
                try:
                    for content in split(notice_text(row["topic"], payload)):
                        await self.messenger.text(openid, content)
                    return await self._done(row)
                except WeChatApiError as exc:
                    if exc.errcode not in wire.OUT_OF_WINDOW:
                        raise
            if self.template_id:
                fields = template_fields(row["topic"], payload, from_db(row["created_at"]))
                await self.messenger.template(openid, self.template_id, fields)
                return await self._done(row)
            await self._later(row, "48 小时窗口已关闭且未配置模板 / window closed, no template")
        except WeChatApiError as exc:
            await self._later(row, str(exc))
        return False

    async def _done(self, row: dict[str, Any]) -> bool:
        await asyncio.to_thread(self.store.mark_delivered, [row["id"]])
        logger.info("outbox %s (%s) delivered to %s", row["id"], row["topic"], masked(str(row["conversation_id"])))
        return True

    async def _later(self, row: dict[str, Any], error: str) -> None:
        wait = backoff(int(row.get("attempts") or 0))
        await asyncio.to_thread(self.store.retry_later, row["id"], wait, error)
        logger.warning("outbox %s not delivered (%s); next try in %.0f s", row["id"], error, wait)
