"""A fake WeChat API on loopback: hands out stable tokens, records 客服 and template messages and menus,
and can be told to expire tokens (42001), reject them (40001), fail (-1) or close the 48-hour window."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from bot.wechat import wire


class FakeWeChat:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.token_requests: list[dict[str, Any]] = []
        self.custom: list[dict[str, Any]] = []
        self.templates: list[dict[str, Any]] = []
        self.menus: list[dict[str, Any]] = []
        self.calls: list[tuple[str, int]] = []  # (path, errcode answered)
        self.valid: set[str] = set()
        self.current: str | None = None
        self.issued = 0
        self.fail_next = 0  # answer errcode -1 to this many message calls
        self.closed_window: set[str] = set()  # openids whose 48-hour window has closed
        self.token_delay = 0.0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeWeChat:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def expire_tokens(self) -> None:
        with self.lock:
            self.valid.clear()

    def texts_to(self, openid: str) -> list[str]:
        with self.lock:
            return [m["text"]["content"] for m in self.custom if m["touser"] == openid]

    def wait_for(self, check: Callable[[], Any], timeout: float = 20.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError("the fake WeChat did not see what was expected in time")

    # --- the API -----------------------------------------------------------------------------------

    def _token(self, body: dict[str, Any]) -> dict[str, Any]:
        time.sleep(self.token_delay)
        with self.lock:
            self.token_requests.append(body)
            if body.get("force_refresh") or self.current not in self.valid:
                self.issued += 1
                self.current = f"token-{self.issued}"
                self.valid.add(self.current)
            return {"access_token": self.current, "expires_in": 7200}

    def _message(self, path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            if token not in self.valid:
                code = wire.EXPIRED_TOKEN if token.startswith("token-") else wire.INVALID_TOKEN
                self.calls.append((path, code))
                return {"errcode": code, "errmsg": "access_token expired"}
            if self.fail_next > 0 and path != wire.MENU_CREATE_PATH:
                self.fail_next -= 1
                self.calls.append((path, wire.SYSTEM_BUSY))
                return {"errcode": wire.SYSTEM_BUSY, "errmsg": "system error"}
            if path == wire.CUSTOM_SEND_PATH and body.get("touser") in self.closed_window:
                self.calls.append((path, 45015))
                return {"errcode": 45015, "errmsg": "response out of time limit"}
            {wire.CUSTOM_SEND_PATH: self.custom, wire.TEMPLATE_SEND_PATH: self.templates}.get(path, self.menus).append(
                body
            )
            self.calls.append((path, 0))
            return {"errcode": 0, "errmsg": "ok", "msgid": len(self.custom) + len(self.templates)}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                url = urlparse(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.loads(raw or b"{}")
                if url.path == wire.STABLE_TOKEN_PATH:
                    answer = fake._token(body)
                elif url.path in (wire.CUSTOM_SEND_PATH, wire.TEMPLATE_SEND_PATH, wire.MENU_CREATE_PATH):
                    token = parse_qs(url.query).get("access_token", [""])[0]
                    answer = fake._message(url.path, token, body)
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
