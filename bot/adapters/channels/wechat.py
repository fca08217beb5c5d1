"""``GET/POST /webhooks/wechat/webhook``: the WeChat Official Account server (configured in
credentials.yml as ``bot.adapters.channels.wechat.WeChatInput``).

Thin: the checks, rendering, menu, exactly-once keys, token and delivery live in :mod:`bot.wechat`.
This module reads the request, answers within WeChat's 5 seconds (the passive reply when the turn is
ready within ``SHOUZI_WECHAT_REPLY_BUDGET``, otherwise ``success`` at once and the answer through
客服消息), and runs the outbox delivery of applicant notifications beside the server.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy.replies import TextReply

from bot.adapters.channels.turns import apology, run_turn, structured
from bot.adapters.http import body_of, client_address, error_response
from bot.adapters.wechat import inbound
from bot.adapters.wechat.api import WeChatApi
from bot.adapters.wechat.delivery import Messenger, OutboxDelivery
from bot.adapters.wechat.tokens import TokenCache
from bot.config import settings
from bot.conversation.replies import Reply
from bot.inputs import ClientError
from bot.records.clock import clock_from_env
from bot.records.db import make_engine
from bot.records.store import RecordStore
from bot.staff.handovers import HandoverDesk, asked_for_person
from bot.throttle import Quota, get_throttle, too_many_message
from bot.wechat import wire
from bot.wechat.config import WeChatSettings, wechat_settings
from bot.wechat.door import plan
from bot.wechat.menu import load_menu
from bot.wechat.message import Inbound
from bot.wechat.privacy import install_openid_masking, masked
from bot.wechat.render import Rendered, render, replies_of
from bot.wechat.state import FAILED, HANDLED, PASSIVE, SENT, DoorState

logger = logging.getLogger("shouzi.wechat")
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
NOT_FOUND = ClientError(404, "not_found", "未启用微信公众号渠道。")
SAFE_MODE_ONLY = ClientError(400, "plaintext_refused", "本服务器只接受安全模式（加密）消息。")
KEEP_SEEN_SECONDS = 3 * 24 * 3600


class Door:
    """The door's long-lived parts, made on first use (the server's loop and database)."""

    def __init__(self, on_new_message: OnNewMessage, cfg: WeChatSettings) -> None:
        self.on_new_message, self.cfg = on_new_message, cfg
        self.menu = load_menu()
        self.engine = make_engine()
        self.state = DoorState(self.engine)
        self.api = WeChatApi(cfg.api_base, cfg.app_id, cfg.secret)
        self.tokens = TokenCache(self.engine, cfg.app_id or "-", self.api.stable_token)
        self.messenger = Messenger(self.api, self.tokens)
        self.outbox = OutboxDelivery(
            RecordStore(self.engine, clock_from_env()), self.state, self.messenger, cfg.template_id
        )
        self.handovers = HandoverDesk(self.engine)  # 转人工: the first unit's desk reads these
        self.tasks: set[asyncio.Task[Any]] = set()

    def background(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # --- one message -----------------------------------------------------------------------------

    async def handle(self, message: Inbound, reply_xml: Callable[[str], HTTPResponse]) -> HTTPResponse:
        now = time.time()
        seen = await asyncio.to_thread(self.state.claim, message.dedup_key, now)
        if seen is not None:
            # A retry: answered once already (or being answered). Repeat a passive reply WeChat lost.
            logger.info("wechat: repeated %s from %s (%s)", message.msg_type, masked(message.openid), seen.state)
            if seen.state == PASSIVE and seen.reply:
                return reply_xml(seen.reply[0])
            return response.text(wire.SUCCESS)
        _, options = await asyncio.to_thread(self.state.user, message.openid)
        what = plan(message, self.menu, options, settings().max_text_chars)
        if what.silent:
            if message.event != wire.UNSUBSCRIBE:
                await asyncio.to_thread(self.state.seen_user, message.openid, now)
            await asyncio.to_thread(self.state.finish, message.dedup_key, HANDLED)
            return response.text(wire.SUCCESS)
        if what.say is None:
            return await self._answer(message, render(what.replies), reply_xml)
        # WeChat's requests all come from Tencent's servers: counted per applicant (openid), not per address.
        verdict = get_throttle().hit(Quota.CONVERSATION_MESSAGES, message.openid)
        if not verdict.allowed:
            slow_down = Reply(kind="text", title=too_many_message(verdict.retry_after))
            return await self._answer(message, render([slow_down]), reply_xml)
        turn = asyncio.ensure_future(self._turn(message.openid, what.say))
        try:
            rendered = await asyncio.wait_for(asyncio.shield(turn), timeout=self.cfg.reply_budget)
        except asyncio.TimeoutError:
            logger.info(
                "wechat: turn for %s past the %.1f s budget, answering by 客服消息",
                masked(message.openid),
                self.cfg.reply_budget,
            )
            self.background(self._late(message, turn))
            return response.text(wire.SUCCESS)
        return await self._answer(message, rendered, reply_xml)

    async def _turn(self, openid: str, text: str) -> Rendered:
        messages, answered = await run_turn(self.on_new_message, openid, text, wire.CHANNEL, {"door": wire.CHANNEL})
        shaped = structured(messages) if answered else []
        if asked_for_person(shaped):
            unit = settings().first_unit_for(wire.CHANNEL)
            await asyncio.to_thread(self.handovers.request, openid, wire.CHANNEL, unit, text)
        replies = replies_of(shaped) if answered else [Reply.from_dict(apology())]
        return render(replies or [Reply.from_dict(apology())])

    async def _answer(
        self, message: Inbound, rendered: Rendered, reply_xml: Callable[[str], HTTPResponse]
    ) -> HTTPResponse:
        """Passive when the answer fits one message (or nothing else can carry it); else 客服消息 in order."""
        await asyncio.to_thread(self.state.save_options, message.openid, rendered.options, time.time())
        if len(rendered.messages) <= 1 or not self.cfg.can_call_api:
            first = rendered.messages[0] if rendered.messages else ""
            await asyncio.to_thread(self.state.finish, message.dedup_key, PASSIVE, [first])
            return reply_xml(first)
        self.background(self._send(message, rendered))
        return response.text(wire.SUCCESS)

    async def _late(self, message: Inbound, turn: asyncio.Future[Rendered]) -> None:
        try:
            rendered = await turn
        except Exception:
            logger.exception("wechat: late turn failed")
            rendered = render([Reply.from_dict(apology())])
        await asyncio.to_thread(self.state.save_options, message.openid, rendered.options, time.time())
        await self._send(message, rendered)

    async def _send(self, message: Inbound, rendered: Rendered) -> None:
        sent = self.cfg.can_call_api and await self.messenger.texts_with_retry(message.openid, rendered.messages)
        await asyncio.to_thread(self.state.finish, message.dedup_key, SENT if sent else FAILED)
        if not sent:
            logger.error("wechat: answer to %s could not be delivered", masked(message.openid))

    # --- beside the server -----------------------------------------------------------------------

    async def deliver_forever(self) -> None:
        purged = 0.0
        while True:
            try:
                await self.outbox.run_once()
                if time.time() - purged > 3600:
                    await asyncio.to_thread(self.state.purge, time.time() - KEEP_SEEN_SECONDS)
                    purged = time.time()
            except Exception:  # the database or WeChat hiccupped; the next pass retries
                logger.exception("wechat: outbox pass failed")
            await asyncio.sleep(self.cfg.outbox_every)

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await self.api.close()


class WeChatInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return wire.CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()  # configured from the environment (see bot.wechat.config)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        bp = Blueprint("wechat_webhook", __name__)
        cfg = wechat_settings()
        door: list[Door] = []

        def the_door() -> Door:
            if not door:
                door.append(Door(on_new_message, cfg))
            return door[0]

        @bp.listener("after_server_start")
        async def start(app: Any, loop: Any) -> None:
            if not cfg.enabled:
                return
            install_openid_masking()
            if cfg.can_call_api:
                d = the_door()
                d.background(d.deliver_forever())

        @bp.listener("before_server_stop")
        async def stop(app: Any, loop: Any) -> None:
            if door:
                await door[0].close()

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            if not cfg.enabled:
                return error_response(NOT_FOUND)
            return response.json({"status": "ok", "safe_mode": cfg.safe_mode})

        @bp.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            """URL verification when the server address is saved in the 公众号 console."""
            if not cfg.enabled:
                return error_response(NOT_FOUND)
            args = {k: request.args.get(k, "") for k in ("signature", "timestamp", "nonce", "echostr")}
            try:
                inbound.check_signature(cfg.token, args["signature"], args["timestamp"], args["nonce"])
            except ClientError as exc:
                logger.warning("wechat: URL verification refused (%s) from %s", exc.code, client_address(request))
                return error_response(exc)
            return response.text(args["echostr"][:256])

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not cfg.enabled:
                return error_response(NOT_FOUND)
            args = {
                k: request.args.get(k, "") for k in ("signature", "timestamp", "nonce", "encrypt_type", "msg_signature")
            }
            max_bytes = settings().max_body_bytes
            try:
                body = body_of(request, max_bytes)
                inbound.check_signature(cfg.token, args["signature"], args["timestamp"], args["nonce"])
                inbound.check_timestamp(args["timestamp"], time.time(), cfg.max_clock_skew)
                xml = inbound.guard_xml(body, max_bytes)
                encrypted = args["encrypt_type"].lower() == "aes"
                if encrypted:
                    if not cfg.safe_mode:
                        raise inbound.UNDECRYPTABLE
                    inner = inbound.decrypt(
                        cfg.token, cfg.aes_key, cfg.app_id, xml, args["msg_signature"], args["timestamp"], args["nonce"]
                    )
                    xml = inbound.guard_xml(inner, max_bytes)
                elif cfg.safe_mode:
                    raise SAFE_MODE_ONLY
                message = inbound.parse(xml)
            except ClientError as exc:
                logger.warning("wechat: refused %s (%s) from %s", exc.status, exc.code, client_address(request))
                return error_response(exc)

            def reply_xml(content: str) -> HTTPResponse:
                if not content:
                    return response.text(wire.SUCCESS)
                safe = content.replace("]]>", "]] >")  # the reply is a CDATA section
                xml = TextReply(source=message.account, target=message.openid, content=safe, time=int(time.time()))
                rendered = xml.render()
                if encrypted:
                    rendered = inbound.encrypt(
                        cfg.token, cfg.aes_key, cfg.app_id, rendered, args["nonce"], str(int(time.time()))
                    )
                return response.text(rendered, content_type="application/xml; charset=utf-8")

            try:
                return await the_door().handle(message, reply_xml)
            except Exception:  # the database down: the applicant reads an apology, WeChat sees no error
                logger.exception("wechat: message could not be handled")
                return reply_xml(render([Reply.from_dict(apology())]).messages[0])

        return bp
