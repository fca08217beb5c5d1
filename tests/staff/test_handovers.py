"""转人工: one open handover per conversation, worked by the first unit's desk only, on the version seen."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy.engine import Engine

from bot.catalog import Catalog
from bot.inputs import ClientError
from bot.policy import get_policy
from bot.records.clock import LOCAL_TZ, FixedClock
from bot.records.store import RecordStore
from bot.staff.auth import StaffDirectory
from bot.staff.handovers import HandoverConflict, HandoverDesk, asked_for_person
from bot.staff.service import StaffApi

PASSWORD = "a long enough password"


@pytest.fixture
def api(engine: Engine, catalog: Catalog) -> StaffApi:
    clock = FixedClock(datetime(2026, 11, 30, 9, 0, tzinfo=LOCAL_TZ))
    directory = StaffDirectory(engine, clock)
    directory.add_user("centre", PASSWORD, "first_unit", None)
    directory.add_user("hcw-sec", PASSWORD, "section", "hcw")
    return StaffApi(RecordStore(engine, clock), directory, get_policy(), catalog)


def token(api: StaffApi, name: str) -> str:
    return api.directory.login(name, PASSWORD)[0]


def test_asking_twice_queues_once_and_masks_the_excerpt(api: StaffApi) -> None:
    desk: HandoverDesk = api.handovers
    one = desk.request("conv-1", "web", "南海区行政服务中心", "转人工，我电话13912345678")
    two = desk.request("conv-1", "web", "南海区行政服务中心", "转人工")
    assert one.id == two.id and two.version == one.version + 1
    assert "139****5678" in (one.excerpt or "")
    assert [h.id for h in desk.waiting()] == [one.id]


def test_the_desk_answers_and_closes_on_the_version_it_saw(api: StaffApi) -> None:
    h = api.handovers.request("conv-2", "web", "南海区行政服务中心", "转人工")
    t = token(api, "centre")
    listed = api.handle("GET", "handovers", t, b"", "x").body["handovers"]
    assert [x["id"] for x in listed] == [h.id] and listed[0]["state_name"] == "等待人工答复"
    user, found = api.handover_for(t, str(h.id), "/handovers", "x", h.version)
    done = api.handover_answered(user, found)
    assert done.status == 200 and done.body["handover"]["state"] == "answered"
    with pytest.raises(ClientError) as stale:
        api.handover_for(t, str(h.id), "/handovers", "x", h.version)
    assert stale.value.status == 409
    closing = api.handle("POST", f"handovers/{h.id}/close", t, json.dumps({"version": h.version}).encode(), "x")
    assert closing.status == 409
    closed = api.handle("POST", f"handovers/{h.id}/close", t, json.dumps({"version": h.version + 1}).encode(), "x")
    assert closed.status == 200 and api.handovers.waiting() == []
    with pytest.raises(HandoverConflict):
        api.handovers.answered(h.id, "staff:centre", None)


def test_only_the_first_unit_reads_handovers(api: StaffApi) -> None:
    h = api.handovers.request("conv-3", "web", "南海区行政服务中心", "转人工")
    t = token(api, "hcw-sec")
    assert api.handle("GET", "handovers", t, b"", "x").status == 403
    with pytest.raises(ClientError) as refused:
        api.handover_for(t, str(h.id), "/handovers", "x")
    assert refused.value.status == 403
    with pytest.raises(ClientError) as missing:
        api.handover_for(token(api, "centre"), "999", "/handovers", "x")
    assert missing.value.status == 404


def test_a_handoff_reply_is_what_marks_a_request_for_a_person(catalog: Catalog) -> None:
    from bot.conversation.replies import greeting, handoff

    assert asked_for_person([handoff(catalog).as_dict()])
    assert not asked_for_person([greeting().as_dict()])


def test_a_wechat_answer_is_queued_with_the_change_and_claimed_once(api: StaffApi) -> None:
    desk: HandoverDesk = api.handovers
    openid = "oAbCdEfGhIjKlMnOpQrStUvWxYz1"
    h = desk.request(openid, "wechat", "南海区行政服务中心", "转人工")
    done = desk.answered(h.id, "first_unit:centre", h.version, {"text": "您好，请讲", "signed": "窗口 小李"})
    assert done.state == "answered"
    with pytest.raises(HandoverConflict):  # the old version: no second answer, nothing queued
        desk.answered(h.id, "first_unit:centre", h.version, {"text": "again", "signed": "x"})
    first = api.store.claim_for_conversations("wechat")
    assert [(r["conversation_id"], r["payload"]["text"]) for r in first] == [(openid, "您好，请讲")]
    assert api.store.claim_for_conversations("wechat") == []  # claimed: another instance gets nothing
    assert api.store.claim_for_conversations("web") == []
