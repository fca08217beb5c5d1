"""Labelled disputes (nlu_data/dispute_facts/*.csv) that teach the learned fact extractor.

Each row is one message and the facts it tells: who rejected it (tier 1-4, empty when not told), the
ground (G1-G5, empty when not told), whether a demanded material is on the published list (only for
G1; false is R5's unlisted material), and whether it names a key project or a repeated rejection.
A bad label would silently teach the model a wrong rule, so the loader reports every bad row at once
and refuses to load any of them.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.vocabulary import GROUNDS, TIERS, Ground

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "nlu_data" / "dispute_facts"
COLUMNS = ("text", "rejecting_tier", "ground", "material_on_list", "key_project", "repeated")
_BOOLS = {"true": True, "false": False}


class FactDataError(ValueError):
    """The training rows are inconsistent; the message lists every problem with its file and line."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(f"{len(problems)} bad dispute-fact row(s):\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class FactExample:
    """One labelled message; None means the text does not tell that fact."""

    text: str
    rejecting_tier: int | None
    ground: str | None
    material_on_list: bool | None
    key_project: bool
    repeated: bool
    where: str  # file:line, for error messages and reports


def _bool(raw: str, column: str, allow_empty: bool, problems: list[str], where: str) -> bool | None:
    value = raw.strip().lower()
    if value == "" and allow_empty:
        return None
    if value not in _BOOLS:
        allowed = "true, false or empty" if allow_empty else "true or false"
        problems.append(f"{where}: {column} must be {allowed}, got {raw!r}")
        return None
    return _BOOLS[value]


def parse_rows(
    rows: Iterable[Mapping[str | None, object]], source: str, grounds: Collection[str] = GROUNDS, first_line: int = 2
) -> tuple[list[FactExample], list[str]]:
    """Examples from csv.DictReader rows, and the problems found (the caller decides to raise)."""
    examples: list[FactExample] = []
    problems: list[str] = []
    for n, row in enumerate(rows, start=first_line):
        where = f"{source}:{n}"
        before = len(problems)
        if row.get(None):
            problems.append(f"{where}: more fields than the {len(COLUMNS)} columns (quote a text with commas)")
            continue  # the fields are shifted: their own complaints would only hide this one
        raw = {c: row.get(c) for c in COLUMNS}
        if any(v is None for v in raw.values()):
            problems.append(f"{where}: fewer fields than the {len(COLUMNS)} columns")
            continue
        cells = {c: str(v) for c, v in raw.items()}
        text = cells["text"].strip()
        if not text:
            problems.append(f"{where}: empty text")
        tier_raw = cells["rejecting_tier"].strip()
        tier: int | None = None
        if tier_raw:
            if tier_raw.isdigit() and int(tier_raw) in TIERS:
                tier = int(tier_raw)
            else:
                problems.append(f"{where}: rejecting_tier must be 1-4 or empty, got {tier_raw!r}")
        ground = cells["ground"].strip() or None
        if ground is not None and ground not in grounds:
            problems.append(f"{where}: unknown ground {ground!r} (known: {', '.join(sorted(grounds))})")
        on_list = _bool(cells["material_on_list"], "material_on_list", True, problems, where)
        if on_list is not None and ground != Ground.INCOMPLETE:
            problems.append(f"{where}: material_on_list is only for material demands (ground G1), got ground {ground}")
        key = _bool(cells["key_project"], "key_project", False, problems, where)
        repeated = _bool(cells["repeated"], "repeated", False, problems, where)
        if len(problems) == before:
            examples.append(FactExample(text, tier, ground, on_list, bool(key), bool(repeated), where))
    return examples, problems


def read_file(path: Path, grounds: Collection[str] = GROUNDS) -> tuple[list[FactExample], list[str]]:
    """One CSV file: its examples and problems (a wrong header is one problem for the whole file)."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header = tuple(reader.fieldnames or ())
        if header != COLUMNS:
            return [], [f"{path.name}: header must be {','.join(COLUMNS)}, got {','.join(header) or 'nothing'}"]
        return parse_rows(reader, path.name, grounds)


def load_examples(paths: Sequence[Path] | None = None, grounds: Collection[str] = GROUNDS) -> list[FactExample]:
    """Every example of the given files (default: all CSVs in DATA_DIR), or FactDataError listing all problems."""
    files = sorted(DATA_DIR.glob("*.csv")) if paths is None else list(paths)
    if not files:
        raise FactDataError([f"no dispute-fact CSV files in {DATA_DIR}"])
    examples: list[FactExample] = []
    problems: list[str] = []
    for path in files:
        found, bad = read_file(path, grounds)
        examples += found
        problems += bad
    seen: dict[str, str] = {}
    for e in examples:
        if e.text in seen:
            problems.append(f"{e.where}: duplicate of {seen[e.text]}")
        seen.setdefault(e.text, e.where)
    if problems:
        raise FactDataError(problems)
    return examples
