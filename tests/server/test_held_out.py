"""Acceptance on the project's own held-out set (tests/nlu/held_out.yml), through the analyze API."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation.heldout import macro_f1, per_class, read_examples
from tests.server.conftest import Assistant

pytestmark = pytest.mark.server
HELD_OUT = Path(__file__).resolve().parents[1] / "nlu" / "held_out.yml"


def test_request_type_macro_f1_and_department_accuracy(assistant: Assistant) -> None:
    examples = read_examples(HELD_OUT)
    results = [assistant.analyze(e.text) for e in examples]
    gold = [e.request_type for e in examples]
    pred = [r["request_type"] for r in results]
    f1 = macro_f1(gold, pred)
    routed = [(e, r) for e, r in zip(examples, results, strict=False) if e.department]
    top1 = sum(bool(r["departments"]) and r["departments"][0]["code"] == e.department for e, r in routed)
    top3 = sum(e.department in [d["code"] for d in r["departments"][:3]] for e, r in routed)
    print(
        f"\nheld-out: n={len(examples)} request-type macro-F1={f1:.3f} "
        f"department top1={top1 / len(routed):.3f} top3={top3 / len(routed):.3f} (n={len(routed)})"
    )
    for rep in per_class(gold, pred):
        print(f"  {rep.label:18s} P={rep.precision:.2f} R={rep.recall:.2f} F1={rep.f1:.2f} n={rep.support}")
    assert f1 >= 0.90
    assert top1 / len(routed) >= 0.80
