"""``GET /webhooks/openapi/openapi.json``: the OpenAPI description of the assistant's own routes
(bot/openapi.yaml), for integrators and for the fuzzer that `make soak` runs against every route."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import yaml_files
from bot.adapters.startup import bind_to_server, prepare_rasa_server

DESCRIPTION = Path(__file__).resolve().parents[2] / "openapi.yaml"


@lru_cache(maxsize=1)
def description() -> dict[str, Any]:
    loaded = yaml_files.safe_load(DESCRIPTION.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


class OpenApiInput(InputChannel):
    """Configured in credentials.yml; serves a document, handles no messages."""

    @classmethod
    def name(cls) -> str:
        return "openapi"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        prepare_rasa_server()
        bp = Blueprint("openapi_webhook", __name__)
        bind_to_server(bp)
        document = description()

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/openapi.json", methods=["GET"])
        async def openapi(request: Request) -> HTTPResponse:
            return response.json(document, ensure_ascii=False, headers={"Cache-Control": "no-cache"})

        return bp
