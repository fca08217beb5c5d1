"""The staff JSON API as plain Python: requests in, (status, body) out. The Sanic channel only
routes HTTP to these methods, so they are tested without a server and the server tests check the
wiring."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.catalog import Catalog
from bot.inputs import ClientError, ascii_int, parse_json_object
from bot.policy.model import Policy
from bot.records import dashboard, kpis
from bot.records.clock import local_date
from bot.records.escalations import EscalationDesk
from bot.records.numbers import normalise
from bot.records.store import OPEN_STATES, RecordError, RecordStore, RecordView, StaleRecord
from bot.request_types import REQUEST_TYPE_NAMES, REQUEST_TYPE_ORDER
from bot.staff.access import ACTIONS, in_queue, may_act, may_view
from bot.staff.auth import StaffDirectory, StaffUser
from bot.staff.handovers import Handover, HandoverConflict, HandoverDesk
from bot.vocabulary import GROUND_PLAIN, GROUNDS, RECORD_NAMES, ROLE_NAMES, STATE_NAMES, RecordKind, RecordState, Role

logger = logging.getLogger(__name__)
MAX_BODY = 16 * 1024


@dataclass(frozen=True)
class Response:
    status: int
    body: Any  # JSON-serialisable, or str for CSV
    content_type: str = "application/json"


def _error(status: int, code: str, message: str) -> Response:
    """A refusal in the one error shape every door uses (bot.inputs.ClientError)."""
    return _refused(ClientError(status, code, message))


def _refused(exc: ClientError) -> Response:
    return Response(exc.status, exc.body())


def _json(body: bytes) -> dict[str, Any]:
    return parse_json_object(body, MAX_BODY, empty_ok=True)


def _version(data: dict[str, Any]) -> int | None:
    """The version of the record the page showed (pages always send it; older API clients may not)."""
    raw = data.get("version")
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ClientError(400, "bad_request", "version 应为整数（页面加载时记录的版本）。")
    return raw


def stale(record: RecordView) -> ClientError:
    """The refusal of an action on a record that changed since the page showed it."""
    return ClientError(
        409,
        "stale",
        f"{record.number} 在您打开页面后已被更新（现在的状态：{STATE_NAMES.get(record.state, record.state)}），"
        "本次操作没有执行。请刷新页面，查看最新情况后再办理。",
    )


class StaffApi:
    def __init__(self, store: RecordStore, directory: StaffDirectory, policy: Policy, catalog: Catalog) -> None:
        self.store = store
        self.directory = directory
        self.policy = policy
        self.catalog = catalog
        self.escalations = EscalationDesk(store, policy)
        self.handovers = HandoverDesk(store.engine, store.clock)

    # --- entry points -------------------------------------------------------------------------

    def login(self, body: bytes, client: str) -> Response:
        try:
            data = _json(body)
            username, password = data.get("username"), data.get("password")
            if not isinstance(username, str) or not isinstance(password, str):
                return _error(400, "bad_request", "请提供用户名和密码。")
            token, expires, user = self.directory.login(username, password, client)
        except ClientError as exc:
            return _refused(exc)
        return Response(200, {"token": token, "expires_at": expires.isoformat(), "user": self._user(user)})

    def handle(
        self,
        method: str,
        path: str,
        token: str | None,
        body: bytes,
        client: str,
        query: Mapping[str, str] | None = None,
    ) -> Response:
        """Every authenticated request: authenticate, route, check the role, act."""
        parts = [p for p in path.strip("/").split("/") if p]
        try:
            user = self.directory.user_for(token, path, client)
            if method == "GET" and parts == ["dashboard"]:
                return self._dashboard(user, dict(query or {}), path, client)
            return self._route(method, parts, user, token or "", body, client, path)
        except ClientError as exc:
            return _refused(exc)

    # --- what the channel adapter does with conversations (the tracker store is Rasa's) ------------

    def record_conversation(self, token: str | None, number: str, path: str, client: str) -> RecordView:
        """The record whose applicant's conversation may be read by this user (401/403/404 otherwise)."""
        user = self.directory.user_for(token, path, client)
        record = self.store.get(normalise(number))
        if record is None:
            raise ClientError(404, "not_found", f"没有编号为 {number} 的记录。")
        if not may_view(user, record):
            self.directory.log(user.username, "forbidden", path, client)
            raise ClientError(403, "forbidden", "您的岗位无权查看或办理此项。")
        return record

    def handover_for(
        self, token: str | None, handover_id: str, path: str, client: str, version: int | None = None
    ) -> tuple[StaffUser, Handover]:
        """A handover the first unit's desk may read or answer (and, given ``version``, still as seen)."""
        user = self.directory.user_for(token, path, client)
        if user.role != Role.FIRST_UNIT:
            self.directory.log(user.username, "forbidden", path, client)
            raise ClientError(403, "forbidden", "转人工会话由首咨窗口答复，您的岗位无权查看。")
        hid = ascii_int(handover_id)
        found = self.handovers.get(hid) if hid is not None else None
        if found is None:
            raise ClientError(404, "not_found", "没有这个转人工会话。")
        if version is not None:
            try:
                self.handovers.check(found, version)
            except HandoverConflict as exc:
                raise ClientError(409, "stale", str(exc)) from exc
        return user, found

    def handover_answered(self, user: StaffUser, handover: Handover, deliver: dict[str, str] | None = None) -> Response:
        try:
            done = self.handovers.answered(handover.id, user.actor, handover.version, deliver)
        except HandoverConflict as exc:
            return _error(409, "stale", str(exc))
        return Response(200, {"handover": done.as_api()})

    def _dashboard(self, user: StaffUser, query: dict[str, str], path: str, client: str) -> Response:
        if user.role != Role.DISTRICT:
            return self._forbid(user, path, client)
        try:
            first, last = dashboard.period(query.get("from"), query.get("to"), local_date(self.store.clock.now()))
        except ValueError as exc:
            message = str(exc) if "日期" in str(exc) or "期间" in str(exc) else "日期格式应为 YYYY-MM-DD。"
            return _error(400, "bad_period", message)
        data = dashboard.compute(self.store, first, last)
        names = {code: d.short for code, d in self.catalog.departments.items()}
        data["department_names"] = names
        data["tier_names"] = {str(k): v for k, v in self.policy.tier_names.items()}
        return Response(200, data)

    # --- routing ------------------------------------------------------------------------------

    def _route(
        self, method: str, parts: list[str], user: StaffUser, token: str, body: bytes, client: str, path: str
    ) -> Response:
        if method == "GET" and parts == ["me"]:
            return Response(200, self._user(user))
        if method == "POST" and parts == ["logout"]:
            self.directory.logout(token)
            return Response(200, {"ok": True})
        if method == "GET" and parts == ["options"]:
            return Response(200, self._options())
        if method == "GET" and parts == ["queue"]:
            now = self.store.clock.now()
            return Response(
                200,
                {
                    "records": [self._record(r) for r in self._queue(user)],
                    "now": now.isoformat(),
                    "today": local_date(now).isoformat(),
                },
            )
        if parts and parts[0] == "handovers":
            return self._handovers(method, parts, user, body, path, client)
        if method == "GET" and parts in (["overdue"], ["audit"], ["kpis"]):
            if user.role != Role.DISTRICT:
                return self._forbid(user, path, client)
            if parts == ["overdue"]:
                return Response(200, {"records": [self._record(r) for r in self.escalations.overdue()]})
            if parts == ["kpis"]:
                return Response(200, kpis.compute(self.store))
            return Response(200, self._audit_csv(), "text/csv; charset=utf-8")
        if len(parts) >= 2 and parts[0] == "records":
            record = self.store.get(normalise(parts[1][:32]))
            if record is None or not may_view(user, record):
                # The same answer for "no such record" and "not yours": a 403 would tell which numbers exist.
                if record is not None:
                    self.directory.log(user.username, "forbidden", path, client)
                return _error(404, "not_found", "没有这个编号的记录，或不在您的办理范围内。")
            if method == "GET" and len(parts) == 2:
                return Response(200, self._full(user, record))
            if method == "POST" and len(parts) == 3:
                return self._act(user, parts[2], record, _json(body), path, client)
        return _error(404, "not_found", "没有这个接口。")

    def _handovers(
        self, method: str, parts: list[str], user: StaffUser, body: bytes, path: str, client: str
    ) -> Response:
        if user.role != Role.FIRST_UNIT:
            return self._forbid(user, path, client)
        if method == "GET" and len(parts) == 1:
            return Response(200, {"handovers": [h.as_api() for h in self.handovers.waiting()]})
        if len(parts) == 2 and method == "GET":
            hid = ascii_int(parts[1])
            found = self.handovers.get(hid) if hid is not None else None
            if found is None:
                return _error(404, "not_found", "没有这个转人工会话。")
            return Response(200, {"handover": found.as_api()})
        if len(parts) == 3 and method == "POST" and parts[2] == "close" and ascii_int(parts[1]) is not None:
            try:
                done = self.handovers.close(int(parts[1]), user.actor, _version(_json(body)))
            except HandoverConflict as exc:
                return _error(409, "stale", str(exc))
            return Response(200, {"handover": done.as_api()})
        return _error(404, "not_found", "没有这个接口。")

    def _forbid(self, user: StaffUser, path: str, client: str) -> Response:
        self.directory.log(user.username, "forbidden", path, client)
        return _error(403, "forbidden", "您的岗位无权查看或办理此项。")

    def _queue(self, user: StaffUser) -> list[RecordView]:
        return [r for r in self.store.list_records(states=OPEN_STATES) if in_queue(user, r)]

    def _act(
        self, user: StaffUser, action: str, record: RecordView, data: dict[str, Any], path: str, client: str
    ) -> Response:
        if not may_act(user, action, record):
            return self._forbid(user, path, client)
        reason = str(data.get("reason") or "").strip()[:500]
        seen = _version(data)
        if seen is not None and seen != record.version:
            return _refused(stale(record))
        try:
            if action == "acknowledge":
                done = self.escalations.acknowledge(
                    record.number, user.actor, reason or "已确认收到，审查中", expect_version=seen
                )
            elif action == "decide":
                outcome = {"uphold": RecordState.UPHELD, "overturn": RecordState.OVERTURNED}.get(
                    str(data.get("decision"))
                )
                if outcome is None:
                    return _error(400, "bad_request", "decision 应为 uphold（维持）或 overturn（撤销）。")
                done = self.escalations.decide(record.number, user.actor, outcome, reason, expect_version=seen)
            elif action == "escalate":
                if not reason:
                    return _error(400, "bad_request", "提级须写明理由。")
                done = self.escalations.escalate(record.number, user.actor, reason, rule="R6", expect_version=seen)
            elif action == "accept":
                dept = user.department if user.role == Role.SECTION else str(data.get("department") or "")
                if dept not in self.catalog.departments:
                    return _error(400, "bad_request", "请指明接收的部门（department 代码）。")
                done = self.store.transition(
                    record.number,
                    RecordState.ACCEPTED,
                    actor=user.actor,
                    reason=reason or "协商受理",
                    rule="R2",
                    accepted_by=dept,
                    expect_version=seen,
                )
            elif action == "contact":
                done = self.store.transition(
                    record.number,
                    RecordState.CONTACTED,
                    actor=user.actor,
                    reason=reason or "已回访",
                    expect_version=seen,
                )
            else:  # close
                if not reason:
                    return _error(400, "bad_request", "办结须写明结果。")
                done = self.store.transition(
                    record.number, RecordState.CLOSED, actor=user.actor, reason=reason, expect_version=seen
                )
        except StaleRecord:
            latest = self.store.get(record.number)
            return _refused(stale(latest or record))
        except RecordError as exc:
            latest = self.store.get(record.number)
            if seen is not None and latest is not None and latest.version != seen:
                return _refused(stale(latest))
            return _error(409, "conflict", str(exc))
        logger.info("%s %s %s → %s", user.actor, action, record.number, done.state)
        return Response(200, self._full(user, done))

    # --- views --------------------------------------------------------------------------------

    def _full(self, user: StaffUser, record: RecordView) -> dict[str, Any]:
        """A record page: the record, its audit trail, the rules cited and what this user may do."""
        out = self._record(record, events=True)
        rules = [str(r) for r in (record.facts or {}).get("rules") or []]
        rules += [e.rule for e in record.events if e.rule]
        cited = [x.strip() for r in rules for x in r.split(",") if x.strip()]
        out["rules_cited"] = [{"id": r, "text": self.policy.rule_text.get(r, "")} for r in dict.fromkeys(cited)]
        out["allowed"] = [a for a in ACTIONS.get(record.kind, ()) if record.open and may_act(user, a, record)]
        facts = record.facts or {}
        ground = facts.get("ground_decided") or facts.get("ground")
        out["ground_name"] = self.policy.grounds[ground].name if ground in self.policy.grounds else None
        item = self.catalog.items.get(record.item_id or "")
        out["item_name"] = item.name if item else None
        return out

    def _options(self) -> dict[str, Any]:
        """Names the pages show in their lists (departments, towns, request types, tiers, grounds)."""
        depts = self.catalog.departments
        return {
            "departments": [{"code": c, "name": d.name, "short": d.short} for c, d in depts.items()],
            "towns": list(self.catalog.towns),
            "request_types": [{"value": str(t), "name": REQUEST_TYPE_NAMES[t]} for t in REQUEST_TYPE_ORDER],
            "tiers": [{"value": t, "name": n} for t, n in sorted(self.policy.tier_names.items())],
            "grounds": [
                {"value": str(g), "name": self.policy.grounds[g].name, "plain": GROUND_PLAIN[g]} for g in GROUNDS
            ],
            "states": [{"value": str(k), "name": v} for k, v in STATE_NAMES.items()],
            "kinds": [{"value": str(k), "name": v} for k, v in RECORD_NAMES.items()],
            "roles": [{"value": str(k), "name": v} for k, v in ROLE_NAMES.items()],
        }

    def _user(self, user: StaffUser) -> dict[str, Any]:
        dept = self.catalog.departments.get(user.department or "")
        return {
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
            "role_name": ROLE_NAMES.get(user.role, user.role),
            "tier": user.tier,
            "department": user.department,
            "department_name": dept.name if dept else None,
        }

    def _record(self, r: RecordView, events: bool = False) -> dict[str, Any]:
        today = local_date(self.store.clock.now())
        deadline = r.next_deadline()
        out: dict[str, Any] = {
            "number": r.number,
            "kind": r.kind,
            "kind_name": RecordKind(r.kind).display,
            "state": r.state,
            "state_name": STATE_NAMES.get(r.state, r.state),
            "channel": r.channel,
            "actions": [a for a in ACTIONS.get(r.kind, ()) if r.open],
            "tier": r.tier,
            "tier_name": self.policy.tier_names.get(r.tier) if r.tier else None,
            "departments": list(r.departments),
            "accepted_by": r.accepted_by,
            "item": r.item_id,
            "reason": r.reason,
            "facts": r.facts,
            "summary": r.summary,
            "first_unit": r.first_unit,
            "ack_due_on": r.ack_due_on.isoformat() if r.ack_due_on else None,
            "due_on": r.due_on.isoformat(),
            "next_deadline": deadline.isoformat() if deadline else None,
            "overdue": r.overdue(today),
            "created_at": r.created_at.isoformat(),
            "updated_at": r.updated_at.isoformat(),
            "version": r.version,
        }
        if events:
            out["events"] = [
                {
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "from_state": e.from_state,
                    "to_state": e.to_state,
                    "from_state_name": STATE_NAMES.get(e.from_state, e.from_state) if e.from_state else None,
                    "to_state_name": STATE_NAMES.get(e.to_state, e.to_state),
                    "reason": e.reason,
                    "rule": e.rule,
                }
                for e in r.events
            ]
        return out

    def _audit_csv(self) -> str:
        rows = self.store.export_events()
        buf = io.StringIO()
        fields = ["number", "at", "actor", "action", "from_state", "to_state", "reason", "rule"]
        writer = csv.DictWriter(buf, fieldnames=fields)
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
        return buf.getvalue()


# A cell starting with one of these is a formula to a spreadsheet (CSV injection, OWASP): prefixed with '.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_START):
        return "'" + value
    return value
