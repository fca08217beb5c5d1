"""``/webhooks/assist/...``: the hotline console's API, starting with the stateless analyze endpoint.

Served by the Rasa server itself (an InputChannel), so it uses the same loaded NLU model as the
conversation, on the same port. It never touches the tracker store: analysis creates no records.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.adapters.http import body_of, error_response, json_response
from bot.adapters.startup import prepare_rasa_server
from bot.analysis import analyse, to_api
from bot.catalog import get_catalog
from bot.config import settings
from bot.inputs import ClientError, parse_analyze_request

logger = logging.getLogger(__name__)


class AssistInput(InputChannel):
    """Analysis for hotline agents and integrators."""

    @classmethod
    def name(cls) -> str:
        return "assist"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        prepare_rasa_server()
        bp = Blueprint("assist_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/analyze", methods=["POST"])
        async def analyze(request: Request) -> HTTPResponse:
            cfg = settings()
            try:
                req = parse_analyze_request(
                    body_of(request, cfg.max_body_bytes), cfg.max_text_chars, cfg.max_body_bytes
                )
            except ClientError as exc:
                return error_response(exc)
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                return response.json(
                    {"error": {"code": "not_ready", "message": "助手正在启动，请稍后再试。"}}, status=503
                )
            catalog = get_catalog()
            if req.town is not None and req.town not in catalog.towns:
                err = ClientError(422, "unknown_town", f"未知的镇街：{req.town}。可选：{'、'.join(catalog.towns)}。")
                return error_response(err)
            parse = await agent.parse_message(req.text)
            return json_response(to_api(analyse(parse, catalog, town_hint=req.town), catalog))

        return bp
