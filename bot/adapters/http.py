"""Sanic-side helpers shared by every channel: errors as JSON, bodies read under a limit, client
addresses. The checks themselves are pure and live in :mod:`bot.inputs`."""

from __future__ import annotations

import hashlib
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.inputs import ClientError, ascii_int, parse_json_object, too_large


def error_response(exc: ClientError) -> HTTPResponse:
    res = response.json(exc.body(), status=exc.status, ensure_ascii=False)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        res.headers["Retry-After"] = str(retry_after)
    return res


def json_response(body: Any, status: int = 200) -> HTTPResponse:
    return response.json(body, status=status, ensure_ascii=False)


def body_of(request: Request, max_bytes: int) -> bytes:
    """The raw body, refused (413) past ``max_bytes`` by its declared length before it is used."""
    declared = request.headers.get("content-length")
    length = ascii_int(declared or "", 18)
    if length is not None and length > max_bytes:
        raise too_large(max_bytes)
    body = request.body or b""
    if len(body) > max_bytes:
        raise too_large(max_bytes)
    return body


def json_body(request: Request, max_bytes: int, *, empty_ok: bool = False) -> dict[str, Any]:
    """The body as a JSON object (see :func:`bot.inputs.parse_json_object`)."""
    return parse_json_object(body_of(request, max_bytes), max_bytes, empty_ok=empty_ok)


def client_address(request: Request) -> str:
    """The peer's address (behind a proxy, what the proxy forwarded if Sanic is told to trust it)."""
    return str(request.remote_addr or request.ip or "")


def client_key(request: Request) -> str:
    """The client address as a hash: what the record quota counts, never the address itself."""
    return hashlib.sha256(client_address(request).encode("utf-8", "replace")).hexdigest()[:32]
