"""``/webhooks/staff/...``: the staff queues' JSON API on the Rasa port (see bot.staff.service)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import cached_property
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.http import client_address
from bot.adapters.startup import prepare_rasa_server
from bot.catalog import get_catalog
from bot.policy import get_policy
from bot.records.clock import clock_from_env
from bot.records.db import make_engine
from bot.records.store import RecordStore
from bot.staff.auth import StaffDirectory
from bot.staff.service import Response, StaffApi

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


class StaffInput(InputChannel):
    """Queues per tier for staff; never touches conversations."""

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

        @bp.route("/login", methods=["POST"])
        async def login(request: Request) -> HTTPResponse:
            client = client_address(request)
            body = request.body or b""
            return _send(await _guarded(lambda: self.api.login(body, client)))

        @bp.route("/<path:path>", methods=["GET", "POST"])
        async def everything_else(request: Request, path: str) -> HTTPResponse:
            client = client_address(request)
            method, token, body = request.method, _token(request), request.body or b""
            return _send(await _guarded(lambda: self.api.handle(method, path, token, body, client)))

        return bp
