"""The multi-turn conversation suite (tests/data/conversations.yml) through the REST door.

Every turn is checked for what it must say, and for two things no turn may do: open a record the
conversation does not expect (a coordination or escalation record is a promise to staff), and say
"不在我的服务范围" about anything but an out-of-scope matter. The 好差评 question comes only where the
suite expects it (once, at the end).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.nlu.script import to_simplified
from tests.server.conftest import Assistant

pytestmark = pytest.mark.server

SUITE = Path(__file__).resolve().parents[1] / "data" / "conversations.yml"
CONVERSATIONS: list[dict[str, Any]] = yaml.safe_load(SUITE.read_text(encoding="utf-8"))["conversations"]
REFUSAL = "不在我的服务范围"
OPENING_KINDS = ("coordination_opened", "escalation_opened", "follow_up_opened")


def _opened(cards: list[dict[str, Any]]) -> list[str]:
    """Prefixes of the records opened in this turn (a repeated card for an existing record counts too)."""
    return [str(c["data"]["number"])[:2] for c in cards if c.get("kind") in OPENING_KINDS and c.get("data")]


def check_turn(turn: dict[str, Any], out: list[dict[str, Any]]) -> list[str]:
    """What is wrong with the assistant's answer to one turn (empty when nothing is)."""
    cards = [m["custom"] for m in out if isinstance(m.get("custom"), dict)]
    kinds = [str(c.get("kind")) for c in cards]
    # Replies come back in the applicant's script; the expectations are written in simplified characters.
    text = to_simplified("\n".join(str(m.get("text", "")) for m in out))
    problems: list[str] = []
    if "kind" in turn:
        wanted = turn["kind"] if isinstance(turn["kind"], list) else [turn["kind"]]
        if not kinds or kinds[0] not in wanted:
            problems.append(f"first reply {kinds[:1]} not one of {wanted}")
    if "kinds" in turn:
        expected = [k for k in turn["kinds"]]
        if kinds != expected:
            problems.append(f"replies {kinds} != {expected}")
    problems += [f"missing {s!r}" for s in turn.get("has", []) if str(s) not in text]
    problems += [f"should not say {s!r}" for s in turn.get("lacks", []) if str(s) in text]
    for key, value in (turn.get("data") or {}).items():
        got = cards[0].get("data", {}).get(key) if cards else None
        if got != value:
            problems.append(f"data[{key}] = {got!r}, expected {value!r}")
    opened, expected_open = _opened(cards), turn.get("opens")
    if expected_open and expected_open not in opened:
        problems.append(f"expected a {expected_open} record, opened {opened}")
    if not expected_open and opened:
        problems.append(f"opened a record it should not: {opened}")
    if REFUSAL in text and not turn.get("oos"):
        problems.append("refused a government matter as out of scope")
    asked_rating = "rating_request" in kinds
    if turn.get("rating") and not asked_rating:
        problems.append("the 好差评 question was expected here")
    if asked_rating and not turn.get("rating"):
        problems.append("asked for a rating here")
    return problems


def run_conversation(assistant: Assistant, conversation: dict[str, Any]) -> list[str]:
    """Plays one conversation from the start; every turn's problems, each prefixed by its turn."""
    sender = f"conv-{conversation['id']}-{uuid.uuid4().hex[:8]}"
    problems: list[str] = []
    for n, turn in enumerate(conversation["turns"], 1):
        out = assistant.say(sender, str(turn["say"]))
        problems += [f"turn {n} ({turn['say']}): {p}" for p in check_turn(turn, out)]
    return problems


def test_the_suite_is_broad_enough() -> None:
    """At least 60 conversations, in Mandarin, Cantonese and traditional characters, ids unique."""
    ids = [c["id"] for c in CONVERSATIONS]
    assert len(ids) >= 60 and len(set(ids)) == len(ids)
    assert {c["lang"] for c in CONVERSATIONS} == {"mandarin", "cantonese", "traditional"}


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c["id"] for c in CONVERSATIONS])
def test_conversation(assistant: Assistant, conversation: dict[str, Any]) -> None:
    problems = run_conversation(assistant, conversation)
    assert not problems, "\n".join(problems)
