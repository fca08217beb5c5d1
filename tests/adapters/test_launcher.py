from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from bot.adapters.launcher import Running, free_port, post_status


def test_pidfile_names_follow_run_sh(tmp_path: Path) -> None:
    pidfile = tmp_path / "pids"
    running = Running("http://127.0.0.1:1", "sqlite://", tmp_path, pidfile, 1.0, 0)
    pidfile.write_text("11 12 13\n")
    assert running.pids == {"rasa": 11, "actions": 12, "scheduler": 13}
    pidfile.write_text("1 2 3 4")
    assert running.pids == {"rasa": 1, "actions": 2, "scheduler": 3, "process 4": 4}


def test_free_port_is_bindable() -> None:
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_post_status_reports_status_or_zero() -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(503)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert post_status(f"http://127.0.0.1:{server.server_port}/x", {"text": "你好"}) == 503
    finally:
        server.shutdown()
    assert post_status(f"http://127.0.0.1:{free_port()}/x", {}) == 0
