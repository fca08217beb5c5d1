"""Reads Rasa-format NLU test files (with optional department metadata) and scores predictions."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot import yaml_files


@dataclass(frozen=True)
class Example:
    text: str
    request_type: str
    department: str | None


def read_examples(path: Path) -> list[Example]:
    """Examples of a Rasa YAML NLU file; ``metadata.department`` of a block labels its examples."""
    doc = yaml_files.safe_load(path.read_text(encoding="utf-8")) or {}
    out: list[Example] = []
    for block in doc.get("nlu") or []:
        if "intent" not in block:
            continue
        dept = (block.get("metadata") or {}).get("department")
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                out.append(Example(line[2:].strip(), str(block["intent"]), dept))
    return out


@dataclass(frozen=True)
class ClassReport:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


def per_class(gold: Iterable[str], predicted: Iterable[str]) -> list[ClassReport]:
    pairs = list(zip(gold, predicted, strict=False))
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in pairs:
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
    labels = sorted({g for g, _ in pairs})
    reports = []
    for label in labels:
        prec = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        rec = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        reports.append(ClassReport(label, prec, rec, f1, tp[label] + fn[label]))
    return reports


def macro_f1(gold: Iterable[str], predicted: Iterable[str]) -> float:
    reports = per_class(gold, predicted)
    return sum(r.f1 for r in reports) / len(reports) if reports else 0.0


def confusion(gold: Iterable[str], predicted: Iterable[str]) -> dict[str, Counter[str]]:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for g, p in zip(gold, predicted, strict=False):
        table[g][p] += 1
    return dict(table)
