"""The training data is large enough, well-formed, and never contains test or evaluation text."""

from __future__ import annotations

import csv
from pathlib import Path

from bot.catalog import Catalog
from bot.evaluation.heldout import read_examples

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"


def _training() -> list[str]:
    texts: list[str] = []
    for path in sorted((ROOT / "nlu_data").rglob("*.yml")):
        texts += [e.text for e in read_examples(path)]
    return texts


def test_at_least_two_thousand_training_examples() -> None:
    texts = _training()
    assert len(texts) >= 2000
    assert len(set(texts)) == len(texts), "duplicate training examples"


def test_department_metadata_uses_known_codes(catalog: Catalog) -> None:
    for path in (ROOT / "nlu_data").rglob("*.yml"):
        for e in read_examples(path):
            assert e.department is None or e.department in catalog.departments, (path.name, e.department)


def test_held_out_never_seen_in_training() -> None:
    training = set(_training())
    held = [e.text for e in read_examples(ROOT / "tests" / "nlu" / "held_out.yml")]
    assert len(held) >= 400
    assert not training & set(held)


def test_no_evaluation_text_in_the_project() -> None:
    if not EVAL.exists():
        return
    eval_texts: set[str] = set()
    for path in EVAL.glob("*.csv"):
        with path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                for key in ("text", "title"):
                    t = (row.get(key) or "").strip()
                    if len(t) >= 12:
                        eval_texts.add(t)
    project = "\n".join(
        p.read_text(encoding="utf-8", errors="ignore")
        for p in list((ROOT / "nlu_data").rglob("*")) + list((ROOT / "tests").rglob("*.yml"))
        if p.is_file()
    )
    assert not [t for t in eval_texts if t in project]
