"""``/webhooks/web/...``: the website chat widget (issue 13).

| path | what |
| --- | --- |
| ``GET widget.js`` | the widget, one script tag; cached a day, ETag, gzip when accepted |
| ``GET demo`` | a mock page of the district's site with the widget embedded |
| ``POST session`` | ``{"token"?, "unit"?}`` → a signed conversation token (renewed when still valid) |
| ``POST message`` | ``{"token", "text", "shown"?, "unit"?}`` → ``{"replies": [Reply dicts]}`` |
| ``POST history`` | ``{"token"}`` → ``{"messages": [...]}`` from the tracker store |

The conversation id is issued and signed by the server (:mod:`bot.web.session`), so a visitor reads and
writes only their own conversation. Bodies are JSON sent as ``text/plain`` with the token inside, so
cross-site pages make no preflight; ``Origin`` is checked on every call (:mod:`bot.web.cors`). Every
decision lives in :mod:`bot.web`; this module only translates HTTP.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.adapters.channels.turns import apology, run_turn, structured
from bot.adapters.http import client_address, client_key, json_body, json_response
from bot.catalog import get_catalog
from bot.config import settings
from bot.conversation.replies import greeting
from bot.inputs import ClientError, clean_text
from bot.records.db import make_engine
from bot.staff.handovers import HandoverDesk, asked_for_person
from bot.throttle import Quota, check
from bot.vocabulary import CLIENT_KEY
from bot.web import cors
from bot.web.config import web_settings
from bot.web.history import SHOWN_KEY, shape_history, shown_label
from bot.web.session import Session, SessionError, SessionSigner, bearer, load_secret

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "web_static"
# A message of max_text_chars Chinese characters is about 3 bytes each, plus JSON and the token.
MIN_BODY_BYTES = 16384
# The embed URL carries no version, so a day's cache (revalidated by ETag) bounds how long an update takes.
WIDGET_CACHE = "public, max-age=86400, stale-while-revalidate=604800"
# Tells Sanic-CORS (which Rasa installs for its own API) that this response's CORS is decided here.
_CORS_DONE = "_sanic_cors_e"
DEMO_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'"
)


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    etag: str
    content_type: str

    @classmethod
    def load(cls, path: Path, content_type: str) -> Asset:
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return cls(body, gzip.compress(body, 9, mtime=0), etag, content_type)


def _send_asset(request: Request, asset: Asset, cache: str, extra: dict[str, str] | None = None) -> HTTPResponse:
    setattr(request.ctx, _CORS_DONE, "1")
    headers = {
        "ETag": asset.etag,
        "Cache-Control": cache,
        "Vary": "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
        **(extra or {}),
    }
    if asset.etag in request.headers.get("if-none-match", ""):
        return response.empty(status=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return response.raw(asset.gzipped, content_type=asset.content_type, headers=headers)
    return response.raw(asset.body, content_type=asset.content_type, headers=headers)


def _refused() -> ClientError:
    return ClientError(403, "origin_not_allowed", "此网站未获准使用南海区政务服务咨询窗口。")


def _session_error(err: SessionError) -> ClientError:
    if err.reason == "expired":
        return ClientError(401, "session_expired", "咨询会话已过期，请重新开始咨询。")
    return ClientError(401, "session_invalid", "咨询会话无效，请刷新页面后重新开始咨询。")


class WebInput(InputChannel):
    """Configured in credentials.yml as ``bot.adapters.channels.web.WebInput``."""

    @classmethod
    def name(cls) -> str:
        return "web"

    @cached_property
    def handovers(self) -> HandoverDesk:
        """Where a visitor who asks for a person waits for the first unit's desk (转人工)."""
        return HandoverDesk(make_engine())

    @cached_property
    def signer(self) -> SessionSigner:
        secret = load_secret(os.environ.get("SHOUZI_WEB_SECRET"), settings().data_dir)
        return SessionSigner(secret, web_settings().session_seconds)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        web_settings()  # a bad SHOUZI_WEB_* value stops the server at start, not on the first visitor
        signer = self.signer
        catalog = get_catalog()
        widget = Asset.load(STATIC / "widget.js", "application/javascript; charset=utf-8")
        demo = Asset.load(STATIC / "demo.html", "text/html; charset=utf-8")
        bp = Blueprint("web_webhook", __name__)

        async def serve(request: Request, work: Callable[[dict[str, Any]], Awaitable[Any]]) -> HTTPResponse:
            """Origin first (403 before any work), then the body under its limit, then ``work``."""
            setattr(request.ctx, _CORS_DONE, "1")
            decision = cors.decide(request.headers.get("origin"), request.headers.get("host"), web_settings().origins)
            if not decision.allowed:
                return _json(_refused().body(), 403, {})
            try:
                data = json_body(request, max(settings().max_body_bytes, MIN_BODY_BYTES), empty_ok=True)
                body = await work(data)
            except ClientError as exc:
                retry = getattr(exc, "retry_after", None)
                return _json(
                    exc.body(), exc.status, {**decision.headers, **({"Retry-After": str(retry)} if retry else {})}
                )
            return _json(body, 200, decision.headers)

        def session_of(request: Request, data: dict[str, Any]) -> Session:
            token = bearer(request.headers.get("authorization")) or data.get("token")
            if not isinstance(token, str) or not token:
                raise ClientError(401, "session_missing", "缺少咨询会话，请刷新页面后重新开始咨询。")
            try:
                return signer.verify(token, int(time.time()))
            except SessionError as err:
                raise _session_error(err) from err

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/widget.js", methods=["GET"])
        async def widget_js(request: Request) -> HTTPResponse:
            return _send_asset(request, widget, WIDGET_CACHE, {"Access-Control-Allow-Origin": "*"})

        @bp.route("/demo", methods=["GET"])
        async def demo_page(request: Request) -> HTTPResponse:
            extra = {"Content-Security-Policy": DEMO_CSP, "Referrer-Policy": "no-referrer"}
            return _send_asset(request, demo, "no-cache", extra)

        @bp.route("/session", methods=["POST"])
        async def session(request: Request) -> HTTPResponse:
            async def work(data: dict[str, Any]) -> dict[str, Any]:
                old = data.get("token")
                token, current, continued = signer.renew(old if isinstance(old, str) else "", int(time.time()))
                if not continued:  # a new conversation: counted per client address (record quotas hang on it)
                    check(Quota.WEB_SESSIONS, client_address(request))
                _, unit = web_settings().unit(_unit_field(data))
                return {
                    "token": token,
                    "expires_at": current.issued_at + signer.lifetime,
                    "continued": continued,
                    "unit": unit,
                    "max_text_chars": settings().max_text_chars,
                    "welcome": greeting().as_dict(),
                    "contact": {"hotline": catalog.hotline, "hours": catalog.district_centre.hours},
                }

            return await serve(request, work)

        @bp.route("/message", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            async def work(data: dict[str, Any]) -> dict[str, Any]:
                current = session_of(request, data)
                check(Quota.CLIENT_MESSAGES, client_address(request))
                check(Quota.CONVERSATION_MESSAGES, current.sender_id)
                text = _text(data, settings().max_text_chars)
                channel, unit_name = web_settings().unit(_unit_field(data))
                shown = shown_label(data.get(SHOWN_KEY))
                metadata: dict[str, Any] = {CLIENT_KEY: client_key(request)}
                if shown:
                    metadata[SHOWN_KEY] = shown
                messages, answered = await run_turn(on_new_message, current.sender_id, text, channel, metadata)
                replies = structured(messages) if answered else []
                if asked_for_person(replies):
                    await asyncio.to_thread(self.handovers.request, current.sender_id, channel, unit_name, text)
                return {"replies": replies or [apology()]}

            return await serve(request, work)

        @bp.route("/history", methods=["POST"])
        async def history(request: Request) -> HTTPResponse:
            async def work(data: dict[str, Any]) -> dict[str, Any]:
                current = session_of(request, data)
                try:
                    tracker = await request.app.ctx.agent.tracker_store.retrieve_full_tracker(current.sender_id)
                except Exception as exc:
                    logger.exception("web history: the tracker store failed")
                    raise ClientError(
                        503, "unavailable", "暂时无法读取对话记录，请稍后再试，或拨打 12345 政务服务便民热线。"
                    ) from exc
                events = [e.as_dict() for e in tracker.events] if tracker is not None else []
                return {"messages": shape_history(events)}

            return await serve(request, work)

        return bp


def _json(body: Any, status: int, headers: dict[str, str]) -> HTTPResponse:
    res = json_response(body, status)
    res.headers.update({**headers, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
    return res


def _unit_field(data: dict[str, Any]) -> str | None:
    raw = data.get("unit")
    return clean_text(raw[:64]) if isinstance(raw, str) else None


def _text(data: dict[str, Any], max_chars: int) -> str:
    """The visitor's text, cleaned; over-long text is cut a little past the limit so the dialogue can
    answer it politely (as on REST) without the cost of reading all of it."""
    raw = data.get("text")
    if not isinstance(raw, str):
        raise ClientError(422, "invalid_text", "text 字段应为文字。")
    return clean_text(raw[: max_chars * 2 + 1])
