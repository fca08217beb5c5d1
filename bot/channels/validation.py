"""Checks on untrusted request bodies, with polite Chinese errors instead of stack traces."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class BadRequest(Exception):
    """A client error: HTTP status, a code for programs and a message for people."""

    status: int
    code: str
    message: str

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


@dataclass(frozen=True)
class AnalyzeRequest:
    text: str
    town: str | None


def clean_text(text: str) -> str:
    """Drops control characters (keeps newlines) and trims; NFKC folds full-width letters and digits."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()


def parse_analyze_request(body: bytes, max_chars: int, max_bytes: int) -> AnalyzeRequest:
    if len(body) > max_bytes:
        raise BadRequest(413, "body_too_large", f"请求内容过大，请控制在 {max_bytes // 1024} KB 以内。")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(
            400, "invalid_json", '请求格式有误：请以 UTF-8 编码的 JSON 提交，例如 {"text": "开餐馆要办哪些证？"}。'
        ) from exc
    if not isinstance(data, dict):
        raise BadRequest(400, "invalid_json", '请求格式有误：请求体应为 JSON 对象，例如 {"text": "…"}。')
    raw = data.get("text")
    if not isinstance(raw, str):
        raise BadRequest(422, "missing_text", "请在 text 字段中提供要分析的文字。")
    text = clean_text(raw)
    if not text:
        raise BadRequest(422, "empty_text", "text 为空：请提供要分析的文字内容。")
    if len(text) > max_chars:
        raise BadRequest(413, "text_too_long", f"文字过长（{len(text)} 字），请控制在 {max_chars} 字以内，或分段提交。")
    town = data.get("town")
    if town is not None and not isinstance(town, str):
        raise BadRequest(422, "invalid_town", 'town 字段应为镇街名称，例如 "西樵镇"。')
    return AnalyzeRequest(text=text, town=clean_text(town) if town else None)
