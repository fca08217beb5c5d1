"""Every wire string is defined once (bot.vocabulary, bot.request_types) and named everywhere else.

A module that spells out a payload, ground, state, kind, rating, role, topic, outcome or request type as
a literal, or compares a tier with a bare number, fails here: a later rename would silently break a
button, a permission or a stored record.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.request_types import RequestType
from bot.vocabulary import (
    GROUND_PLAIN,
    HANDOVER_STATE_NAMES,
    RATING_LABELS,
    ROLE_NAMES,
    STATE_NAMES,
    Ground,
    HandoverState,
    Outcome,
    Payload,
    Rating,
    RecordKind,
    RecordState,
    Role,
    Speaker,
    Tier,
    Topic,
)

ROOT = Path(__file__).resolve().parents[1]
DEFINED_IN = {ROOT / "bot" / "vocabulary.py", ROOT / "bot" / "request_types.py"}
# Table and migration modules name columns, some of which read like wire values ("follow_up").
NOT_WIRE = ("bot/records/tables.py", "bot/records/migrations/")
WIRE_VALUES = {
    str(v)
    for enum in (Payload, Ground, RecordState, Topic, Outcome, RequestType, HandoverState)
    for v in enum  # type: ignore[attr-defined]
} | set(RATING_LABELS.values())
# Kinds and roles share their spelling with field and column names ("first_unit", "follow_up", a
# catalog item's "section"): they count only where they are compared, which is where a rename bites.
COMPARED_VALUES = {str(v) for enum in (RecordKind, Role, Speaker) for v in enum}  # type: ignore[attr-defined]


def modules() -> Iterator[Path]:
    for base in ("bot", "actions"):
        for path in sorted((ROOT / base).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if path not in DEFINED_IN and not rel.startswith(NOT_WIRE):
                yield path


def _docstrings(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def literal_wire_strings(source: str) -> list[tuple[int, str]]:
    """(line, value) of every string literal equal to a wire value, outside docstrings and reply kinds."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        # Reply(kind="…") names a reply layout, its own small vocabulary defined where the reply is built.
        if isinstance(node, ast.keyword) and node.arg == "kind" and isinstance(node.value, ast.Constant):
            skip.add(id(node.value))
    compared = {
        id(c)
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare)
        for side in (node.left, *node.comparators)
        for c in ast.walk(side)
    }
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and (node.value in WIRE_VALUES or (node.value in COMPARED_VALUES and id(node) in compared))
        and id(node) not in skip
    )


def tiers_compared_with_numbers(source: str) -> list[int]:
    """Lines comparing something called ``…tier…`` with a bare integer (use Tier / TOP_TIER)."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        named = any("tier" in ast.unparse(s).lower() for s in sides if isinstance(s, ast.Attribute | ast.Name))
        number = any(isinstance(s, ast.Constant) and type(s.value) is int and s.value > 0 for s in sides)
        if named and number:
            out.append(node.lineno)
    return out


@pytest.mark.parametrize("path", list(modules()), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_module_spells_out_a_wire_string(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert literal_wire_strings(source) == [], "name these from bot.vocabulary / bot.request_types"
    assert tiers_compared_with_numbers(source) == [], "compare tiers with bot.vocabulary.Tier"


def test_the_checks_catch_what_they_look_for() -> None:
    bad = "\n".join(
        [
            'x = "转人工"',
            "if record.tier == 4:",
            "    pass",
            'Reply(kind="greeting")',
            'y = r.kind == "follow_up"',
            'z = {"follow_up": 1}',
        ]
    )
    assert literal_wire_strings(bad) == [(1, "转人工"), (5, "follow_up")]
    assert tiers_compared_with_numbers(bad) == [2]
    assert literal_wire_strings('"""转人工"""\n') == []


def test_display_texts_cover_every_value() -> None:
    assert set(GROUND_PLAIN) == set(Ground)
    assert set(STATE_NAMES) == set(RecordState)
    assert set(RATING_LABELS) == set(Rating)
    assert set(ROLE_NAMES) == set(Role)
    assert set(HANDOVER_STATE_NAMES) == set(HandoverState)
    assert [int(t) for t in Tier] == [1, 2, 3, 4]
    assert {Rating.from_label(label) for label in RATING_LABELS.values()} == set(Rating)
    assert all(str(p) == p.value for p in Payload)


def test_replies_offer_the_payloads_the_dialogue_understands() -> None:
    """Each button the replies build sends either a Payload, a rating, a form answer or free text the NLU reads."""
    from bot.conversation import replies

    rating = replies.rating_request()
    assert [b.payload for b in rating.buttons] == list(RATING_LABELS.values())
    assert Payload.HUMAN in {b.payload for b in replies.service_unavailable().buttons}
