"""The widget's server, browser and HTTP helpers for the web door's tests (issue 13).

One assistant serves every test here (started by :func:`tests.server.conftest.launch`, on SQLite in a
fresh data directory, with one listed embedding origin); the restart test starts its own.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import ROOT, Running, launch, model_under_test

LISTED_ORIGIN = "https://www.nanhai.gov.cn"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


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


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium (installed by scripts/browser.sh when missing; never downloaded otherwise)."""
    out = subprocess.run([str(ROOT / "scripts" / "browser.sh")], check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core from web/package-lock.json (scripts/web-deps.sh runs `npm ci` when needed)."""
    out = subprocess.run([str(ROOT / "scripts" / "web-deps.sh")], check=True, capture_output=True, text=True)
    return Path(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
