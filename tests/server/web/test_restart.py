"""The widget survives a server restart mid-conversation: the message sent while the server is down is
kept and sent again by the retry button, the history is still there, and the visitor's token stays
valid because the signing secret persists in the data directory (issue 13, "Bad input")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port
from tests.server.web.conftest import call, start

pytestmark = pytest.mark.server
ROOT_JS = "document.querySelector('shouzi-widget').shadowRoot"


def bots(pg: Any) -> int:
    return int(pg.locator(".msg.bot").count())


def test_the_widget_survives_a_server_restart(browser: Any, tmp_path: Path) -> None:
    ports = {"SHOUZI_PORT": str(free_port()), "SHOUZI_ACTIONS_PORT": str(free_port())}
    data = tmp_path / "data"
    running = start(data, **ports)
    base = running.assistant.base
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    try:
        pg = context.new_page()
        pg.goto(f"{base}/webhooks/web/demo")
        pg.click(".launcher")
        pg.wait_for_selector(".bubble.greeting")
        n = bots(pg)
        pg.fill("#sz-input", "开奶茶店要办什么证")
        pg.press("#sz-input", "Enter")
        pg.wait_for_function(f"() => {ROOT_JS}.querySelectorAll('.msg.bot').length > {n}")
        token = pg.evaluate("() => Object.entries(localStorage).find(([k]) => k.startsWith('shouzi-web:'))[1]")

        running.stop()
        pg.fill("#sz-input", "营业执照网上可以办吗")
        pg.press("#sz-input", "Enter")
        alert = pg.locator("[role=alert]")
        alert.wait_for()
        assert "没有发出" in alert.inner_text() and pg.input_value("#sz-input") == "营业执照网上可以办吗"

        running = start(data, **ports)
        n = bots(pg)
        pg.click(".retry")
        pg.wait_for_function(f"() => {ROOT_JS}.querySelectorAll('.msg.bot').length > {n}")
        assert pg.input_value("#sz-input") == "" and not alert.is_visible()

        answer = call(base, "history", {"token": token})
        assert answer.status == 200  # the same token, signed before the restart
        said = [m["text"] for m in answer.body["messages"] if m["from"] == "user"]
        assert said == ["开奶茶店要办什么证", "营业执照网上可以办吗"]

        pg.reload()
        pg.wait_for_function(f"() => {ROOT_JS}.querySelectorAll('.msg.user').length >= 2")
        users = pg.locator(".msg.user").all_inner_texts()
        assert any("开奶茶店" in u for u in users) and any("营业执照" in u for u in users)
    finally:
        context.close()
        running.stop()
