"""Starts the real servers (Rasa + actions) once per test session, on free loopback ports."""

from __future__ import annotations

import json
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.adapters import launcher

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
