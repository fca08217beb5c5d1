"""``/webhooks/staff/...``: the staff queues' JSON API (see bot.staff.service) and the staff pages.

| path | what |
| --- | --- |
| ``POST login`` | ``{"username", "password"}`` → a bearer token |
| ``GET app/`` ``app/queue`` ``app/record`` ``app/handovers`` ``app/dashboard`` | the pages |
| ``GET app/static/<file>`` | their scripts, styles and the charting library |
| ``GET records/<n>/conversation`` | what the applicant said, from the tracker store (masked) |
| ``GET handovers/<id>/conversation``, ``POST handovers/<id>/reply`` | the 转人工 desk |
| anything else | :meth:`bot.staff.service.StaffApi.handle` |

Pages are static and hold no data: every figure comes from the API with the clerk's token, so the
limits of a role and a department hold in the pages exactly as in the API.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from collections.abc import Awaitable, Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.adapters import conversations
from bot.adapters.channels.web import Asset, _send_asset
from bot.adapters.http import client_address, error_response, json_body
from bot.adapters.startup import bind_to_server, prepare_rasa_server
from bot.catalog import get_catalog
from bot.config import PROJECT_ROOT
from bot.inputs import ClientError
from bot.policy import get_policy
from bot.records.clock import clock_from_env
from bot.records.db import make_engine
from bot.records.store import RecordStore
from bot.staff.auth import StaffDirectory
from bot.staff.service import Response, StaffApi
from bot.web.config import CHANNEL as WEB_CHANNEL
from bot.wechat.wire import CHANNEL as WECHAT_CHANNEL

logger = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "staff_static"
# The charting library, copied from web/node_modules by scripts/web-deps.sh (pinned in web/package-lock.json).
VENDOR = PROJECT_ROOT / "build" / "web"
PAGES = {"": "login.html", "login": "login.html", "queue": "queue.html", "record": "record.html"}
PAGES |= {"handovers": "handovers.html", "dashboard": "dashboard.html"}
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
PAGE_HEADERS = {"Content-Security-Policy": PAGE_CSP, "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}
MAX_REPLY_CHARS = 1000
TYPES = {".html": "text/html; charset=utf-8", ".js": "application/javascript; charset=utf-8"}
TYPES |= {".css": "text/css; charset=utf-8"}


def reply_text(data: dict[str, Any]) -> str:
    """A person's answer as they wrote it (full-width punctuation kept), without control characters."""
    raw = data.get("text")
    if not isinstance(raw, str):
        raise ClientError(422, "missing_text", "请填写答复内容。")
    text = "".join(ch for ch in raw[: MAX_REPLY_CHARS * 2] if ch == "\n" or unicodedata.category(ch)[0] != "C").strip()
    if not text:
        raise ClientError(422, "empty_text", "请填写答复内容。")
    if len(text) > MAX_REPLY_CHARS:
        raise ClientError(413, "text_too_long", f"答复请控制在 {MAX_REPLY_CHARS} 字以内。")
    return text


def can_reply(channel: str) -> bool:
    """Channels whose conversation a person can answer from the desk: the widget shows the answer from the
    conversation's history; WeChat gets it as a customer-service message through the outbox."""
    return channel in (WEB_CHANNEL, WECHAT_CHANNEL) or channel.startswith(WEB_CHANNEL + "_")


logger = logging.getLogger(__name__)
# The database (or anything under it) failing is the service's fault and temporary: 503, never 500.
UNAVAILABLE = Response(
    503,
    {
        "error": {
            "code": "unavailable",
            "message": "系统暂时无法处理，请稍后再试；紧急事项请拨打 12345 政务服务便民热线。",
        }
    },
)


async def _guarded(work: Callable[[], Response]) -> Response:
    try:
        return await asyncio.to_thread(work)
    except SQLAlchemyError:
        logger.exception("staff API: database unavailable")
        return UNAVAILABLE


def _send(r: Response) -> HTTPResponse:
    if isinstance(r.body, str):
        return response.text(r.body, status=r.status, content_type=r.content_type)
    return response.json(r.body, status=r.status, ensure_ascii=False)


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def load_assets(folder: Path, extra: dict[str, Path] | None = None) -> dict[str, Asset]:
    """Every page, script and style of ``folder`` (and vendor files that exist), read once."""
    found = {p.name: p for p in folder.iterdir() if p.suffix in TYPES}
    found |= {name: p for name, p in (extra or {}).items() if p.is_file()}
    return {
        name: Asset.load(p, TYPES.get(p.suffix, "application/javascript; charset=utf-8")) for name, p in found.items()
    }


