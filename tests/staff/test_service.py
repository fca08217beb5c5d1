"""The staff API's decisions without HTTP: queues by role, actions, refusals, KPIs, the audit export."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy.engine import Engine

from bot.catalog import Catalog
from bot.policy import get_policy
from bot.policy.engine import Facts, decide
from bot.records.clock import LOCAL_TZ, FixedClock
from bot.records.escalations import EscalationDesk
from bot.records.store import MatterRef, RecordStore
from bot.staff.auth import StaffDirectory
from bot.staff.service import Response, StaffApi

PASSWORD = "a long enough password"
ROLES = {
    "hcw-sec": ("section", "hcw"),
    "msa-sec": ("section", "msa"),
    "hcw-lead": ("leadership", "hcw"),
    "district": ("district", None),
    "centre": ("first_unit", None),
}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 30, 9, 0, tzinfo=LOCAL_TZ))


@pytest.fixture
def api(engine: Engine, clock: FixedClock, catalog: Catalog) -> StaffApi:
    directory = StaffDirectory(engine, clock)
    for name, (role, dept) in ROLES.items():
        directory.add_user(name, PASSWORD, role, dept)
    return StaffApi(RecordStore(engine, clock), directory, get_policy(), catalog)


def _token(api: StaffApi, user: str) -> str:
    """One login per user and test (Argon2id costs ~0.1 s by design)."""
    tokens: dict[str, str] = api.__dict__.setdefault("_test_tokens", {})
    if user not in tokens:
        r = api.login(json.dumps({"username": user, "password": PASSWORD}).encode(), "test")
        assert r.status == 200, r.body
        tokens[user] = str(r.body["token"])
    return tokens[user]


def _escalate(api: StaffApi, facts: Facts, conversation: str, dept: str = "hcw") -> str:
    desk = EscalationDesk(api.store, api.policy)
    record, _ = desk.open(
        MatterRef(conversation, "rest", 1), facts, decide(facts, api.policy), item_id=None, department=dept, summary="x"
    )
    return record.number


def _call(api: StaffApi, user: str | None, method: str, path: str, body: object = None) -> Response:
    token = _token(api, user) if user else None
    raw = json.dumps(body).encode() if body is not None else b""
    return api.handle(method, path, token, raw, "test")


def test_each_tier_sees_its_own_queue(api: StaffApi) -> None:
    t2 = _escalate(api, Facts(rejecting_tier=1, ground="G1"), "a")  # → tier 2
    t3 = _escalate(api, Facts(rejecting_tier=2, ground="G3"), "b")  # → tier 3
    t4 = _escalate(api, Facts(rejecting_tier=3, ground="G5"), "c")  # → tier 4
    other = _escalate(api, Facts(rejecting_tier=1, ground="G1"), "d", dept="msa")

    def queue(user: str) -> list[str]:
        r = _call(api, user, "GET", "queue")
        assert r.status == 200
        return [rec["number"] for rec in r.body["records"]]

    assert queue("hcw-sec") == [t2]
    assert queue("msa-sec") == [other]
    assert queue("hcw-lead") == [t3]
    assert queue("district") == [t4]
    assert queue("centre") == []


def test_acknowledge_and_decide_with_the_right_role_only(api: StaffApi) -> None:
    number = _escalate(api, Facts(rejecting_tier=1, ground="G1"), "a")
    # Another department's record answers as if it did not exist (404, not 403: numbers stay private).
    assert _call(api, "msa-sec", "POST", f"records/{number}/acknowledge").status == 404
    assert _call(api, "hcw-lead", "POST", f"records/{number}/acknowledge").status == 403
    hidden, missing = (
        _call(api, "msa-sec", "GET", f"records/{number}"),
        _call(api, "msa-sec", "GET", "records/TJ209901010001"),
    )
    assert hidden.status == missing.status == 404 and hidden.body == missing.body
    ok = _call(api, "hcw-sec", "POST", f"records/{number}/acknowledge", {"reason": "收到"})
    assert ok.status == 200 and ok.body["state"] == "acknowledged"
    assert _call(api, "hcw-sec", "POST", f"records/{number}/decide", {"decision": "maybe"}).status == 400
    assert _call(api, "hcw-sec", "POST", f"records/{number}/decide", {"decision": "overturn"}).status == 409
    done = _call(api, "hcw-sec", "POST", f"records/{number}/decide", {"decision": "overturn", "reason": "材料齐全"})
    assert done.status == 200 and done.body["state"] == "overturned"
    assert [e["actor"] for e in done.body["events"]] == ["assistant", "staff:hcw-sec", "staff:hcw-sec"]
    again = _call(api, "hcw-sec", "POST", f"records/{number}/acknowledge")
    assert again.status in (403, 409)
    forbidden = [a for a in api.directory.attempts() if a["outcome"] == "forbidden"]
    assert len(forbidden) >= 3


def test_passing_up_a_tier_needs_a_reason_and_moves_the_queue(api: StaffApi) -> None:
    number = _escalate(api, Facts(rejecting_tier=1, ground="G1"), "a")
    assert _call(api, "hcw-sec", "POST", f"records/{number}/escalate").status == 400
    moved = _call(api, "hcw-sec", "POST", f"records/{number}/escalate", {"reason": "涉及政策理解，需班子研究"})
    assert moved.status == 200 and moved.body["tier"] == 3
    assert [r["number"] for r in _call(api, "hcw-lead", "GET", "queue").body["records"]] == [number]


def test_missing_bad_and_malformed_requests(api: StaffApi) -> None:
    assert api.handle("GET", "queue", None, b"", "x").status == 401
    assert api.handle("GET", "queue", "forged-token", b"", "x").status == 401
    assert api.login(b"{not json", "x").status == 400
    assert api.login(json.dumps({"username": "hcw-sec", "password": "nope"}).encode(), "x").status == 401
    token = _token(api, "hcw-sec")
    assert api.handle("POST", "records/XT209901010001/close", token, b"{}", "x").status == 404
    assert api.handle("GET", "nothing/here", token, b"", "x").status == 404
    number = _escalate(api, Facts(rejecting_tier=1, ground="G1"), "a")
    assert api.handle("POST", f"records/{number}/acknowledge", token, b"[1, 2]", "x").status == 400
    assert api.handle("GET", "kpis", token, b"", "x").status == 403


def test_district_oversight_overdue_kpis_and_audit(api: StaffApi, clock: FixedClock) -> None:
    number = _escalate(api, Facts(rejecting_tier=1, ground="G1"), "a")
    clock.advance(days=5)
    overdue = _call(api, "district", "GET", "overdue")
    assert overdue.status == 200 and [r["number"] for r in overdue.body["records"]] == [number]
    kpis = _call(api, "district", "GET", "kpis")
    assert kpis.status == 200 and kpis.body["escalations"]["total"] == 1
    assert kpis.body["escalations"]["overdue"] == 1
    audit = _call(api, "district", "GET", "audit")
    assert audit.status == 200 and audit.content_type.startswith("text/csv")
    assert audit.body.splitlines()[0] == "number,at,actor,action,from_state,to_state,reason,rule"
    assert number in audit.body


def test_coordination_is_accepted_by_the_named_department(api: StaffApi) -> None:
    record, _ = api.store.open_record(
        "coordination", MatterRef("c", "rest", 1), reason="refused", departments=["hcw", "msa"], due_in=2
    )
    assert [r["number"] for r in _call(api, "msa-sec", "GET", "queue").body["records"]] == [record.number]
    accepted = _call(api, "msa-sec", "POST", f"records/{record.number}/accept", {"reason": "由我局受理"})
    assert accepted.status == 200 and accepted.body["accepted_by"] == "msa"
    assert _call(api, "hcw-sec", "POST", f"records/{record.number}/close", {"reason": "x"}).status == 403
    closed = _call(api, "centre", "POST", f"records/{record.number}/close", {"reason": "已办结并回复申请人"})
    assert closed.status == 200 and closed.body["state"] == "closed"


def test_an_action_on_a_record_changed_since_the_page_loaded_is_refused(api: StaffApi) -> None:
    number = _escalate(api, Facts(rejecting_tier=1, ground="G1"), "stale")
    seen = _call(api, "hcw-sec", "GET", f"records/{number}").body
    assert seen["allowed"] == ["acknowledge", "decide", "escalate"] and seen["rules_cited"][0]["id"] == "R6"
    first = _call(api, "hcw-sec", "POST", f"records/{number}/acknowledge", {"version": seen["version"]})
    assert first.status == 200 and first.body["version"] == seen["version"] + 1
    late = _call(
        api,
        "hcw-sec",
        "POST",
        f"records/{number}/decide",
        {"decision": "uphold", "reason": "x", "version": seen["version"]},
    )
    assert late.status == 409 and late.body["error"]["code"] == "stale"
    assert "已被更新" in late.body["error"]["message"] and "刷新" in late.body["error"]["message"]
    assert api.store.get(number).state == "acknowledged"  # type: ignore[union-attr]
    bad = _call(api, "hcw-sec", "POST", f"records/{number}/decide", {"decision": "uphold", "version": "1"})
    assert bad.status == 400


def test_agents_have_no_queue_and_see_no_records(api: StaffApi) -> None:
    api.directory.add_user("agent1", PASSWORD, "agent", None)
    number = _escalate(api, Facts(rejecting_tier=1, ground="G1"), "x")
    assert _call(api, "agent1", "GET", "queue").body["records"] == []
    assert _call(api, "agent1", "GET", f"records/{number}").status == 404  # out of reach reads as absent
    assert _call(api, "agent1", "GET", "dashboard").status == 403
    assert _call(api, "agent1", "GET", "handovers").status == 403
    assert _call(api, "agent1", "GET", "me").body["role_name"] == "12345 热线座席"


def test_the_dashboard_counts_the_period(api: StaffApi, clock: FixedClock) -> None:
    number = _escalate(api, Facts(rejecting_tier=1, ground="G1"), "dash")
    _call(api, "hcw-sec", "POST", f"records/{number}/decide", {"decision": "overturn", "reason": "材料齐全"})
    token = _token(api, "district")
    r = api.handle("GET", "dashboard", token, b"", "t", {"from": "2026-11-01", "to": "2026-11-30"})
    assert r.status == 200
    e = r.body["escalations"]
    assert e["total"] == 1 and e["by_tier"] == {"2": 1} and e["by_department"] == {"hcw": 1}
    assert e["overturned_rate"] == 1.0 and r.body["department_names"]["hcw"]
    before = api.handle("GET", "dashboard", token, b"", "t", {"from": "2026-10-01", "to": "2026-10-31"})
    assert before.body["escalations"]["total"] == 0
    assert api.handle("GET", "dashboard", token, b"", "t", {"from": "2026-12-01", "to": "2026-11-01"}).status == 400
    assert api.handle("GET", "dashboard", token, b"", "t", {"from": "yesterday"}).status == 400
    assert _call(api, "hcw-sec", "GET", "dashboard").status == 403


def test_options_name_what_the_pages_list(api: StaffApi) -> None:
    opts = _call(api, "centre", "GET", "options").body
    assert {d["code"] for d in opts["departments"]} >= {"hcw", "msa"}
    assert [t["value"] for t in opts["tiers"]] == [1, 2, 3, 4] and len(opts["grounds"]) == 5


def test_audit_csv_cells_cannot_become_spreadsheet_formulas(api: StaffApi) -> None:
    number = _escalate(api, Facts(rejecting_tier=1, ground="G1"), "f")
    hostile = '=HYPERLINK("http://evil","点我")'
    assert _call(api, "hcw-sec", "POST", f"records/{number}/acknowledge", {"reason": hostile}).status == 200
    audit = _call(api, "district", "GET", "audit").body
    assert "'=HYPERLINK" in audit and ",=HYPERLINK" not in audit and ',"=HYPERLINK' not in audit


def test_first_unit_staff_see_only_their_units_records(api: StaffApi) -> None:
    api.directory.add_user("town-desk", PASSWORD, "first_unit", None, "桂城窗口", unit="桂城街道行政服务中心")
    centre_store = api.store
    record, _ = centre_store.open_record(
        "coordination", MatterRef("u1", "rest", 1), reason="unclear", departments=["hcw"], due_in=2
    )  # opened by the default first unit (the district centre)
    assert record.first_unit == "南海区行政服务中心"
    assert _call(api, "centre", "GET", f"records/{record.number}").status == 200
    assert _call(api, "town-desk", "GET", f"records/{record.number}").status == 404
    assert _call(api, "town-desk", "GET", "queue").body["records"] == []


def test_staff_actions_check_the_version_they_saw(api: StaffApi) -> None:
    number = _escalate(api, Facts(rejecting_tier=1, ground="G1"), "v")
    seen = _call(api, "hcw-sec", "GET", f"records/{number}").body["version"]
    assert _call(api, "hcw-sec", "POST", f"records/{number}/acknowledge", {"version": seen}).status == 200
    stale = _call(
        api, "hcw-sec", "POST", f"records/{number}/decide", {"decision": "uphold", "reason": "x", "version": seen}
    )
    assert stale.status == 409 and stale.body["error"]["code"] == "stale"
    assert (
        _call(api, "hcw-sec", "POST", f"records/{number}/decide", {"decision": "uphold", "version": "2"}).status == 400
    )


@pytest.mark.parametrize(
    "path", ["records/" + "9" * 5000, "records/\x00", "records/\ud800/close", "\x00" * 300, "records/XT/../../etc"]
)
def test_hostile_paths_get_4xx(api: StaffApi, path: str) -> None:
    assert 400 <= _call(api, "centre", "GET", path).status < 500
    assert 400 <= _call(api, "centre", "POST", path, {"reason": "\ud800"}).status < 500
