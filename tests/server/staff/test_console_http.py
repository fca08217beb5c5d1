"""The hotline console and the 转人工 desk through HTTP against the real servers: call-shaped texts
route like plain ones, the SMS reaches the gateway with the number masked afterwards, the speech
recognition feed, refusals, and a web visitor answered by a person in their own conversation."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from bot.records.db import make_engine
from bot.records.tables import outbox
from tests.server.staff.conftest import StaffServer
from tests.server.web.conftest import call as web_call

pytestmark = pytest.mark.server
CALLS = Path(__file__).resolve().parents[2] / "data" / "calls.yml"
DISPUTE = (
    "坐席：您好，12345热线，请问有什么可以帮您？\n市民：我去窗口办食品经营许可证，窗口话我少咗营业执照复印件，"
    "叫我补齐先再嚟，我觉得冇必要啊。我姓陈，电话13912345678"
)


def console(staff: StaffServer, path: str, body: Any, token: str) -> tuple[int, Any]:
    return staff.assistant.post("/webhooks/assist/console/" + path, body, token=token)


def top(result: dict[str, Any]) -> str | None:
    return result["departments"][0]["code"] if result["departments"] else None


def test_call_shaped_texts_route_within_three_points_of_plain_text(staff: StaffServer) -> None:
    calls = yaml.safe_load(CALLS.read_text(encoding="utf-8"))["calls"]
    token = staff.token("agent1")
    plain, naive, read = {}, {}, {}
    for shape in ("asr", "labelled"):
        mine = [c for c in calls if c["shape"] == shape]
        plain[shape] = sum(top(staff.assistant.analyze(c["plain"])) == c["department"] for c in mine) / len(mine)
        naive[shape] = sum(top(staff.assistant.analyze(c["text"])) == c["department"] for c in mine) / len(mine)
        got = [console(staff, "analyze", {"text": c["text"]}, token) for c in mine]
        assert all(status == 200 for status, _ in got)
        read[shape] = sum(top(body) == c["department"] for (_, body), c in zip(got, mine, strict=True)) / len(mine)
    n = len(calls)
    overall = {k: sum(v.values()) / 2 for k, v in (("plain", plain), ("naive", naive), ("console", read))}
    print(
        f"\ncalls.yml (n={n}): department top-1 plain {overall['plain']:.3f}, call-shaped through analyze "
        f"{overall['naive']:.3f}, call-shaped through the console {overall['console']:.3f}"
    )
    for shape in plain:
        print(f"  {shape:9s} plain {plain[shape]:.3f}  naive {naive[shape]:.3f}  console {read[shape]:.3f}")
    for shape in plain:  # with and without speaker labels, each
        assert read[shape] >= plain[shape] - 0.03, shape
    assert overall["console"] > overall["naive"] + 0.5


def test_the_analysis_says_what_it_ignored_and_finds_the_tier(staff: StaffServer) -> None:
    status, body = console(staff, "analyze", {"text": DISPUTE}, staff.token("agent1"))
    assert status == 200, body
    assert body["request_type"] == "dispute_rejection" and top(body) == "msa"
    assert body["escalation"]["tier"] == 2 and "R6" in body["escalation"]["rules"]
    assert body["call"]["summary"].startswith("只分析来电人的话") and body["call"]["ignored"]
    assert "13912345678" not in json.dumps(body["call"], ensure_ascii=False)
    assert body["draft"]["phone_masked"] == "139****5678" and body["draft"]["department"] == "msa"
    assert body["script"] and any("第2层级" in line for line in body["script"])


def test_the_sms_is_delivered_by_the_gateway_and_the_number_kept_masked(staff: StaffServer) -> None:
    token = staff.token("agent1")
    order = {"call_id": "sms-call-0001", "text": "开餐厅要办咩证", "phone": "13812345678"}
    order |= {"request_type": "consult_item", "department": "msa", "summary": "开餐厅要办什么证"}
    status, body = console(staff, "sms", order, token)
    assert status == 202, body
    assert body["to"] == "138****5678"
    deadline = time.time() + 20
    while time.time() < deadline and not any(r["to"] == "13812345678" for r in staff.gateway.received):
        time.sleep(0.3)
    sent = [r for r in staff.gateway.received if r["to"] == "13812345678"]
    assert sent and "12345" in sent[0]["text"]
    engine = make_engine(staff.assistant.database_url)
    time.sleep(1)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(outbox.c.payload, outbox.c.delivered_at)).mappings()]
    engine.dispose()
    sms = [r for r in rows if r["payload"].get("call_id") == "sms-call-0001"]
    assert sms and sms[0]["delivered_at"] is not None and sms[0]["payload"]["phone"] == "138****5678"
    logs = "".join(p.read_text(errors="replace") for p in (staff.data_dir / "logs").glob("*.log"))
    assert "13812345678" not in logs


def test_the_speech_recognition_feed(staff: StaffServer) -> None:
    token = staff.token("agent1")
    for speaker, text in (("agent", "您好，12345热线"), ("caller", "工地夜晚十二点仲打桩")):
        status, _ = console(staff, "feed", {"call_id": "asr-call-0001", "speaker": speaker, "text": text}, token)
        assert status == 201
    status, body = staff.assistant.post(
        "/webhooks/assist/console/feed?call_id=asr-call-0001&after=0", None, token=token
    )
    assert status == 200 and [s["speaker"] for s in body["segments"]] == ["agent", "caller"]
    other = staff.token("msa-chief")
    assert console(staff, "feed", {"call_id": "asr-call-0001", "text": "x"}, other)[0] == 403


def test_the_console_api_refuses_politely(staff: StaffServer) -> None:
    assert staff.assistant.post("/webhooks/assist/console/analyze", {"text": "你好"})[0] == 401
    status, body = console(staff, "analyze", {"text": "你好"}, staff.token("msa-chief"))
    assert status == 403 and "座席" in body["error"]["message"]
    token = staff.token("agent1")
    assert console(staff, "analyze", b"{oops", token)[0] == 400
    assert console(staff, "analyze", {"text": "长" * 2500}, token)[0] == 413
    assert console(staff, "records/nothing", {}, token)[0] == 404
    status, body = console(staff, "records/escalation", {"call_id": "x"}, token)
    assert status == 422 and body["error"]["message"]


def test_a_web_visitor_who_asks_for_a_person_is_answered_in_their_conversation(staff: StaffServer) -> None:
    answer = web_call(staff.base, "session", {"token": ""})
    visitor = answer.body["token"]
    replies = web_call(staff.base, "message", {"token": visitor, "text": "转人工"}).body["replies"]
    assert any(r["kind"] == "handoff" for r in replies)
    desk = staff.token("desk")
    status, body = staff.assistant.post("/webhooks/staff/handovers", None, token=desk)
    assert status == 200 and body["handovers"], body
    h = body["handovers"][-1]
    assert h["channel"] == "web" and h["state"] == "waiting"
    status, talk = staff.assistant.post(f"/webhooks/staff/handovers/{h['id']}/conversation", None, token=desk)
    assert status == 200 and talk["can_reply"] and any(m.get("text") == "转人工" for m in talk["messages"])
    text = "您好，我是区行政服务中心的工作人员，请问您想办理什么事项？"
    reply = {"text": text, "version": h["version"]}
    status, done = staff.assistant.post(f"/webhooks/staff/handovers/{h['id']}/reply", reply, token=desk)
    assert status == 200 and done["handover"]["state"] == "answered", done
    again = staff.assistant.post(f"/webhooks/staff/handovers/{h['id']}/reply", reply, token=desk)
    assert again[0] == 409  # the page's version is stale now
    history = web_call(staff.base, "history", {"token": visitor}).body["messages"]
    assert history[-1]["reply"]["kind"] == "person_reply" and history[-1]["reply"]["title"] == text
    status, _ = staff.assistant.post("/webhooks/staff/handovers", None, token=staff.token("msa-chief"))
    assert status == 403
