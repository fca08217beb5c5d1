"""Untrusted input, checked the same way at every door: one client-error family, one JSON body parser
with size and depth limits, and one text cleaner.

Pure Python (no Sanic, no Rasa), so the channels, the staff API and the tests share it. Every check
runs before any expensive work (NLU, database), and every refusal carries a polite Chinese message.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import Any

# Deeper JSON than this is refused before Python's parser can recurse on it.
MAX_JSON_DEPTH = 20


class ClientError(Exception):
    """A request the client must change: HTTP status, a code for programs and a message for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


def too_large(max_bytes: int) -> ClientError:
    return ClientError(413, "body_too_large", f"请求内容过大，请控制在 {max(1, max_bytes // 1024)} KB 以内。")


def _depth(raw: str) -> int:
    """Deepest bracket nesting outside strings, in one linear pass (no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in raw:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def parse_json_object(body: bytes, max_bytes: int, *, empty_ok: bool = False) -> dict[str, Any]:
    """A request body as a JSON object, or a ClientError (413 too large, 400 not a JSON object)."""
    if len(body) > max_bytes:
        raise too_large(max_bytes)
    example = '请以 UTF-8 编码的 JSON 对象提交，例如 {"text": "开餐馆要办哪些证？"}。'
    try:
        raw = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ClientError(400, "invalid_json", "请求格式有误：" + example) from exc
    if empty_ok and not raw.strip():
        return {}
    if _depth(raw) > MAX_JSON_DEPTH:
        raise ClientError(400, "invalid_json", f"请求格式有误：JSON 嵌套超过 {MAX_JSON_DEPTH} 层。")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ClientError(400, "invalid_json", "请求格式有误：" + example) from exc
    if not isinstance(data, dict):
        raise ClientError(400, "invalid_json", '请求格式有误：请求体应为 JSON 对象，例如 {"text": "…"}。')
    return data


def clean_text(text: str) -> str:
    """NFKC (full-width letters and digits folded), control, format and surrogate characters dropped
    (newlines and tabs kept), trimmed."""
    text = unicodedata.normalize("NFKC", text.encode("utf-8", "replace").decode("utf-8"))
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()


def text_field(data: dict[str, Any], name: str, max_chars: int, *, required: bool = True) -> str | None:
    """A cleaned string field: 422 when missing, not a string or empty; 413 when over ``max_chars``."""
    raw = data.get(name)
    if raw is None and not required:
        return None
    if not isinstance(raw, str):
        raise ClientError(422, f"missing_{name}", f"请在 {name} 字段中提供文字。")
    # Cut before cleaning so a huge value costs no more than the limit allows.
    text = clean_text(raw[: max_chars * 4 + 16])
    if not text:
        if not required:
            return None
        raise ClientError(422, f"empty_{name}", f"{name} 为空：请提供文字内容。")
    if len(text) > max_chars:
        raise ClientError(
            413, f"{name}_too_long", f"文字过长（超过 {max_chars} 字），请控制在 {max_chars} 字以内，或分段提交。"
        )
    return text


@dataclass(frozen=True)
class AnalyzeRequest:
    text: str
    town: str | None


def parse_analyze_request(body: bytes, max_chars: int, max_bytes: int) -> AnalyzeRequest:
    """``POST /webhooks/assist/analyze``: {"text": …, "town": … (optional)}."""
    data = parse_json_object(body, max_bytes)
    try:
        text = text_field(data, "text", max_chars)
    except ClientError as exc:
        if exc.code == "missing_text":
            raise ClientError(422, "missing_text", "请在 text 字段中提供要分析的文字。") from exc
        if exc.code == "empty_text":
            raise ClientError(422, "empty_text", "text 为空：请提供要分析的文字内容。") from exc
        raise
    town = data.get("town")
    if town is not None and not isinstance(town, str):
        raise ClientError(422, "invalid_town", 'town 字段应为镇街名称，例如 "西樵镇"。')
    assert text is not None
    return AnalyzeRequest(text=text, town=clean_text(town)[:40] or None if town else None)


def ascii_int(text: str, max_digits: int = 12) -> int | None:
    """A whole number written in ASCII digits, or None. ``str.isdigit`` accepts "²" and other digits
    ``int()`` rejects, and ``int()`` refuses very long strings: both would otherwise become a 500."""
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
