from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.adapters import rasa_speedups


def test_patched_validation_accepts_and_rejects_like_rasa() -> None:
    rasa_speedups.install()
    action = RemoteAction("action_respond", EndpointConfig("http://127.0.0.1:1"))
    good = {
        "events": [{"event": "slot", "name": "dialogue", "value": {"town": None}}],
        "responses": [{"text": "您好", "buttons": [], "custom": {"kind": "greeting"}}],
    }
    assert action._validate_action_result(good)
    with pytest.raises(ValidationError) as err:
        action._validate_action_result({"events": [{"event": 3}], "responses": "x"})
    assert "Failed to validate Action server response" in err.value.message


def test_event_classes_resolve_like_rasa() -> None:
    from rasa.shared.core.events import Event, UserUttered
    from rasa.shared.utils.common import all_subclasses

    rasa_speedups.install()
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert len(names) > 20
    for name in sorted(names) * 2:  # the second round answers from what the first remembered
        assert Event.resolve_by_type(name) is rasa_speedups._ORIGINAL_RESOLVE(name)
    assert Event.resolve_by_type("no-such-event", UserUttered) is UserUttered
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no-such-event")


def test_the_action_endpoint_keeps_one_session_and_answers_like_rasa() -> None:
    """Two calls through Rasa's EndpointConfig.request reach the server over one kept session."""
    import asyncio

    from aiohttp import web

    from bot.adapters.rasa_speedups import _KeptSession

    async def scenario() -> tuple[list[object], int]:
        seen: list[object] = []

        async def webhook(request: web.Request) -> web.Response:
            seen.append(await request.json())
            return web.json_response({"events": [], "responses": [{"text": "好的"}]})

        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        try:
            first = await endpoint.request(json={"n": 1})
            second = await endpoint.request(json={"n": 2})
            assert first == second == {"events": [], "responses": [{"text": "好的"}]}
            assert isinstance(endpoint.session(), _KeptSession)
            sessions = endpoint.__dict__["_shouzi_sessions"]
            return seen, len(sessions)
        finally:
            for s in endpoint.__dict__.get("_shouzi_sessions", {}).values():
                await s.close()
            await runner.cleanup()

    rasa_speedups.install()
    seen, sessions = asyncio.run(scenario())
    assert seen == [{"n": 1}, {"n": 2}] and sessions == 1
