"""One fix to Rasa 3.6's hot path, installed by our channels when the Rasa server starts.

Rasa validates every action-server response with ``jsonschema.validate``, which first re-checks
Rasa's own large event schema on every call: 55–75 ms of a ~95 ms consult turn on this machine
(profiled with py-spy, docs/benchmarks.md). We build the validator once and check each response
against it; on failure Rasa's own method runs, so its error message is unchanged. Tied to the pinned
Rasa version: the test suite checks the patch against the original.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import validators
from rasa.core.actions.action import RemoteAction

_ORIGINAL = RemoteAction._validate_action_result


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


def install() -> None:
    """Idempotent."""
    RemoteAction._validate_action_result = _validate_action_result
