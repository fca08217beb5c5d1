"""Starts the real servers (Rasa + actions) once per test session, on free loopback ports."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Assistant:
    base: str

    def post(self, path: str, body: bytes | dict[str, Any], timeout: float = 30) -> tuple[int, Any]:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
        req = urllib.request.Request(self.base + path, data=data, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as err:
            raw = err.read().decode("utf-8", "replace")
            try:
                return err.code, json.loads(raw)
            except json.JSONDecodeError:
                return err.code, raw

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


@pytest.fixture(scope="session")
def assistant() -> Iterator[Assistant]:
    model = os.environ.get("SHOUZI_TEST_MODEL")
    if not model:
        pytest.skip("SHOUZI_TEST_MODEL is not set: run through `make test`")
    data_dir = tempfile.mkdtemp(prefix="shouzi-test-")
    env = dict(
        os.environ,
        SHOUZI_PORT=str(_free_port()),
        SHOUZI_ACTIONS_PORT=str(_free_port()),
        SHOUZI_DATA_DIR=data_dir,
    )
    env.pop("ACTION_ENDPOINT_URL", None)
    pidfile = Path(data_dir) / "pids"
    subprocess.run(
        [str(ROOT / "scripts" / "run.sh"), model, "--background", str(pidfile)],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=400,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield Assistant(f"http://127.0.0.1:{env['SHOUZI_PORT']}")
    finally:
        for pid in pidfile.read_text().split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), 15)
