"""Measures the assistant through its analyze API and writes docs/evaluation.md with charts.

Usage: ``make eval``, or after ``source scripts/env.sh``:
``.venv/bin/python scripts/evaluate.py [--url URL] [--model PATH | --train]``.

Uses the assistant answering at ``--url`` (default port ``$SHOUZI_PORT``) or starts one on free
loopback ports and stops it afterwards. Measures request types and routing on the held-out set,
escalation tiers on tests/data/disputes.csv, and, where ../shared/eval exists, its sets through
its own score.py. Only aggregate figures are printed or written; never an input text.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bot.adapters import launcher
from bot.catalog import get_catalog
from bot.evaluation.charts import confusion_chart, department_chart, use_cjk_font
from bot.evaluation.heldout import read_examples
from bot.evaluation.report import (
    EvaluationReport,
    ExternalScore,
    RunInfo,
    render_markdown,
    score_request_types,
    score_routing,
    score_tiers,
    summary_line,
)

ROOT = Path(__file__).resolve().parents[1]
ANALYZE = "/webhooks/assist/analyze"
EXTERNAL_SETS = ("haikou_dev", "teddy_dev", "smp_outofscope_dev")
DISPUTES_SPLIT = 30  # rows 31 on are a held-out set, so they are reported apart from rows 1-30


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def analyze(base: str, text: str, timeout: float = 30) -> dict[str, Any]:
    data = json.dumps({"text": text}, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(base + ANALYZE, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        body = json.loads(resp.read().decode("utf-8"))
    if not isinstance(body, dict):
        raise ValueError("the analyze API did not answer a JSON object")
    return body


def answers(base: str) -> bool:
    try:
        analyze(base, "你好", timeout=5)
        return True
    except (OSError, ValueError):
        return False


def analyze_all(base: str, texts: Sequence[str], what: str) -> list[dict[str, Any]]:
    """Analyses of every text; a failure names the row, never the text (test data stays unseen)."""
    out = []
    for i, text in enumerate(texts, 1):
        try:
            out.append(analyze(base, text))
        except (OSError, ValueError) as err:
            code = err.code if isinstance(err, urllib.error.HTTPError) else type(err).__name__
            raise SystemExit(f"analyze failed on {what} #{i}: {code}") from None
    return out


def choose_model(model: str | None, train: bool) -> tuple[str, str | None]:
    """The model to serve, and a note when it is not the one train.sh would use for this tree."""
    if model:
        return model, None
    if train:
        done = subprocess.run([str(ROOT / "scripts" / "train.sh")], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        if done.returncode:
            raise SystemExit("training failed; see the messages above")
        return done.stdout.strip().splitlines()[-1], None
    check = subprocess.run(
        [str(ROOT / "scripts" / "train.sh"), "--check"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    wanted = check.stdout.strip().splitlines()[-1] if check.stdout.strip() else "?"
    if check.returncode == 0:
        return wanted, None
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    if not models:
        raise SystemExit("no trained model in models/: run `make train` or pass --train")
    newest = str(models[0].relative_to(ROOT))
    note = (
        f"not the current model: scripts/train.sh would train `{Path(wanted).name}` for this tree, "
        "so the newest existing model was evaluated instead"
    )
    log(f"warning: {note}")
    return newest, note


@contextlib.contextmanager
def assistant(model: str) -> Iterator[str]:
    """The assistant on free loopback ports in a throwaway data directory, stopped on exit."""
    data_dir = Path(tempfile.mkdtemp(prefix="shouzi-eval-"))
    log(f"==> starting the assistant with {model}")
    try:
        running = launcher.launch(model, data_dir)
    except launcher.LaunchError as err:
        raise SystemExit(str(err)) from None
    try:
        yield running.base
    finally:
        running.stop(timeout=20)  # let them close the database before its folder goes
        shutil.rmtree(data_dir, ignore_errors=True)


def external(shared_eval: Path, base: str) -> tuple[ExternalScore, ...]:
    """score.py's summary line per set. Its other output is never shown: it can quote the sets."""
    score = shared_eval / "score.py"
    if not score.is_file():
        return ()
    results = []
    for name in EXTERNAL_SETS:
        log(f"==> scoring {name} (../shared/eval/score.py)")
        try:
            done = subprocess.run(
                ["python3", str(score), name, "--url", base + ANALYZE, "--errors", "0"],
                capture_output=True,
                text=True,
                timeout=3600,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            results.append(ExternalScore(name, None, type(err).__name__))
            continue
        line = summary_line(name, done.stdout)
        problem = None if line else f"score.py exited with status {done.returncode} and no summary line"
        results.append(ExternalScore(name, line, problem))
        log(f"    {line or problem}")
    return tuple(results)


def revision() -> str:
    """Short commit, marked dirty when the working tree differs from it (the figures may not be the commit's)."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    status = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    rev = head.stdout.strip() or "unknown"
    return rev + ("+dirty" if status.stdout.strip() else "")


def measure(base: str, held_out: Path, disputes: Path, shared_eval: Path, info: RunInfo) -> EvaluationReport:
    examples = read_examples(held_out)
    log(f"==> held-out set: {len(examples)} examples")
    results = analyze_all(base, [e.text for e in examples], "held-out example")
    request_types = score_request_types([e.request_type for e in examples], [str(r["request_type"]) for r in results])
    routed = [(e.department, r) for e, r in zip(examples, results, strict=True) if e.department]
    routing = score_routing(
        [d for d, _ in routed], [[str(x["code"]) for x in r.get("departments") or []] for _, r in routed]
    )

    with disputes.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    log(f"==> escalation cases: {len(rows)} rows")
    answers_ = analyze_all(base, [r["text"] for r in rows], "disputes.csv row")
    tiers = [(a.get("escalation") or {}).get("tier") for a in answers_]
    gold = [r["expected_tier"] for r in rows]
    splits = [
        score_tiers(gold[:DISPUTES_SPLIT], tiers[:DISPUTES_SPLIT], 1),
        score_tiers(gold[DISPUTES_SPLIT:], tiers[DISPUTES_SPLIT:], DISPUTES_SPLIT + 1, held_out=True),
    ]
    return EvaluationReport(
        info=info,
        request_types=request_types,
        routing=routing,
        tiers=tuple(s for s in splits if s.n),
        external=external(shared_eval, base),
        charts={},
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('SHOUZI_PORT', '5005')}")
    ap.add_argument("--model", help="model to serve (default: the one scripts/train.sh would use)")
    ap.add_argument("--train", action="store_true", help="train first if the current model does not exist")
    ap.add_argument("--held-out", type=Path, default=ROOT / "tests" / "nlu" / "held_out.yml")
    ap.add_argument("--disputes", type=Path, default=ROOT / "tests" / "data" / "disputes.csv")
    ap.add_argument("--shared-eval", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "evaluation.md")
    a = ap.parse_args()

    def rel(p: Path) -> str:
        return str(p.resolve().relative_to(ROOT)) if p.resolve().is_relative_to(ROOT) else str(p)

    rev = revision()
    date = datetime.date.today().isoformat()
    with contextlib.ExitStack() as stack:
        if answers(a.url):
            base, note = a.url, None
            model = a.model or f"unknown: the assistant already answering at {a.url}"
            log(f"==> using the assistant at {a.url}")
        else:
            model, note = choose_model(a.model, a.train)
            base = stack.enter_context(assistant(model))
        info = RunInfo(rev, date, Path(model).name, note, rel(a.held_out), rel(a.disputes))
        report = measure(base, a.held_out, a.disputes, a.shared_eval, info)

    img = a.out.parent / "img"
    cjk = use_cjk_font()
    names = {d.code: d.short for d in get_catalog().departments.values()}
    charts = {
        "Request types: confusion matrix": confusion_chart(report.request_types, img / "request_types.png", cjk),
        "Department top-1": department_chart(report.routing, img / "department_top1.png", names, cjk),
    }
    report = EvaluationReport(
        report.info,
        report.request_types,
        report.routing,
        report.tiers,
        report.external,
        {caption: str(path.relative_to(a.out.parent)) for caption, path in charts.items()},
    )
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(render_markdown(report, names), encoding="utf-8")

    rt, ro = report.request_types, report.routing
    print(f"revision {rev}  model {info.model}" + ("  (NOT the current model, see the page)" if note else ""))
    print(f"request types (n={rt.n}): accuracy {rt.accuracy:.3f}  macro-F1 {rt.macro_f1:.3f}")
    for c in rt.classes:
        print(f"  {c.label:18s} P={c.precision:.3f} R={c.recall:.3f} F1={c.f1:.3f} n={c.support}")
    print(f"departments (n={ro.n}): top-1 {ro.top1:.3f}  top-3 {ro.top3:.3f}  macro {ro.macro:.3f}")
    for t in report.tiers:
        print(f"escalation tier, rows {t.rows}: {t.correct}/{t.n} = {t.accuracy:.3f} (null {t.null})")
    for e in report.external:
        print(e.summary or f"{e.name}: not scored ({e.problem})")
    print(f"wrote {rel(a.out)} and {', '.join(rel(p) for p in charts.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
