"""Two fixes to Rasa 3.6's hot path, installed by our channels when the Rasa server starts.

1. Rasa validates every action-server response with ``jsonschema.validate``, which first re-checks
   Rasa's own large event schema on every call: 55–75 ms of a ~95 ms consult turn on this machine
   (profiled with py-spy, docs/benchmarks.md). We build the validator once and check each response
   against it; on failure Rasa's own method runs, so its error message is unchanged.
2. ``Event.resolve_by_type`` walks every subclass of ``Event`` (recomputed on each call) for every
   event it deserialises: 13 % of a Rasa worker's CPU in a consult turn (#16). The class found for a
   type name is remembered; names it does not know still go to Rasa's own method (same default or error).

Tied to the pinned Rasa version: the test suite checks each patch against the original.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event

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


def install() -> None:
    """Idempotent."""
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign,assignment]
