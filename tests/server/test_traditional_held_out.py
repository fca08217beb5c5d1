"""Traditional characters understood as well as simplified ones (issue #11): the whole held-out set
(tests/nlu/held_out.yml, never trained on), converted to Hong Kong traditional with OpenCC, through the
analyze API, scores within 0.02 of the simplified original on request type and department."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation.heldout import read_examples
from bot.evaluation.report import score_request_types, score_routing
from bot.nlu.script import to_traditional
from tests.server.conftest import Assistant

pytestmark = pytest.mark.server

HELD_OUT = read_examples(Path(__file__).resolve().parents[1] / "nlu" / "held_out.yml")
SCRIPT_GAP = 0.02


def _scores(assistant: Assistant, convert: object) -> tuple[float, float]:
    assert callable(convert)
    answers = [assistant.analyze(convert(e.text)) for e in HELD_OUT]
    types = score_request_types([e.request_type for e in HELD_OUT], [a["request_type"] for a in answers])
    routed = [(e.department, a) for e, a in zip(HELD_OUT, answers, strict=True) if e.department]
    routing = score_routing([d for d, _ in routed], [[x["code"] for x in a["departments"]] for _, a in routed])
    return types.macro_f1, routing.top1


def test_traditional_held_out_scores_within_two_points_of_simplified(assistant: Assistant) -> None:
    simplified = _scores(assistant, lambda s: s)
    traditional = _scores(assistant, to_traditional)
    print(f"held-out simplified macro-F1/top-1 {simplified}, traditional {traditional}")
    assert abs(simplified[0] - traditional[0]) <= SCRIPT_GAP
    assert abs(simplified[1] - traditional[1]) <= SCRIPT_GAP
