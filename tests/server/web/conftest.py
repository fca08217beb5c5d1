"""The widget's server, browser and HTTP helpers for the web door's tests (issue 13).

One assistant serves every test here (started by :func:`tests.server.conftest.launch`, on SQLite in a
fresh data directory, with one listed embedding origin); the restart test starts its own.
"""

from __future__ import annotations

import json
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import Running, launch, model_under_test

LISTED_ORIGIN = "https://www.nanhai.gov.cn"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


def call(base: str, path: str, body: bytes | dict[str, Any] | None = None, **headers: str) -> Answer:
    """POST (GET when body is None) to ``/webhooks/web/<path>``, as the widget does (text/plain JSON)."""
    data = None if body is None else body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    sent = {"Content-Type": "text/plain;charset=UTF-8", **{k.replace("_", "-"): v for k, v in headers.items()}}
    req = urllib.request.Request(f"{base}/webhooks/web/{path}", data=data, headers=sent)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            status, head, raw = resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        status, head, raw = err.code, dict(err.headers), err.read()
    try:
        decoded: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        decoded = raw
    return Answer(status, {k.lower(): v for k, v in head.items()}, decoded)


@dataclass
class WebServer:
    base: str
    data_dir: Path

    def session(self, token: str = "") -> str:
        answer = call(self.base, "session", {"token": token})
        assert answer.status == 200, answer.body
        return str(answer.body["token"])

    def say(self, token: str, text: str, **extra: Any) -> list[dict[str, Any]]:
        answer = call(self.base, "message", {"token": token, "text": text, **extra})
        assert answer.status == 200, answer.body
        return list(answer.body["replies"])

    def history(self, token: str) -> list[dict[str, Any]]:
        answer = call(self.base, "history", {"token": token})
        assert answer.status == 200, answer.body
        return list(answer.body["messages"])


def start(data_dir: Path, **extra: str) -> Running:
    env = {"SHOUZI_WEB_ORIGINS": LISTED_ORIGIN, "SHOUZI_WEB_SECRET": "", "SHOUZI_WEB_SESSION_DAYS": "1", **extra}
    return launch(model_under_test(), data_dir, **env)


@pytest.fixture(scope="session")
def web() -> Iterator[WebServer]:
    data_dir = Path(tempfile.mkdtemp(prefix="shouzi-web-"))
    running = start(data_dir)
    try:
        yield WebServer(running.assistant.base, data_dir)
    finally:
        running.stop()