def serve_page(request: Request, asset: Asset) -> HTTPResponse:
    return _send_asset(request, asset, "no-cache", PAGE_HEADERS)


class StaffInput(InputChannel):
    """Queues per tier for staff, the 转人工 desk and the reform dashboard."""

    @classmethod
    def name(cls) -> str:
        return "staff"

    @cached_property
    def api(self) -> StaffApi:
        engine, clock = make_engine(), clock_from_env()
        return StaffApi(RecordStore(engine, clock), StaffDirectory(engine, clock), get_policy(), get_catalog())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        prepare_rasa_server()
        bp = Blueprint("staff_webhook", __name__)
        bind_to_server(bp)
        assets = load_assets(STATIC, {"chart.umd.min.js": VENDOR / "chart.umd.min.js"})

        async def run(request: Request, work: Callable[[], Awaitable[HTTPResponse]]) -> HTTPResponse:
            try:
                return await work()
            except ClientError as exc:
                return error_response(exc)

        @bp.route("/login", methods=["POST"])
        async def login(request: Request) -> HTTPResponse:
            client = client_address(request)
            body = request.body or b""
            return _send(await _guarded(lambda: self.api.login(body, client)))

        @bp.route("/app/", methods=["GET"])
        async def app_index(request: Request) -> HTTPResponse:
            return serve_page(request, assets[PAGES[""]])

        @bp.route("/app/<page:str>", methods=["GET"])
        async def app_page(request: Request, page: str) -> HTTPResponse:
            name = PAGES.get(page)
            if name is None:
                return error_response(ClientError(404, "not_found", "没有这个页面。"))
            return serve_page(request, assets[name])

        @bp.route("/app/static/<name:str>", methods=["GET"])
        async def app_static(request: Request, name: str) -> HTTPResponse:
            asset = assets.get(name)
            if asset is None or name.endswith(".html"):
                return error_response(ClientError(404, "not_found", "没有这个文件。"))
            return _send_asset(request, asset, "no-cache", {})

        @bp.route("/records/<number:str>/conversation", methods=["GET"])
        async def record_conversation(request: Request, number: str) -> HTTPResponse:
            async def work() -> HTTPResponse:
                record = await asyncio.to_thread(
                    self.api.record_conversation, _token(request), number, request.path, client_address(request)
                )
                messages = await conversations.history(request.app.ctx.agent, record.conversation_id)
                return response.json({"channel": record.channel, "messages": messages}, ensure_ascii=False)

            return await run(request, work)

        @bp.route("/handovers/<hid:str>/conversation", methods=["GET"])
        async def handover_conversation(request: Request, hid: str) -> HTTPResponse:
            async def work() -> HTTPResponse:
                _, found = await asyncio.to_thread(
                    self.api.handover_for, _token(request), hid, request.path, client_address(request)
                )
                messages = await conversations.history(request.app.ctx.agent, found.conversation_id)
                body = {"handover": found.as_api(), "messages": messages, "can_reply": can_reply(found.channel)}
                return response.json(body, ensure_ascii=False)

            return await run(request, work)

        @bp.route("/handovers/<hid:str>/reply", methods=["POST"])
        async def handover_reply(request: Request, hid: str) -> HTTPResponse:
            async def work() -> HTTPResponse:
                data = json_body(request, 16 * 1024)
                text = reply_text(data)
                version = data.get("version")
                if not isinstance(version, int) or isinstance(version, bool):
                    raise ClientError(400, "bad_request", "缺少 version（页面加载时会话的版本）。")
                user, found = await asyncio.to_thread(
                    self.api.handover_for, _token(request), hid, request.path, client_address(request), version
                )
                if not can_reply(found.channel):
                    raise ClientError(
                        422, "channel_not_supported", "该渠道的会话暂不能在此答复，请按 docs/staff.md 的说明处理。"
                    )
                signed = f"{found.first_unit} {user.display_name}"
                await conversations.append_reply(
                    request.app.ctx.agent, found.conversation_id, conversations.staff_reply(text, signed)
                )
                # WeChat cannot fetch its history: the answer goes out as a message, queued with the change.
                deliver = {"text": text, "signed": signed} if found.channel == WECHAT_CHANNEL else None
                return _send(await asyncio.to_thread(self.api.handover_answered, user, found, deliver))

            return await run(request, work)

        @bp.route("/<path:path>", methods=["GET", "POST"])
        async def everything_else(request: Request, path: str) -> HTTPResponse:
            client = client_address(request)
            query = {k: v[0] for k, v in request.args.items() if v}
            method, token, body = request.method, _token(request), request.body or b""
            return _send(await _guarded(lambda: self.api.handle(method, path, token, body, client, query)))

        return bp
