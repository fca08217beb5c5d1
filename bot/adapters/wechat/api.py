"""The few WeChat APIs the door calls, over aiohttp: the stable access token, customer-service
(客服) messages, template messages and the custom menu. The base URL is configurable so tests use a
fake WeChat on loopback; payloads are built here, once.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from bot.wechat import wire


class WeChatApiError(Exception):
    """WeChat answered with a non-zero ``errcode`` (or could not be reached: ``errcode`` -1)."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"{errcode} {errmsg}")
        self.errcode, self.errmsg = errcode, errmsg

    @property
    def token_rejected(self) -> bool:
        return self.errcode in wire.TOKEN_ERRORS


def text_message(openid: str, content: str) -> dict[str, Any]:
    """A customer-service text message (客服消息)."""
    return {"touser": openid, "msgtype": wire.TEXT, "text": {"content": content}}


def template_message(openid: str, template_id: str, fields: dict[str, str]) -> dict[str, Any]:
    """A template message; ``fields`` maps the template's keys (first, keyword1…, remark) to text."""
    return {
        "touser": openid,
        "template_id": template_id,
        "data": {k: {"value": v} for k, v in fields.items()},
    }


class WeChatApi:
    def __init__(self, base: str, app_id: str, secret: str, timeout: float = 5.0) -> None:
        self.base = base.rstrip("/")
        self.app_id, self.secret = app_id, secret
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _post(self, path: str, payload: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        params = {"access_token": token} if token else None
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            async with self._session.post(
                self.base + path, data=body, params=params, headers={"Content-Type": "application/json"}
            ) as resp:
                raw = await resp.read()
                if resp.status >= 400:
                    raise WeChatApiError(wire.SYSTEM_BUSY, f"HTTP {resp.status}")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise WeChatApiError(wire.SYSTEM_BUSY, f"unreachable: {type(exc).__name__}") from exc
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise WeChatApiError(wire.SYSTEM_BUSY, "not JSON") from exc
        if not isinstance(data, dict):
            raise WeChatApiError(wire.SYSTEM_BUSY, "not a JSON object")
        code = data.get("errcode", wire.OK)
        if code != wire.OK:
            raise WeChatApiError(int(code) if isinstance(code, int) else wire.SYSTEM_BUSY, str(data.get("errmsg", "")))
        return data

    async def stable_token(self, force_refresh: bool = False) -> tuple[str, int]:
        """A token and its lifetime in seconds from ``/cgi-bin/stable_token``."""
        data = await self._post(
            wire.STABLE_TOKEN_PATH,
            {
                "grant_type": "client_credential",
                "appid": self.app_id,
                "secret": self.secret,
                "force_refresh": force_refresh,
            },
        )
        token, expires = data.get("access_token"), data.get("expires_in")
        if not isinstance(token, str) or not token or not isinstance(expires, int):
            raise WeChatApiError(wire.SYSTEM_BUSY, "no token in the answer")
        return token, expires

    async def send(self, path: str, payload: dict[str, Any], token: str) -> dict[str, Any]:
        """Any token-authenticated API call (custom send, template send, menu create)."""
        return await self._post(path, payload, token)
