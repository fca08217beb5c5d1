"""Starts the real servers (Rasa + actions) once per test session, on free loopback ports."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port

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
    """An assistant started by scripts/run.sh, with what it takes to stop it."""

    assistant: Assistant
    pidfile: Path

    def stop(self) -> None:
        pids = [int(p) for p in self.pidfile.read_text().split()]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(p) for p in pids):
            time.sleep(0.2)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def model_under_test() -> str:
    model = os.environ.get("SHOUZI_TEST_MODEL")
    if not model:
        pytest.skip("SHOUZI_TEST_MODEL is not set: run through `make test`")
    return model


def launch(model: str, data_dir: Path, database_url: str | None = None, **extra: str) -> Running:
    """Starts both servers on free loopback ports over ``database_url`` (default: SQLite in data_dir)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        SHOUZI_PORT=str(free_port()),
        SHOUZI_ACTIONS_PORT=str(free_port()),
        SHOUZI_DATA_DIR=str(data_dir),
    )
    env.update(extra)  # may name the ports, e.g. to restart a server where a browser page expects it
    for inherited in ("ACTION_ENDPOINT_URL", "DATABASE_URL"):
        env.pop(inherited, None)
    if database_url:
        env["DATABASE_URL"] = database_url
    pidfile = data_dir / "pids"
    subprocess.run(
        [str(ROOT / "scripts" / "run.sh"), model, "--background", str(pidfile)],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=400,
        stdout=subprocess.DEVNULL,
    )
    url = database_url or f"sqlite:///{data_dir / 'shouzi.db'}"
    return Running(Assistant(f"http://127.0.0.1:{env['SHOUZI_PORT']}", url), pidfile)


@pytest.fixture(scope="session")
def assistant() -> Iterator[Assistant]:
    """The session's assistant, on a fresh SQLite database."""
    running = launch(model_under_test(), Path(tempfile.mkdtemp(prefix="shouzi-test-")))
    try:
        yield running.assistant
    finally:
        running.stop()
