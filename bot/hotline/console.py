"""The hotline console's API as plain Python (like :mod:`bot.staff.service`): who may use it, what the
page shows for a call, and the one-action buttons of the work order — open the coordination record
(XT, R2), open the escalation (TJ) at the decided tier (R6–R11), or text the answer to the caller.

Records opened from a call belong to that call (conversation ``hotline:<agent>:<call id>``), so a
double click or a retried request opens nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from bot.catalog import Catalog
from bot.hotline import HOTLINE_CHANNEL
from bot.hotline.feed import CallFeed
from bot.hotline.order import CALL_ID, WorkOrder, draft, mask_phone, parse_order
from bot.hotline.script import answer_reply, questions, script
from bot.hotline.sms import compose, notification
from bot.hotline.transcript import AGENT_FORMULA, AGENT_TURN, CallText, read_call
from bot.inputs import ClientError, ascii_int, parse_json_object, text_field
from bot.policy.assess import assess
from bot.policy.engine import decide
from bot.policy.model import Policy
from bot.records.desk import ServiceDesk
from bot.records.masking import mask
from bot.records.store import MatterRef, MatterUpdate, RecordStore, RecordView
from bot.request_types import REQUEST_TYPE_NAMES
from bot.staff.auth import StaffDirectory, StaffUser
from bot.staff.service import Response
from bot.vocabulary import Outcome, RecordKind, Role, Speaker

logger = logging.getLogger(__name__)
MAX_BODY = 64 * 1024
CONSOLE_ROLES = (Role.AGENT,)
COORDINATION_REASON = "hotline"  # why an XT was opened: the agent could not name one department


def _refused(exc: ClientError) -> Response:
    return Response(exc.status, exc.body())


class ConsoleApi:
    def __init__(
        self, store: RecordStore, directory: StaffDirectory, policy: Policy, catalog: Catalog, max_text: int
    ) -> None:
        self.store = store
        self.directory = directory
        self.policy = policy
        self.catalog = catalog
        self.max_text = max_text
        self.desk = ServiceDesk(store, policy)
        self.feed = CallFeed(store.engine, store.clock)

    # --- who -------------------------------------------------------------------------------------

    def agent(self, token: str | None, path: str, client: str) -> StaffUser:
        """The hotline agent behind the token: 401 without a valid login, 403 for other roles (logged)."""
        user = self.directory.user_for(token, path, client)
        if user.role not in CONSOLE_ROLES:
            self.directory.log(user.username, "forbidden", path, client)
            raise ClientError(403, "forbidden", "控制台仅供 12345 热线座席使用，您的岗位无权使用。")
        return user

    # --- reading a call ---------------------------------------------------------------------------

    def read(self, body: bytes) -> tuple[CallText, str | None]:
        """The call's text from ``{"text", "town"?}``, read as a call (before any NLU)."""
        data = parse_json_object(body, MAX_BODY)
        text = text_field(data, "text", self.max_text)
        assert text is not None
        town = data.get("town")
        if town is not None and (not isinstance(town, str) or (town and town not in self.catalog.towns)):
            raise ClientError(422, "unknown_town", "未知的镇街。")
        return read_call(text), (town or None)

    def view(self, call: CallText, api: dict[str, Any]) -> dict[str, Any]:
        """Everything the console shows for the call: the analysis with its evidence, the script,
        the questions still to ask, and the draft work order."""
        catalog = self.catalog
        items = []
        for it in api.get("items") or []:
            item = catalog.items.get(it["id"])
            if item is None:
                continue
            town = catalog.towns.get(api.get("town") or "")
            where = town.centre if town and item.handled_in_towns and town.name in item.towns else None
            items.append(
                {
                    **it,
                    "materials": list(item.materials),
                    "legal_days": item.legal_days,
                    "promised_days": item.promised_days,
                    "instant": item.instant,
                    "online": item.online,
                    "platforms": list(item.platforms),
                    "towns": list(item.towns),
                    "where": where,
                }
            )
        top = items[0] if items else None
        needs_town = bool(top and top["towns"] and not api.get("town"))
        order = draft(call.caller_text, api)
        reply = answer_reply(api, catalog)
        return {
            **api,
            "request_type_name": REQUEST_TYPE_NAMES.get(str(api.get("request_type")), str(api.get("request_type"))),
            "items": items,
            "departments": [
                {**d, "evidence": self._evidence(api.get("evidence") or {}, d["code"])}
                for d in api.get("departments") or []
            ],
            "call": {**call.as_api(), "caller_text": mask(call.caller_text), "summary": self._call_evidence(call)},
            "script": script(api, catalog),
            "answer": reply.as_dict() if reply else None,
            "questions": questions(
                list(api.get("missing_facts") or []), has_phone=bool(order["phone"]), needs_town=needs_town
            ),
            "draft": order,
        }

    def _evidence(self, evidence: dict[str, list[str]], code: str) -> list[str]:
        out: list[str] = []
        for e in evidence.get(code, []):
            kind, _, value = e.partition(":")
            if kind == "item" and value in self.catalog.items:
                out.append(f"事项“{self.catalog.items[value].name}”")
            elif kind == "problem" and value in self.catalog.problems:
                out.append(f"问题“{self.catalog.problems[value].name}”")
            elif kind == "named":
                out.append(f"提到“{value}”")
        return list(dict.fromkeys(out)) or ["部门分类模型（依据来电人的话）"]

    @staticmethod
    def _call_evidence(call: CallText) -> str:
        if not call.ignored:
            return "按全文分析（未发现坐席用语或说话人标记）。"
        turns = sum(i.why == AGENT_TURN for i in call.ignored)
        formulae = sum(i.why == AGENT_FORMULA for i in call.ignored)
        other = len(call.ignored) - turns - formulae
        parts = [f"坐席发言 {turns} 段" if turns else "", f"坐席用语 {formulae} 处" if formulae else ""]
        parts.append(f"语气词、寒暄与重复 {other} 处" if other else "")
        said = "、".join(p for p in parts if p)
        return f"只分析来电人的话：已忽略{said}。"

    # --- actions from the work order -------------------------------------------------------------

    def open(self, user: StaffUser, kind: str, body: bytes) -> Response:
        try:
            order = parse_order(parse_json_object(body, MAX_BODY), self.catalog, self.max_text)
            ref = self._ref(user, order)
            if kind == RecordKind.ESCALATION:
                record, fresh = self._escalate(ref, order)
                outcome = Outcome.ESCALATED
            elif kind == RecordKind.COORDINATION:
                depts = [order.department] if order.department else []
                record, fresh = self.desk.open_coordination(
                    ref, COORDINATION_REASON, depts, order.item, order.record_summary()
                )
                outcome = Outcome.COORDINATION_OPENED
            else:
                raise ClientError(404, "not_found", "没有这个接口。")
        except ClientError as exc:
            return _refused(exc)
        update = MatterUpdate(order.request_type, outcome, order.department, order.item, record.number)
        self.desk.record_matter(ref, update, order.summary)
        logger.info("%s opened %s from call %s", user.actor, record.number, order.call_id)
        return Response(200 if not fresh else 201, {"record": self._record(record), "fresh": fresh})

    def _ref(self, user: StaffUser, order: WorkOrder) -> MatterRef:
        return MatterRef(f"{HOTLINE_CHANNEL}:{user.username}:{order.call_id}", HOTLINE_CHANNEL, 1)

    def _escalate(self, ref: MatterRef, order: WorkOrder) -> tuple[RecordView, bool]:
        caller = read_call(order.text).caller_text if order.text else order.summary
        facts = assess(caller).extracted.facts
        if order.rejecting_tier is not None:
            facts = replace(facts, rejecting_tier=order.rejecting_tier)
        if order.ground is not None:
            facts = replace(facts, ground=order.ground)
        if order.key_project:
            facts = replace(facts, key_project=True)
        if order.repeated:
            facts = replace(facts, times_rejected=max(2, facts.times_rejected))
        if facts.ground is None:
            raise ClientError(
                422,
                "missing_ground",
                "还不知道退件理由，无法确定提级层级：请先问清对方退件时给的理由，在工单中选择后再提交。",
            )
        decision = decide(facts, self.policy)
        if decision.final_in_district:
            raise ClientError(
                422,
                "final_in_district",
                "该退件已由区级层面决定，区内不再提级（R9）。请告知来电人依法救济途径：" + "；".join(decision.remedies),
            )
        return self.desk.open_escalation(ref, facts, decision, order.item, order.department, order.record_summary())

    def sms(self, user: StaffUser, body: bytes) -> Response:
        """The one-time answer texted to the caller, written to the outbox (delivered by the gateway)."""
        try:
            order = parse_order(parse_json_object(body, MAX_BODY), self.catalog, self.max_text)
            if not order.phone or not order.phone.startswith("1"):
                raise ClientError(422, "missing_phone", "请先在工单中填写来电人的手机号码。")
            api = {
                "request_type": order.request_type,
                "town": order.town,
                "items": [{"id": order.item}] if order.item else [],
                "departments": [{"code": order.department}] if order.department else [],
            }
            number = self._call_record(user, order)
        except ClientError as exc:
            return _refused(exc)
        text = compose(answer_reply(api, self.catalog), self.catalog, number)
        self.store.notify(notification(order.phone, text, order.call_id), number)
        ref = self._ref(user, order)
        self.desk.record_matter(
            ref, MatterUpdate(order.request_type, Outcome.REFERRED, order.department, order.item, number), order.summary
        )
        logger.info("%s queued an SMS referral to %s for call %s", user.actor, mask_phone(order.phone), order.call_id)
        return Response(202, {"queued": True, "to": mask_phone(order.phone), "text": text})

    def _call_record(self, user: StaffUser, order: WorkOrder) -> str | None:
        """The number of a record this call already opened, to quote in the SMS."""
        ref = self._ref(user, order)
        for c in self.store.consultations(ref.conversation_id):
            if c.get("record_number"):
                return str(c["record_number"])
        return None

    # --- speech recognition feed -----------------------------------------------------------------

    def push(self, user: StaffUser, body: bytes) -> Response:
        try:
            data = parse_json_object(body, MAX_BODY)
            call_id = str(data.get("call_id") or "")
            if not CALL_ID.match(call_id):
                raise ClientError(422, "invalid_call_id", "call_id 应为 8–64 位字母、数字、- 或 _。")
            speaker = str(data.get("speaker") or Speaker.UNKNOWN)
            if speaker not in tuple(str(s) for s in Speaker):
                raise ClientError(422, "invalid_speaker", "speaker 应为 caller、agent 或 unknown。")
            text = text_field(data, "text", self.max_text)
        except ClientError as exc:
            return _refused(exc)
        assert text is not None
        seg = self.feed.push(user.username, call_id, speaker, text)
        return Response(201, {"id": seg})

    def segments(self, user: StaffUser, call_id: str, after: str) -> Response:
        if not CALL_ID.match(call_id):
            return _refused(ClientError(422, "invalid_call_id", "call_id 应为 8–64 位字母、数字、- 或 _。"))
        since = ascii_int(after) or 0
        return Response(200, {"segments": [s.as_api() for s in self.feed.read(user.username, call_id, since)]})

    def _record(self, r: RecordView) -> dict[str, Any]:
        return {
            "number": r.number,
            "kind": r.kind,
            "kind_name": RecordKind(r.kind).display,
            "state": r.state,
            "tier": r.tier,
            "tier_name": self.policy.tier_names.get(r.tier) if r.tier else None,
            "ack_due_on": r.ack_due_on.isoformat() if r.ack_due_on else None,
            "due_on": r.due_on.isoformat(),
            "departments": list(r.departments),
            "rules": list((r.facts or {}).get("rules") or []),
        }
