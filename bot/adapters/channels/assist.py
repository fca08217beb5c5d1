"""``/webhooks/assist/...``: the hotline console's page and API, and the stateless analyze endpoint.

| path | what |
| --- | --- |
| ``POST analyze`` | stateless analysis of one text (api.md); creates no records |
| ``GET console`` | the agents' live console (a page; staff login with the ``agent`` role) |
| ``POST console/analyze`` | a call's text → the caller's words analysed, script, questions, work order |
| ``POST console/records/coordination`` ``…/escalation`` | open XT / TJ from the work order |
| ``POST console/sms`` | text the one-time answer to the caller (outbox → SMS gateway) |
| ``POST console/feed`` ``GET console/feed?call_id=&after=`` | the speech-recognition feed |

Served by the Rasa server itself (an InputChannel), so it uses the same loaded NLU model as the
conversation, on the same port. Every decision lives in :mod:`bot.hotline`; this module translates HTTP.
"""

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

from bot.adapters.channels.staff import STATIC, _send, _token, serve_page
from bot.adapters.channels.web import Asset
from bot.adapters.http import body_of, client_address, error_response, json_response
from bot.adapters.sms import SmsDelivery, every_seconds, gateway_url
from bot.adapters.startup import bind_to_server, prepare_rasa_server
from bot.analysis import analyse, to_api
from bot.catalog import get_catalog
from bot.config import settings
from bot.hotline.console import ConsoleApi
from bot.inputs import ClientError, parse_analyze_request
from bot.policy import get_policy
from bot.records.clock import clock_from_env
from bot.records.db import make_engine
from bot.records.store import RecordStore
from bot.staff.auth import StaffDirectory
from bot.throttle import Quota, check
from bot.vocabulary import RecordKind

logger = logging.getLogger(__name__)
NOT_READY = ClientError(503, "not_ready", "助手正在启动，请稍后再试。")
OPENS = {"coordination": RecordKind.COORDINATION, "escalation": RecordKind.ESCALATION}


class AssistInput(InputChannel):
    """Analysis for hotline agents and integrators."""

    @classmethod
    def name(cls) -> str:
        return "assist"

    @cached_property
    def console(self) -> ConsoleApi:
        engine, clock = make_engine(), clock_from_env()
        store = RecordStore(engine, clock)
        return ConsoleApi(store, StaffDirectory(engine, clock), get_policy(), get_catalog(), settings().max_text_chars)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        prepare_rasa_server()
        bp = Blueprint("assist_webhook", __name__)
        bind_to_server(bp)
        page = Asset.load(STATIC / "console.html", "text/html; charset=utf-8")
        tasks: list[asyncio.Task[None]] = []

        @bp.listener("after_server_start")
        async def start(app: Any, loop: Any) -> None:
            url = gateway_url()
            if url:
                delivery = SmsDelivery(self.console.store, url)
                tasks.append(asyncio.get_running_loop().create_task(delivery.forever(every_seconds())))

        @bp.listener("before_server_stop")
        async def stop(app: Any, loop: Any) -> None:
            for task in tasks:
                task.cancel()

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/analyze", methods=["POST"])
        async def analyze(request: Request) -> HTTPResponse:
            cfg = settings()
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                return error_response(NOT_READY)  # start-up probes are not counted against the address
            try:
                check(Quota.ANALYZE, client_address(request))
                req = parse_analyze_request(
                    body_of(request, cfg.max_body_bytes), cfg.max_text_chars, cfg.max_body_bytes
                )
            except ClientError as exc:
                return error_response(exc)
            catalog = get_catalog()
            if req.town is not None and req.town not in catalog.towns:
                err = ClientError(422, "unknown_town", f"未知的镇街：{req.town}。可选：{'、'.join(catalog.towns)}。")
                return error_response(err)
            parse = await agent.parse_message(req.text)
            return json_response(to_api(analyse(parse, catalog, town_hint=req.town), catalog))

        # --- the agents' console -----------------------------------------------------------------

        @bp.route("/console", methods=["GET"])
        async def console_page(request: Request) -> HTTPResponse:
            return serve_page(request, page)

        async def as_agent(request: Request, work: Callable[[Any], Awaitable[HTTPResponse]]) -> HTTPResponse:
            """The request's agent (401/403 before any work), then ``work``; client errors as JSON."""
            try:
                user = await asyncio.to_thread(
                    self.console.agent, _token(request), request.path, client_address(request)
                )
                return await work(user)
            except ClientError as exc:
                return error_response(exc)

        @bp.route("/console/analyze", methods=["POST"])
        async def console_analyze(request: Request) -> HTTPResponse:
            async def work(user: Any) -> HTTPResponse:
                call, town = self.console.read(body_of(request, settings().max_body_bytes))
                agent = request.app.ctx.agent
                if agent is None or not agent.is_ready():
                    raise NOT_READY
                # The caller's words only: the agent's formulae would pull every call to the hotline's
                # own department (bot.hotline.transcript).
                parse = await agent.parse_message(call.caller_text)
                catalog = get_catalog()
                api = to_api(analyse(parse, catalog, town_hint=town), catalog)
                return json_response(self.console.view(call, api))

            return await as_agent(request, work)

        @bp.route("/console/records/<kind:str>", methods=["POST"])
        async def console_open(request: Request, kind: str) -> HTTPResponse:
            async def work(user: Any) -> HTTPResponse:
                if kind not in OPENS:
                    raise ClientError(404, "not_found", "没有这个接口。")
                body = body_of(request, settings().max_body_bytes)
                return _send(await asyncio.to_thread(self.console.open, user, OPENS[kind], body))

            return await as_agent(request, work)

        @bp.route("/console/sms", methods=["POST"])
        async def console_sms(request: Request) -> HTTPResponse:
            async def work(user: Any) -> HTTPResponse:
                body = body_of(request, settings().max_body_bytes)
                return _send(await asyncio.to_thread(self.console.sms, user, body))

            return await as_agent(request, work)

        @bp.route("/console/feed", methods=["POST", "GET"])
        async def console_feed(request: Request) -> HTTPResponse:
            async def work(user: Any) -> HTTPResponse:
                if request.method == "GET":
                    call_id, after = request.args.get("call_id", ""), request.args.get("after", "0")
                    return _send(await asyncio.to_thread(self.console.segments, user, call_id, after))
                body = body_of(request, settings().max_body_bytes)
                return _send(await asyncio.to_thread(self.console.push, user, body))

            return await as_agent(request, work)

        return bp
