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
