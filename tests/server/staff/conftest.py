"""One assistant for the staff application's tests (issue 14): a fresh SQLite database, staff accounts
made with the accounts command, a fake SMS gateway on loopback, and the browser fixtures of the widget's
tests (Debian's Chromium, axe-core from web/package-lock.json)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import ROOT, Assistant, launch, model_under_test

PASSWORD = "staff-password-2026"
# username → (role, department): the accounts the tests log in with.
ACCOUNTS = {
    "agent1": ("agent", None),
    "msa-chief": ("section", "msa"),
    "fire-chief": ("section", "fire"),
    "msa-lead": ("leadership", "msa"),
    "office": ("district", None),
    "desk": ("first_unit", None),
}
IMG = ROOT / "docs" / "img"


@dataclass
class FakeGateway:
    """An SMS gateway that records what it is asked to send."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)


def start_gateway() -> tuple[ThreadingHTTPServer, FakeGateway]:
    gateway = FakeGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            gateway.received.append(json.loads(self.rfile.read(length).decode("utf-8")))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/send"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, gateway


def add_account(database_url: str, username: str, role: str, department: str | None) -> None:
    """Through the accounts command, as an administrator would."""
    cmd = [sys.executable, "-m", "bot.staff.accounts", "add", username, "--role", role]
    if department:
        cmd += ["--department", department]
    env = {**os.environ, "DATABASE_URL": database_url, "SHOUZI_NEW_PASSWORD": PASSWORD, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr


@dataclass
class StaffServer:
    assistant: Assistant
    gateway: FakeGateway
    data_dir: Path

    @property
    def base(self) -> str:
        return self.assistant.base

    def token(self, username: str) -> str:
        status, body = self.assistant.post("/webhooks/staff/login", {"username": username, "password": PASSWORD})
        assert status == 200, body
        return str(body["token"])


@pytest.fixture(scope="session")
def staff() -> Iterator[StaffServer]:
    server, gateway = start_gateway()
    data_dir = Path(tempfile.mkdtemp(prefix="shouzi-staff-"))
    running = launch(
        model_under_test(),
        data_dir,
        SHOUZI_SMS_GATEWAY_URL=gateway.url,
        SHOUZI_SMS_SECONDS="0.5",
        SHOUZI_WEB_SECRET="",
    )
    try:
        for name, (role, dept) in ACCOUNTS.items():
            add_account(running.assistant.database_url, name, role, dept)
        yield StaffServer(running.assistant, gateway, data_dir)
    finally:
        running.stop()
        server.shutdown()


__all__ = ["IMG", "PASSWORD", "StaffServer"]
