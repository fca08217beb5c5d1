"""A terminal conversation with the running assistant through its REST channel (``make shell``).

Buttons are shown as numbered choices; type the number to press one.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request
import uuid
from typing import Any


def send(url: str, sender: str, message: str) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        result: list[dict[str, Any]] = json.loads(resp.read().decode("utf-8"))
        return result


def main() -> int:
    host, port = os.environ.get("SHOUZI_HOST", "127.0.0.1"), os.environ.get("SHOUZI_PORT", "5005")
    url = f"http://{host}:{port}/webhooks/rest/webhook"
    sender = f"shell-{uuid.uuid4().hex[:8]}"
    buttons: list[dict[str, str]] = []
    print("首咨助手 — 请输入您的问题（输入 /quit 退出）")
    while True:
        try:
            line = input("您> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if line in ("/quit", "/exit"):
            return 0
        if not line:
            continue
        if line.isdigit() and 1 <= int(line) <= len(buttons):
            line = buttons[int(line) - 1]["payload"]
        buttons = []
        for msg in send(url, sender, line):
            if msg.get("text"):
                print("助手>", msg["text"])
            for b in msg.get("buttons") or []:
                buttons.append(b)
                print(f"   [{len(buttons)}] {b['title']}")


if __name__ == "__main__":
    sys.exit(main())
