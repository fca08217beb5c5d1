"""The console's decisions without HTTP: who may use it, the work order's one-action buttons (TJ at the
decided tier, XT, SMS to the outbox), idempotence per call, and the speech-recognition feed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.catalog import Catalog
from bot.hotline.console import ConsoleApi
from bot.hotline.order import draft, find_name, find_phone, mask_phone
from bot.hotline.sms import SMS_RECIPIENT
from bot.hotline.transcript import read_call
from bot.inputs import ClientError
from bot.policy import get_policy
from bot.records.clock import LOCAL_TZ, FixedClock
from bot.records.store import RecordStore
from bot.staff.auth import StaffDirectory, StaffUser
from bot.vocabulary import Role, Topic

PASSWORD = "a long enough password"
CALL = "c0ffee00deadbeef"
DISPUTE = (
    "坐席：您好，12345热线。\n市民：我姓陈，窗口话我少咗营业执照复印件，叫我补齐先再嚟，我觉得冇必要。我电话13912345678"
)


@pytest.fixture
def console(engine: Engine, catalog: Catalog) -> ConsoleApi:
    clock = FixedClock(datetime(2026, 11, 30, 9, 0, tzinfo=LOCAL_TZ))
    directory = StaffDirectory(engine, clock)
    directory.add_user("agent1", PASSWORD, Role.AGENT, None)
    directory.add_user("agent2", PASSWORD, Role.AGENT, None)
    directory.add_user("msa-sec", PASSWORD, Role.SECTION, "msa")
    return ConsoleApi(RecordStore(engine, clock), directory, get_policy(), catalog, 2000)


def login(console: ConsoleApi, name: str) -> StaffUser:
    token, _, _ = console.directory.login(name, PASSWORD)
    return console.agent(token, "/console", "test")


def order(**extra: Any) -> bytes:
    body = {"call_id": CALL, "text": DISPUTE, "request_type": "dispute_rejection", "department": "msa", **extra}
    return json.dumps(body, ensure_ascii=False).encode()


def test_only_agents_use_the_console(console: ConsoleApi) -> None:
    assert login(console, "agent1").role == Role.AGENT
    token, _, _ = console.directory.login("msa-sec", PASSWORD)
    with pytest.raises(ClientError) as refused:
        console.agent(token, "/console", "test")
    assert refused.value.status == 403
    with pytest.raises(ClientError) as nobody:
        console.agent(None, "/console", "test")
    assert nobody.value.status == 401
    assert any(a["outcome"] == "forbidden" for a in console.directory.attempts("msa-sec"))


def test_the_escalation_opens_once_per_call_at_the_decided_tier(console: ConsoleApi) -> None:
    agent = login(console, "agent1")
    first = console.open(agent, "escalation", order())
    assert first.status == 201, first.body
    record = first.body["record"]
    assert record["number"].startswith("TJ") and record["tier"] == 2 and "R6" in record["rules"]
    again = console.open(agent, "escalation", order())
    assert again.status == 200 and again.body["record"]["number"] == record["number"]
    stored = console.store.get(record["number"])
    assert stored is not None and stored.channel == "hotline" and stored.departments == ("msa",)
    assert "139****5678" in (stored.summary or "") and "13912345678" not in (stored.summary or "")
    # The agent's answers to the questions override what the text said.
    other = console.open(agent, "escalation", order(call_id="another-call-1", rejecting_tier=2, ground="G4"))
    assert other.body["record"]["tier"] == 3


def test_an_escalation_needs_its_ground_and_never_goes_past_the_district(console: ConsoleApi) -> None:
    agent = login(console, "agent1")
    vague = console.open(agent, "escalation", order(text="我对退件有意见", summary="我对退件有意见"))
    assert vague.status == 422 and vague.body["error"]["code"] == "missing_ground"
    final = console.open(
        agent, "escalation", order(text="x", summary="区里决定不予许可", rejecting_tier=4, ground="G3")
    )
    assert final.status == 422 and "复议" in final.body["error"]["message"]


def test_coordination_and_bad_orders(console: ConsoleApi) -> None:
    agent = login(console, "agent1")
    xt = console.open(agent, "coordination", order(request_type="consult_item", department=""))
    assert xt.status == 201 and xt.body["record"]["number"].startswith("XT")
    assert console.open(agent, "coordination", order(call_id="bad")).status == 422
    assert console.open(agent, "coordination", order(call_id="c2c2c2c2c2", department="nope")).status == 422
    assert console.open(agent, "coordination", order(call_id="c3c3c3c3c3", phone="12345")).status == 422
    assert console.open(agent, "coordination", b"[1]").status == 400


def test_the_sms_goes_to_the_outbox_and_is_shown_masked(console: ConsoleApi, catalog: Catalog) -> None:
    agent = login(console, "agent1")
    item = next(i for i in catalog.items.values() if i.department == "msa")
    sent = console.sms(agent, order(phone="13912345678", request_type="consult_item", item=item.id))
    assert sent.status == 202 and sent.body["to"] == "139****5678"
    assert item.name in sent.body["text"] and "12345" in sent.body["text"]
    pending = console.store.notifications(recipient=SMS_RECIPIENT)
    assert len(pending) == 1 and pending[0]["topic"] == Topic.SMS_REFERRAL
    assert pending[0]["payload"]["phone"] == "13912345678"
    assert console.sms(agent, order(phone="")).status == 422


def test_the_feed_belongs_to_its_agent(console: ConsoleApi) -> None:
    one, two = login(console, "agent1"), login(console, "agent2")
    body = {"call_id": CALL, "speaker": "caller", "text": "窗口唔收我份材料"}
    assert console.push(one, json.dumps(body, ensure_ascii=False).encode()).status == 201
    assert console.push(one, json.dumps({**body, "speaker": "robot"}).encode()).status == 422
    read = console.segments(one, CALL, "0").body["segments"]
    assert [s["text"] for s in read] == ["窗口唔收我份材料"] and read[0]["speaker"] == "caller"
    assert console.segments(one, CALL, str(read[0]["id"])).body["segments"] == []
    assert console.segments(two, CALL, "0").body["segments"] == []


def test_the_view_weighs_the_caller_and_drafts_the_order(console: ConsoleApi) -> None:
    call = read_call(DISPUTE)
    api = {
        "request_type": "dispute_rejection",
        "departments": [{"code": "msa", "name": "市场监管", "score": 0.9}],
        "items": [],
        "escalation": None,
        "missing_facts": ["rejecting_tier"],
        "town": None,
        "evidence": {"msa": ["named:市场监管"]},
    }
    view = console.view(call, api)
    assert view["call"]["summary"].startswith("只分析来电人的话") and "13912345678" not in view["call"]["caller_text"]
    assert view["departments"][0]["evidence"] == ["提到“市场监管”"]
    assert [q["fact"] for q in view["questions"]] == ["rejecting_tier"]  # the phone was said
    assert view["draft"]["department"] == "msa" and view["draft"]["phone_masked"] == "139****5678"
    assert view["draft"]["name"] == "陈" and view["script"]


def test_order_helpers() -> None:
    assert find_phone("电话 139-1234-5678") == "13912345678"
    assert find_phone("打 0757-86281234 都得") == "075786281234"
    assert find_name("叫我李小姐就得") == "李小姐" and find_name("免贵姓梁") == "梁" and find_name("你好") == ""
    assert mask_phone("13912345678") == "139****5678" and mask_phone(None) == ""
    assert draft("你好", {"departments": [], "items": []})["department"] == ""
