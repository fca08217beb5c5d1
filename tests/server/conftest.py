"""Starts the real servers (Rasa + actions) once per test session, on free loopback ports."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.adapters import launcher
from tests.wechat.fake_api import FakeWeChat

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Assistant:
    base: str
    database_url: str = ""

    def post(
        self, path: str, body: bytes | dict[str, Any] | None, timeout: float = 30, token: str | None = None
    ) -> tuple[int, Any]:
        """POST (or GET when body is None) and decode the JSON answer, whatever the status."""
        data = (
            None if body is None else body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        )
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(self.base + path, data=data, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                status, raw = resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read().decode("utf-8", "replace")
        try:
            return status, json.loads(raw)
        except json.JSONDecodeError:
            return status, raw

    def analyze(self, text: str, **extra: Any) -> dict[str, Any]:
        status, body = self.post("/webhooks/assist/analyze", {"text": text, **extra})
        assert status == 200, body
        assert isinstance(body, dict)
        return body

    def say(self, sender: str, message: str) -> list[dict[str, Any]]:
        status, body = self.post("/webhooks/rest/webhook", {"sender": sender, "message": message})
        assert status == 200, body
        assert isinstance(body, list)
        return body


@dataclass
class Running:
    """An assistant started by the project's launcher, with its HTTP client."""

    assistant: Assistant
    process: launcher.Running

    def stop(self) -> None:
        self.process.stop()


def model_under_test() -> str:
    model = os.environ.get("SHOUZI_TEST_MODEL")
    if not model:
        pytest.skip("SHOUZI_TEST_MODEL is not set: run through `make test`")
    return model


def launch(model: str, data_dir: Path, database_url: str | None = None, **extra: str) -> Running:
    """Starts both servers on free loopback ports over ``database_url`` (default: SQLite in data_dir)."""
    process = launcher.launch(model, data_dir, database_url, **extra)
    return Running(Assistant(process.base, process.database_url), process)


@pytest.fixture(scope="session")
def assistant() -> Iterator[Assistant]:
    """The session's assistant, on a fresh SQLite database."""
    running = launch(model_under_test(), Path(tempfile.mkdtemp(prefix="shouzi-test-")))
    try:
        yield running.assistant
    finally:
        running.stop()


# --- the real browser, shared by every browser test of the session --------------------------------
# One Playwright instance per test session: two sync_playwright() sessions in one process collide
# ("Sync API inside the asyncio loop"), so the widget's and the staff pages' tests share these.

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


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


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeWeChat]:
    """A fake WeChat API on loopback, one per test module that talks to the WeChat door."""
    api = FakeWeChat().start()
    yield api
    api.stop()
