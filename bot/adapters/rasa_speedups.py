"""Two fixes to Rasa 3.6's hot path, installed by our channels when the Rasa server starts.

1. Rasa validates every action-server response with ``jsonschema.validate``, which first re-checks
   Rasa's own large event schema on every call: 55–75 ms of a ~95 ms consult turn on this machine
   (profiled with py-spy, docs/benchmarks.md). We build the validator once and check each response
   against it; on failure Rasa's own method runs, so its error message is unchanged.
2. ``Event.resolve_by_type`` walks every subclass of ``Event`` (recomputed on each call) for every
   event it deserialises: 13 % of a Rasa worker's CPU in a consult turn (#16). The class found for a
   type name is remembered; names it does not know still go to Rasa's own method (same default or error).

3. ``EndpointConfig.request`` opens a new aiohttp session, and so a new connection, for every call to
   the action server: 7 % of a worker's CPU (#16). Each endpoint keeps one session per event loop, whose
   idle connections are dropped after 2 s, before the action server's own 5 s keep-alive ends them.

Tied to the pinned Rasa version: the test suite checks each patch against the original.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from types import TracebackType
from typing import Any

import aiohttp
from jsonschema import validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

_ORIGINAL = RemoteAction._validate_action_result
_ORIGINAL_RESOLVE = Event.resolve_by_type
_EVENT_TYPES: dict[str, type[Event]] = {}


@lru_cache(maxsize=1)
def _validator() -> Any:
    spec = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(spec)
    cls.check_schema(spec)  # once, instead of on every response
    return cls(spec)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    if _validator().is_valid(result):
        return True
    return bool(_ORIGINAL(self, result))  # raises Rasa's own ValidationError with its message


def _resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    known = _EVENT_TYPES.get(type_name)
    if known is not None:
        return known
    found: type[Event] | None = _ORIGINAL_RESOLVE(type_name, default)
    if found is not None and found is not default:
        _EVENT_TYPES[type_name] = found
    return found


_KEEP_IDLE_SECONDS = 2.0


class _KeptSession:
    """``async with`` yields the endpoint's open session and leaves it open (Rasa's code closes its own)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        return None


def _session(self: EndpointConfig) -> Any:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not in a coroutine: Rasa's own, closed by its caller
        return _ORIGINAL_SESSION(self)
    sessions: dict[int, aiohttp.ClientSession] = self.__dict__.setdefault("_shouzi_sessions", {})
    session = sessions.get(id(loop))
    if session is None or session.closed:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
        session = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=_KEEP_IDLE_SECONDS),
        )
        sessions[id(loop)] = session
    return _KeptSession(session)


_ORIGINAL_SESSION = EndpointConfig.session


def install() -> None:
    """Idempotent."""
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign,assignment]
    EndpointConfig.session = _session  # type: ignore[method-assign]
