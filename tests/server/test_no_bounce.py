"""R2 no-bounce: every government request of the held-out set, each in a fresh REST conversation,
ends in a complete referral, a clarifying question, a coordination record or an escalation route."""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path

import pytest

from bot.evaluation.heldout import read_examples
from bot.request_types import GOVERNMENT_TYPES
from tests.server.conftest import Assistant

pytestmark = pytest.mark.server
HELD_OUT = Path(__file__).resolve().parents[1] / "nlu" / "held_out.yml"
# What a first-consultation unit may end a first turn with (R1–R3, R13, and the dispute route).
NOT_A_BOUNCE = {
    "referral",
    "report_referral",
    "department_referral",
    "ask_town",
    "theme_plan",  # a whole matter (一件事) answered as one plan
    "clarify",
    "ask_matter",  # which matter a bare follow-up or a bounce is about (then answered or coordinated)
    "coordination_opened",
    "dispute_question",
    "dispute_confirm",
    "district_final",
    "escalation_opened",
    "progress_help",
    "record_status",
    "record_not_found",
}


def test_no_government_request_ends_in_a_dead_end(assistant: Assistant) -> None:
    examples = [e for e in read_examples(HELD_OUT) if e.request_type in GOVERNMENT_TYPES]
    endings: Counter[str] = Counter()
    bounced_with_department: list[str] = []
    bounced = 0
    for e in examples:
        out = assistant.say(f"nb-{uuid.uuid4().hex[:10]}", e.text)
        kinds = [m["custom"]["kind"] for m in out if isinstance(m.get("custom"), dict)]
        served = [k for k in kinds if k in NOT_A_BOUNCE]
        endings[served[0] if served else (kinds[0] if kinds else "nothing")] += 1
        if not served:
            bounced += 1
            if e.department:
                bounced_with_department.append(e.request_type)
    with_dept = sum(1 for e in examples if e.department)
    print(
        f"\nno-bounce: {len(examples) - bounced}/{len(examples)} government requests served "
        f"({1 - bounced / len(examples):.1%}); with a clear department "
        f"{with_dept - len(bounced_with_department)}/{with_dept}; endings {dict(endings.most_common())}"
    )
    assert not bounced_with_department, Counter(bounced_with_department)
    assert bounced / len(examples) <= 0.02
