"""``POST /webhooks/rest/webhook``: Rasa's REST channel for trusted integrators and tests, with the
request checked before any NLU work (token, rate, size, JSON shape, sender, text) and an apology instead
of ``[]`` when the assistant could not answer.

The sender id is the integrator's to choose, so REST is no door for the public: with ``SHOUZI_REST_TOKEN``
set, only callers that know the token get in (the public doors, the widget and WeChat, carry
server-issued identities). Every message counts against its client address and its conversation."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.adapters.channels.turns import apology, run_turn
from bot.adapters.http import client_address, client_key, error_response, json_body, json_response
from bot.adapters.startup import bind_to_server, prepare_rasa_server
from bot.config import settings
from bot.conversation.replies import Reply, render_text
from bot.inputs import ClientError, clean_text
from bot.throttle import Quota, check
from bot.vocabulary import CLIENT_KEY

MAX_SENDER_CHARS = 128


def _sender(data: dict[str, Any]) -> str:
    raw = data.get("sender")
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise ClientError(422, "missing_sender", "请在 sender 字段中提供会话编号（字符串）。")
    sender = clean_text(str(raw))
    if not sender or len(sender) > MAX_SENDER_CHARS:
        raise ClientError(422, "invalid_sender", f"sender 应为 1 至 {MAX_SENDER_CHARS} 个字符。")
    return sender


def _message(data: dict[str, Any], max_chars: int) -> str:
    """The text as sent (cleaned). Over-long text is cut to one character past the limit before any NLU:
    the dialogue still sees that it was too long and answers so politely, at the cost of a short text."""
    raw = data.get("message")
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise ClientError(422, "invalid_message", "message 字段应为文字。")
    return clean_text(raw[: max_chars * 2 + 1])[: max_chars + 1]


def _authorised(request: Request, token: str) -> None:
    """With ``SHOUZI_REST_TOKEN`` set, the caller must present it (constant-time comparison)."""
    if not token:
        return
    header = request.headers.get("authorization", "")
    given = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if not hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8")):
        raise ClientError(401, "unauthenticated", "REST 渠道仅供接入单位使用：请在 Authorization 头中提供令牌。")


class LimitedRestInput(RestInput):
    """Configured in credentials.yml as ``bot.adapters.channels.rest.LimitedRestInput``; path unchanged."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        prepare_rasa_server()
        bp = Blueprint("limited_rest_webhook", __name__)
        bind_to_server(bp)

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            cfg = settings()
            try:
                _authorised(request, cfg.rest_token)
                # An integrator that holds the token speaks for many applicants from one address: only its
                # conversations are counted. Without a token every address is counted as one client.
                if not cfg.rest_token:
                    check(Quota.CLIENT_MESSAGES, client_address(request))
                data = json_body(request, cfg.max_body_bytes)
                sender, text = _sender(data), _message(data, cfg.max_text_chars)
                metadata = data.get("metadata")
                if metadata is not None and not isinstance(metadata, dict):
                    raise ClientError(422, "invalid_metadata", "metadata 字段应为 JSON 对象。")
                check(Quota.CONVERSATION_MESSAGES, sender)
            except ClientError as exc:
                return error_response(exc)
            if not cfg.rest_token:
                metadata = {**(metadata or {}), CLIENT_KEY: client_key(request)}
            messages, answered = await run_turn(on_new_message, sender, text, self.name(), metadata)
            if not answered:
                sorry = Reply.from_dict(apology())
                buttons = [{"title": b.title, "payload": b.payload} for b in sorry.buttons]
                messages = [
                    {"recipient_id": sender, "text": render_text(sorry), "buttons": buttons, "custom": sorry.as_dict()}
                ]
            return json_response(messages)

        return bp
