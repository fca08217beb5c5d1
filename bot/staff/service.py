"""The staff JSON API as plain Python: requests in, (status, body) out. The Sanic channel only
routes HTTP to these methods, so they are tested without a server and the server tests check the
wiring."""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from typing import Any

from bot.catalog import Catalog
from bot.inputs import ClientError, parse_json_object
from bot.policy.model import Policy
from bot.records import kpis
from bot.records.clock import local_date
from bot.records.escalations import EscalationDesk
from bot.records.numbers import normalise
from bot.records.store import OPEN_STATES, RecordError, RecordStore, RecordView, StaleRecord
from bot.staff.access import in_queue, may_act, may_view
from bot.staff.auth import StaffDirectory, StaffUser
from bot.vocabulary import STATE_NAMES, RecordState, Role

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


class StaffApi:
    def __init__(self, store: RecordStore, directory: StaffDirectory, policy: Policy, catalog: Catalog) -> None:
        self.store = store
        self.directory = directory
        self.policy = policy
        self.catalog = catalog
        self.escalations = EscalationDesk(store, policy)

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

    def handle(self, method: str, path: str, token: str | None, body: bytes, client: str) -> Response:
        """Every authenticated request: authenticate, route, check the role, act."""
        parts = [p for p in path.strip("/").split("/") if p]
        try:
            user = self.directory.user_for(token, path, client)
            return self._route(method, parts, user, token or "", body, client, path)
        except ClientError as exc:
            return _refused(exc)

    # --- routing ------------------------------------------------------------------------------

    def _route(
        self, method: str, parts: list[str], user: StaffUser, token: str, body: bytes, client: str, path: str
    ) -> Response:
        if method == "GET" and parts == ["me"]:
            return Response(200, self._user(user))
        if method == "POST" and parts == ["logout"]:
            self.directory.logout(token)
            return Response(200, {"ok": True})
        if method == "GET" and parts == ["queue"]:
            return Response(200, {"records": [self._record(r) for r in self._queue(user)]})
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
                return Response(200, self._record(record, events=True))
            if method == "POST" and len(parts) == 3:
                return self._act(user, parts[2], record, _json(body), path, client)
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
        # The version the clerk saw: the change applies only if nobody changed the record since (else 409).
        version = data.get("version")
        if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
            return _error(400, "bad_request", "version 应为整数（记录的版本号）。")
        try:
            if action == "acknowledge":
                done = self.escalations.acknowledge(
                    record.number, user.actor, reason or "已确认收到，审查中", expect_version=version
                )
            elif action == "decide":
                outcome = {"uphold": RecordState.UPHELD, "overturn": RecordState.OVERTURNED}.get(
                    str(data.get("decision"))
                )
                if outcome is None:
                    return _error(400, "bad_request", "decision 应为 uphold（维持）或 overturn（撤销）。")
                done = self.escalations.decide(record.number, user.actor, outcome, reason, expect_version=version)
            elif action == "escalate":
                if not reason:
                    return _error(400, "bad_request", "提级须写明理由。")
                done = self.escalations.escalate(record.number, user.actor, reason, rule="R6", expect_version=version)
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
                    expect_version=version,
                )
            elif action == "contact":
                done = self.store.transition(
                    record.number,
                    RecordState.CONTACTED,
                    actor=user.actor,
                    reason=reason or "已回访",
                    expect_version=version,
                )
            else:  # close
                if not reason:
                    return _error(400, "bad_request", "办结须写明结果。")
                done = self.store.transition(
                    record.number, RecordState.CLOSED, actor=user.actor, reason=reason, expect_version=version
                )
        except StaleRecord as exc:
            return _error(409, "stale", str(exc))
        except RecordError as exc:
            return _error(409, "conflict", str(exc))
        logger.info("%s %s %s → %s", user.actor, action, record.number, done.state)
        return Response(200, self._record(done, events=True))

    # --- views --------------------------------------------------------------------------------

    def _user(self, user: StaffUser) -> dict[str, Any]:
        dept = self.catalog.departments.get(user.department or "")
        return {
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
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
            "state": r.state,
            "state_name": STATE_NAMES.get(r.state, r.state),
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
