"""The figures of ``make eval`` and the Markdown page that shows them (docs/evaluation.md).

Pure functions over predictions already collected from the analyze API, so the arithmetic and the
page are unit-tested without a server; scripts/evaluate.py does the talking to the assistant.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.evaluation.heldout import ClassReport, confusion, per_class
from bot.request_types import REQUEST_TYPE_NAMES, REQUEST_TYPE_ORDER


def ordered_labels(labels: set[str]) -> tuple[str, ...]:
    """Known request types in contract order, then anything else alphabetically (never dropped)."""
    known = [t for t in REQUEST_TYPE_ORDER if t in labels]
    return (*known, *sorted(labels - set(known)))


@dataclass(frozen=True)
class RequestTypeScores:
    """Per-class and overall figures; the confusion matrix has gold types as rows."""

    n: int
    accuracy: float
    macro_f1: float
    classes: tuple[ClassReport, ...]
    rows: tuple[str, ...]  # gold labels
    columns: tuple[str, ...]  # gold labels, then labels that were only ever predicted
    matrix: tuple[tuple[int, ...], ...]


def _same_length(a: Sequence[object], b: Sequence[object]) -> None:
    if len(a) != len(b):
        raise ValueError(f"{len(a)} gold labels but {len(b)} predictions")


def score_request_types(gold: Sequence[str], predicted: Sequence[str]) -> RequestTypeScores:
    """Precision, recall and F1 per gold request type, their macro mean, accuracy and confusions."""
    _same_length(gold, predicted)
    rows = ordered_labels(set(gold))
    extra = ordered_labels(set(predicted) - set(rows))
    columns = (*rows, *extra)
    table = confusion(gold, predicted)
    matrix = tuple(tuple(table[g][p] if g in table else 0 for p in columns) for g in rows)
    by_label = {r.label: r for r in per_class(gold, predicted)}
    classes = tuple(by_label[label] for label in rows)
    correct = sum(g == p for g, p in zip(gold, predicted, strict=True))
    return RequestTypeScores(
        n=len(gold),
        accuracy=correct / len(gold) if gold else math.nan,
        macro_f1=sum(c.f1 for c in classes) / len(classes) if classes else math.nan,
        classes=classes,
        rows=rows,
        columns=columns,
        matrix=matrix,
    )


@dataclass(frozen=True)
class DepartmentScore:
    code: str
    n: int
    top1: int

    @property
    def rate(self) -> float:
        return self.top1 / self.n if self.n else math.nan


@dataclass(frozen=True)
class RoutingScores:
    """Top-1/top-3 over all labelled examples; macro is the mean per-department top-1, as in score.py."""

    n: int
    top1: float
    top3: float
    macro: float
    departments: tuple[DepartmentScore, ...]  # most examples first


def score_routing(gold: Sequence[str], ranked: Sequence[Sequence[str]]) -> RoutingScores:
    """How often the labelled department is first, or among the first three, of the ranking."""
    _same_length(gold, ranked)
    n: dict[str, int] = {}
    first: dict[str, int] = {}
    top3 = 0
    for g, codes in zip(gold, ranked, strict=True):
        n[g] = n.get(g, 0) + 1
        first[g] = first.get(g, 0) + (bool(codes) and codes[0] == g)
        top3 += g in codes[:3]
    departments = tuple(
        sorted((DepartmentScore(c, n[c], first[c]) for c in n), key=lambda d: (-d.n, d.code)),
    )
    total = len(gold)
    return RoutingScores(
        n=total,
        top1=sum(first.values()) / total if total else math.nan,
        top3=top3 / total if total else math.nan,
        macro=sum(d.rate for d in departments) / len(departments) if departments else math.nan,
        departments=departments,
    )


@dataclass(frozen=True)
class TierScores:
    """Escalation tier accuracy over a run of rows; a null escalation counts as wrong."""

    first_row: int  # 1-based data rows, header not counted
    last_row: int
    n: int
    correct: int
    null: int
    held_out: bool = False

    @property
    def rows(self) -> str:
        return f"{self.first_row}–{self.last_row}" + (" (held-out)" if self.held_out else "")

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else math.nan


def score_tiers(
    gold: Sequence[str], got: Sequence[int | str | None], first_row: int = 1, held_out: bool = False
) -> TierScores:
    """Compares tiers as text (``"3"`` equals ``3``), the way ../shared/eval/score.py does."""
    _same_length(gold, got)
    correct = sum(t is not None and str(t).strip() == str(g).strip() for g, t in zip(gold, got, strict=True))
    nulls = sum(t is None for t in got)
    return TierScores(first_row, first_row + len(gold) - 1, len(gold), correct, nulls, held_out)


_TOKEN = r"[a-z0-9_]+=(?:[0-9.]+(?:ms)?|nan)"


def summary_line(name: str, stdout: str) -> str | None:
    """score.py's last line if it is the expected one-line summary of figures, else None.

    The check keeps anything else score.py may print (such as an input text in an error message)
    out of the report: only ``name: key=number ...`` passes.
    """
    lines = [line.strip() for line in stdout.splitlines() if line.strip()]
    if not lines:
        return None
    pattern = rf"{re.escape(name)}: n=[0-9]+(?: {_TOKEN})*"
    return lines[-1] if re.fullmatch(pattern, lines[-1]) else None


def summary_fields(line: str) -> dict[str, str]:
    """``key=value`` pairs of a summary line, for a table."""
    return dict(token.split("=", 1) for token in line.split()[1:])


@dataclass(frozen=True)
class ExternalScore:
    """One set of ../shared/eval: the summary line, or why there is none."""

    name: str
    summary: str | None
    problem: str | None = None


@dataclass(frozen=True)
class RunInfo:
    revision: str
    date: str
    model: str
    model_note: str | None  # e.g. why the model is not the one train.sh would use
    held_out: str
    disputes: str


@dataclass(frozen=True)
class EvaluationReport:
    info: RunInfo
    request_types: RequestTypeScores
    routing: RoutingScores
    tiers: tuple[TierScores, ...]
    external: tuple[ExternalScore, ...]
    charts: Mapping[str, str]  # caption -> path relative to docs/


def _f(x: float) -> str:
    return "—" if math.isnan(x) else f"{x:.3f}"


def _named(code: str, names: Mapping[str, str]) -> str:
    return f"{names[code]} `{code}`" if code in names else f"`{code}`"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


EXTERNAL_COLUMNS = ("n", "top1", "top3", "macro", "type", "oos", "p50", "p95")


def render_markdown(
    report: EvaluationReport,
    department_names: Mapping[str, str] | None = None,
    rerun: str = "make eval",
) -> str:
    """docs/evaluation.md: every figure with its n, where it came from, and how to reproduce it."""
    names = department_names or {}
    info = report.info
    rt = report.request_types
    ro = report.routing
    lines = [
        "# Evaluation",
        "",
        f"Figures from `{rerun}` (`scripts/evaluate.py`). Every prediction went through the running assistant's",
        "`POST /webhooks/assist/analyze`, as the hotline console and integrators would call it.",
        "",
        f"- Revision: `{info.revision}`, {info.date}",
        f"- Model: `{info.model}`" + (f" — {info.model_note}" if info.model_note else ""),
        f"- Held-out set: `{info.held_out}` (never used for training); escalation cases: `{info.disputes}`",
        "",
        "## Summary",
        "",
    ]
    summary = [
        ["request type accuracy (held-out)", _f(rt.accuracy), str(rt.n)],
        ["request type macro-F1 (held-out)", _f(rt.macro_f1), str(rt.n)],
        ["department top-1 (held-out)", _f(ro.top1), str(ro.n)],
        ["department top-3 (held-out)", _f(ro.top3), str(ro.n)],
        ["department macro top-1 (held-out)", _f(ro.macro), str(ro.n)],
    ]
    summary += [[f"escalation tier accuracy, rows {t.rows}", _f(t.accuracy), str(t.n)] for t in report.tiers]
    lines += _table(["figure", "value", "n"], summary)

    lines += ["", "## Request types", ""]
    lines += _table(
        ["request type", "precision", "recall", "F1", "support"],
        [
            [
                f"{REQUEST_TYPE_NAMES.get(c.label, c.label)} `{c.label}`",
                *(_f(x) for x in (c.precision, c.recall, c.f1)),
                str(c.support),
            ]
            for c in rt.classes
        ],
    )
    lines += ["", "Confusion matrix (rows: labelled type, columns: predicted type):", ""]
    lines += _table(
        ["labelled \\ predicted", *[f"`{c}`" for c in rt.columns]],
        [[f"`{g}`", *[str(v) if v else "·" for v in row]] for g, row in zip(rt.rows, rt.matrix, strict=True)],
    )

    lines += [
        "",
        "## Routing",
        "",
        f"Held-out examples that carry a department (n={ro.n}): top-1 {_f(ro.top1)}, top-3 {_f(ro.top3)}, "
        f"macro (mean per-department top-1) {_f(ro.macro)}.",
        "",
    ]
    lines += _table(
        ["department", "n", "top-1 correct", "top-1"],
        [[_named(d.code, names), str(d.n), str(d.top1), _f(d.rate)] for d in ro.departments],
    )

    lines += [
        "",
        "### External sets (`../shared/eval/`)",
        "",
        "Measured only, never trained on; other cities' departments and wording, so lower figures are expected.",
        "The line is the last line `python3 ../shared/eval/score.py SET --url …` printed. Its p50/p95 are",
        "latencies under whatever else the machine was doing; `docs/benchmarks.md` has controlled ones.",
        "Earlier figures, and how these sets were used when choosing data and thresholds:",
        "`docs/evaluation-history.md`.",
        "",
    ]
    if report.external:
        rows = []
        for e in report.external:
            fields = summary_fields(e.summary) if e.summary else {}
            rows.append([e.name, *[fields.get(k, "") for k in EXTERNAL_COLUMNS]])
        lines += _table(["set", *EXTERNAL_COLUMNS], rows)
        lines += ["", "```"]
        lines += [e.summary if e.summary else f"{e.name}: not scored ({e.problem})" for e in report.external]
        lines += ["```"]
    else:
        lines += ["Not measured: `../shared/eval/` does not exist on this machine."]

    lines += [
        "",
        "## Escalation tiers",
        "",
        "`escalation.tier` of the analyze API against the file's `expected_tier`; a null escalation counts as wrong.",
        "The held-out rows are reported apart from the others.",
        "",
    ]
    lines += _table(
        ["rows", "correct", "null", "n", "accuracy"],
        [[t.rows, str(t.correct), str(t.null), str(t.n), _f(t.accuracy)] for t in report.tiers],
    )

    if report.charts:
        lines += ["", "## Charts", ""]
        for caption, path in report.charts.items():
            lines += [f"![{caption}]({path})", ""]
        lines.pop()

    lines += [
        "",
        "## Rerun",
        "",
        f"`{rerun}` — uses the model `scripts/train.sh` would use (the newest in `models/`, with a warning, when that",
        "one is not trained yet; `scripts/evaluate.py --train` trains first, `--model PATH` picks one), uses the",
        "assistant answering at `--url` (default port `$SHOUZI_PORT`) or starts one on free loopback ports, and",
        "rewrites this page and `docs/img/`. `../shared/eval/` is scored only where it exists.",
        "",
    ]
    return "\n".join(lines)
