"""A disputed rejection told through the REST channel ends with a TJ number at the right tier; staff
work it through /webhooks/staff; an unacknowledged one moves up a tier (R12) by the scheduler."""

from __future__ import annotations

import os
import subprocess
import uuid
from typing import Any

import pytest

from bot.records.db import make_engine
from bot.staff.auth import StaffDirectory
from tests.server.conftest import ROOT, Assistant

pytestmark = pytest.mark.server
PASSWORD = "a long enough password"
ANSWERS = {
    "ground": "材料不全，要我补材料",
    "material_on_list": "不在清单内",
    "rejecting_tier": "窗口（前台）",
    "extra": "都不是",
    "notice": "有书面通知",
    "date": "不记得了",
}


def _cards(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]


def _tell_dispute(bot: Assistant) -> tuple[str, dict[str, Any]]:
    sender = f"d-{uuid.uuid4().hex[:10]}"
    cards = _cards(bot.say(sender, "我去办建筑工程施工许可，窗口话我材料不全唔肯受理，但佢要嘅嘢办事指南入面根本冇写"))
    for _ in range(6):
        if cards[0]["kind"] != "dispute_question":
            break
        question = cards[0]["data"]["question"]
        assert ANSWERS[question] in [b["payload"] for b in cards[0]["buttons"]]
        cards = _cards(bot.say(sender, ANSWERS[question]))
    assert cards[0]["kind"] == "dispute_confirm", cards
    assert cards[0]["data"]["tier"] == 3
    cards = _cards(bot.say(sender, "确认提交"))
    assert [c["kind"] for c in cards] == ["escalation_opened"]  # 好差评 comes at the end of the conversation
    return sender, cards[0]


def _login(bot: Assistant, username: str) -> str:
    status, body = bot.post("/webhooks/staff/login", {"username": username, "password": PASSWORD})
    assert status == 200, body
    return str(body["token"])


def test_dispute_to_escalation_to_staff_and_automatic_escalation(assistant: Assistant) -> None:
    _, opened = _tell_dispute(assistant)
    number = opened["data"]["number"]
    assert number.startswith("TJ") and opened["data"]["tier"] == 3
    assert {"R5", "R6", "R7"} <= set(opened["data"]["rules"])
    # Its status, from a new conversation (R13).
    status = _cards(assistant.say(f"s-{uuid.uuid4().hex[:8]}", f"我嘅提级单{number}点样了"))[0]
    assert status["kind"] == "record_status" and status["data"]["tier"] == 3
    assert status["data"]["next_deadline"] == opened["data"]["ack_due_on"]

    engine = make_engine(assistant.database_url)
    directory = StaffDirectory(engine)
    for username, role, dept in (
        ("lead-hcw", "leadership", "hcw"),
        ("lead-msa", "leadership", "msa"),
        ("office", "district", None),
    ):
        directory.add_user(username, PASSWORD, role, dept)
    engine.dispose()

    # Wrong or missing credentials: 401; another department's record: 404, as if it did not exist (#15).
    assert assistant.post("/webhooks/staff/queue", None)[0] == 401
    assert assistant.post("/webhooks/staff/login", {"username": "office", "password": "wrong"})[0] == 401
    other = _login(assistant, "lead-msa")
    assert assistant.post(f"/webhooks/staff/records/{number}", None, token=other)[0] == 404
    lead = _login(assistant, "lead-hcw")
    status_code, queue = assistant.post("/webhooks/staff/queue", None, token=lead)
    assert status_code == 200 and number in [r["number"] for r in queue["records"]]

    # Nobody acknowledges it; a week later the scheduler moves it to the district (R12).
    env = dict(os.environ, DATABASE_URL=assistant.database_url, SHOUZI_NOW="2099-01-05T09:00:00")
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "bot.records.scheduler", "--once"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    office = _login(assistant, "office")
    status_code, record = assistant.post(f"/webhooks/staff/records/{number}", None, token=office)
    assert status_code == 200 and record["tier"] == 4 and record["state"] == "escalated"
    assert record["events"][-1]["rule"] == "R12" and record["events"][-1]["actor"] == "scheduler"
    status_code, decided = assistant.post(
        f"/webhooks/staff/records/{number}/decide",
        {"decision": "overturn", "reason": "清单外材料不得要求，撤销退件"},
        token=office,
    )
    assert status_code == 200 and decided["state"] == "overturned"
    status_code, audit = assistant.post("/webhooks/staff/audit", None, token=office)
    assert status_code == 200 and isinstance(audit, str) and number in audit
    final = _cards(assistant.say(f"s-{uuid.uuid4().hex[:8]}", number))[0]
    assert final["data"]["state"] == "overturned"
