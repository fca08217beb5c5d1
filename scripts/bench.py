"""``make bench``: latency, throughput, memory, start-up and training time of 首咨助手 beside a stock Rasa.

Why a baseline: milliseconds depend on the machine and on whatever else runs on it. An assistant made with Rasa's
own defaults (``rasa init``), started and loaded in the same run on the same machine, turns every figure into a
ratio that says what our pipeline, policy and action server cost on top of Rasa itself.

Usage: ``make bench`` (starts the assistant when none answers) or
``python scripts/bench.py [--fresh-start] [--train] [--profile] [--seconds S] [--render-only] [--widget]``
(``--widget``: only the website widget's gzipped size, in a moment and without servers).
Loopback only; every phase is bounded in time; everything started here is stopped on exit, Ctrl-C or error.
Writes ``docs/benchmarks.md`` (keeping its notes section) and ``docs/img/latency.png``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import fcntl
import gzip
import json
import math
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, astuple, dataclass, field
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any

import aiohttp

from bot.adapters import launcher
from bot.adapters.launcher import free_port, post_status

ROOT = Path(__file__).resolve().parents[1]
RASA = ROOT / ".venv" / "bin" / "rasa"
DOC = ROOT / "docs" / "benchmarks.md"
PLOT = ROOT / "docs" / "img" / "latency.png"
# The website widget is measured too (issue 13): what a visitor's browser downloads, gzipped as served.
WIDGET = ROOT / "bot" / "adapters" / "channels" / "web_static" / "widget.js"
WIDGET_TARGET_KB = 30
TRAIN_LOCK = Path("/tmp/shouzi-train.lock")
HOST = "127.0.0.1"
CONCURRENCY = (1, 8, 32)
NOTES_MARKER = (
    "<!-- Everything below this line is hand-written; scripts/bench.py keeps it when it rewrites the file. -->"
)

OURS, BASE = "ours", "baseline"
ANALYZE, REST = "analyze", "rest"
ENDPOINT_NAMES = {
    ANALYZE: "analyze `POST /webhooks/assist/analyze` (baseline: `POST /model/parse`)",
    REST: "consult turn `POST /webhooks/rest/webhook`",
}

# Short colloquial consult texts written for this benchmark (never taken from test or evaluation sets).
TEXTS = [
    "开奶茶店要办咩证",
    "补办身份证要带什么材料",
    "公司拖欠工资三个月点算",
    "楼下大排档占道经营",
    "二手房过户要几耐",
    "异地就医备案怎么办",
    "我喺西樵想办食品经营许可证",
    "退休手续去边度办",
    "护照过期了想换新",
    "工地半夜打桩好嘈",
    "小孩积分入学要咩资料",
    "公积金提取流程",
    "新生儿上户口要带咩",
    "驾驶证到期点样换",
    "想问下失业金点领",
    "个体户营业执照网上可以办吗",
    "社保卡唔见咗点补",
    "老人家想申请高龄津贴",
    "门口条路烂咗好耐冇人修",
    "结婚登记使唔使预约",
    "居住证要准备什么资料",
    "开药店需要办什么许可",
]


# ---------------------------------------------------------------------------------------------------------------
# Pure helpers: statistics, formatting, targets, rendering (unit-tested in tests/scripts/test_bench.py).


@dataclass(frozen=True)
class Point:
    """One load point: one endpoint of one system at one number of concurrent conversations."""

    system: str
    endpoint: str
    concurrency: int
    n: int
    errors: int
    seconds: float
    p50: float
    p95: float
    p99: float

    @property
    def throughput(self) -> float:
        """Successful messages per second of wall time."""
        return self.n / self.seconds if self.seconds > 0 else math.nan


@dataclass(frozen=True)
class Recorded:
    """A figure and when it was measured: training and start-up may come from an earlier run."""

    value: float
    measured_at: str
    fresh: bool = False

    def describe(self, unit: str = "s") -> str:
        when = "this run" if self.fresh else f"recorded {self.measured_at}"
        return f"{self.value:.1f} {unit} ({when})"


@dataclass(frozen=True)
class ProfileTable:
    """CPU samples of one of our processes while one endpoint is under load, by who owns the code."""

    endpoint: str
    process: str
    samples: int
    idle: float
    owners: dict[str, float]
    top: list[tuple[str, float]]


@dataclass(frozen=True)
class Machine:
    """What the figures were measured on."""

    cpu: str
    cores: int
    ram_gib: float
    python: str
    rasa: str
    rasa_sdk: str
    revision: str


@dataclass(frozen=True)
class AssetSize:
    raw: int
    gzipped: int


def asset_size(path: Path) -> AssetSize:
    """Bytes of a static asset as stored and as served gzipped (level 9, like the web channel)."""
    body = path.read_bytes()
    return AssetSize(len(body), len(gzip.compress(body, 9, mtime=0)))


@dataclass
class Report:
    """Everything ``make bench`` measured (or took from an earlier run), ready to render."""

    date: str
    machine: Machine
    seconds_per_point: float
    turns_per_conversation: int
    points: list[Point]
    rss_mb: dict[str, dict[str, float]]
    startup: dict[str, Recorded | None]
    training: dict[str, Recorded | None]
    profile: list[ProfileTable] = field(default_factory=list)
    profile_measured_at: str | None = None
    command: str = "scripts/bench.py"
    widget: AssetSize | None = None
    wechat: WeChatLoad | None = None
    console: ConsoleTyping | None = None
    # Proportional set size (shared pages divided among the processes sharing them), per process, MB.
    pss_mb: dict[str, dict[str, float]] = field(default_factory=dict)
    workers: int = 1  # Rasa server processes (SHOUZI_WORKERS) of the measured assistant
    scaling: list[Point] = field(default_factory=list)  # the same load on one Rasa process (system "1 process")
    long_run: LongRun | None = None


@dataclass(frozen=True)
class LongRun:
    """A long conversation: does a turn cost more at turn 50 than at turn 1?"""

    conversations: int
    turns: int
    first_p50: float  # ms, turns 1–5 of every conversation
    last_p50: float  # ms, the last five turns
    errors: int


def summarise_long_run(conversations: int, by_turn: Sequence[Sequence[float]], errors: int) -> LongRun:
    """``by_turn[i]``: latencies of turn i+1 across the conversations."""
    first = [ms for turn in by_turn[:5] for ms in turn]
    last = [ms for turn in by_turn[-5:] for ms in turn]
    return LongRun(conversations, len(by_turn), percentile(first, 50), percentile(last, 50), errors)


def long_run_line(r: LongRun | None) -> str:
    if r is None:
        return "Long conversation: not measured in this run."
    return (
        f"{r.conversations} conversations of {r.turns} turns each, at once: turn p50 {num(r.first_p50)} ms over "
        f"turns 1–5, {num(r.last_p50)} ms over turns {r.turns - 4}–{r.turns} "
        f"({ratio(r.last_p50, r.first_p50)}), {r.errors} errors"
    )


@dataclass(frozen=True)
class WeChatLoad:
    """WeChat users writing at once: how each was answered (passive XML or 客服消息) and how fast."""

    users: int
    passive: int
    by_customer_service: int
    lost: int
    within_5s: float  # share of users answered within WeChat's 5 seconds (either way)
    passive_p50: float  # ms, the passive path
    customer_service_p50: float  # ms, from the POST until the 客服 message reached the (fake) WeChat API


def summarise_wechat(samples: Sequence[tuple[str, float | None]]) -> WeChatLoad:
    """``samples``: per user, the path (``passive``/``custom``) and ms until answered (None: never)."""
    passive = [ms for path, ms in samples if path == "passive" and ms is not None]
    custom = [ms for path, ms in samples if path == "custom" and ms is not None]
    answered = [ms for _, ms in samples if ms is not None]
    users = len(samples)
    return WeChatLoad(
        users=users,
        passive=len(passive),
        by_customer_service=len(custom),
        lost=users - len(answered),
        within_5s=(sum(1 for ms in answered if ms <= 5000) / users) if users else float("nan"),
        passive_p50=percentile(passive, 50),
        customer_service_p50=percentile(custom, 50),
    )


@dataclass(frozen=True)
class ConsoleTyping:
    """The hotline console's analysis round trip as an agent types a call: one analysis per keystroke burst."""

    calls: int
    requests: int
    errors: int
    p50: float  # ms, POST /webhooks/assist/console/analyze (login, transcript reading, NLU, script, draft)
    p95: float


# Calls an agent types in the benchmark (each sent as it grows, CONSOLE_STEP characters at a time).
CONSOLE_CALLS = (
    "坐席：您好，12345热线，请问有什么可以帮您？\n市民：我去窗口办食品经营许可证，窗口话我少咗营业执照复印件，"
    "叫我补齐先再嚟，我觉得冇必要啊。\n坐席：好的，请问您怎么称呼？\n市民：我姓陈，电话13912345678",
    "您好 12345热线 请问有什么可以帮您 嗯 我想问下 开餐厅要办咩证 喺桂城 要带啲咩资料 几耐可以搞掂 "
    "好的 请问还有其他问题吗 冇了 多谢",
    "市民：工地夜晚十二点仲打桩，吵到成栋楼都瞓唔着，已经投诉过两次都冇人理",
)
CONSOLE_STEP = 6


def typing_prefixes(text: str, step: int = CONSOLE_STEP) -> list[str]:
    """What the console sends while a call is typed: the text every ``step`` characters, then the whole."""
    out = [text[:i] for i in range(step, len(text), step) if text[:i].strip()]
    return [*out, text] if text.strip() else out


def summarise_console(calls: int, ms: Sequence[float], errors: int) -> ConsoleTyping:
    return ConsoleTyping(calls, len(ms), errors, percentile(ms, 50), percentile(ms, 95))


def console_line(c: ConsoleTyping | None) -> str:
    if c is None:
        return "Console typing: not measured (an already running assistant was used, so no agent account)"
    return (
        f"Console analysis as the agent types ({c.calls} calls, {c.requests} analyses, {c.errors} errors): "
        f"p50 {num(c.p50)} ms, p95 {num(c.p95)} ms"
    )


def wechat_line(w: WeChatLoad | None, rest_p50: float | None) -> str:
    if w is None:
        return "WeChat load: not measured (an already running assistant without SHOUZI_WECHAT_TOKEN was used)"
    return (
        f"WeChat {w.users} concurrent users: {w.within_5s:.0%} answered within 5 s "
        f"({w.passive} passive, {w.by_customer_service} by 客服消息, {w.lost} lost); "
        f"passive p50 {num(w.passive_p50)} ms beside the REST turn's {num(rest_p50)} ms; "
        f"客服 p50 {num(w.customer_service_p50)} ms"
    )


@dataclass(frozen=True)
class Target:
    """A target from the issue: not a timed test, just recorded with PASS/FAIL."""

    name: str
    measured: str
    passed: bool | None


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100), interpolating between ranks like numpy, so p99 of 50 samples isn't the max."""
    if not samples:
        return math.nan
    s = sorted(samples)
    pos = (len(s) - 1) * q / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def summarise(system: str, endpoint: str, concurrency: int, ms: Sequence[float], errors: int, wall: float) -> Point:
    """Percentiles of the successful requests; errors are counted, not timed."""
    return Point(
        system,
        endpoint,
        concurrency,
        len(ms),
        errors,
        wall,
        percentile(ms, 50),
        percentile(ms, 95),
        percentile(ms, 99),
    )


def _missing(x: float | None) -> bool:
    return x is None or math.isnan(x)


def ratio(ours: float | None, base: float | None) -> str:
    """``ours / baseline`` as ``0.42×``; ``—`` when either figure is missing or the baseline is zero."""
    if ours is None or base is None or _missing(ours) or _missing(base) or base == 0:
        return "—"
    return f"{ours / base:.2f}×"


def num(x: float | None, digits: int = 1) -> str:
    """A figure, or ``—`` when it wasn't measured."""
    return "—" if x is None or _missing(x) else f"{x:.{digits}f}"


def beside(ours: float | None, base: float | None, digits: int = 1) -> str:
    """``ours / baseline (ratio)``: every figure with its baseline and ratio next to it."""
    return f"{num(ours, digits)} / {num(base, digits)} ({ratio(ours, base)})"


def verdict(passed: bool | None) -> str:
    return "not measured" if passed is None else ("PASS" if passed else "FAIL")


def find_point(points: Iterable[Point], system: str, endpoint: str, concurrency: int) -> Point | None:
    return next(
        (p for p in points if (p.system, p.endpoint, p.concurrency) == (system, endpoint, concurrency)),
        None,
    )


def stat(p: Point | None, name: str) -> float | None:
    """A statistic (``p50``, ``p99``, ``throughput`` …) of a load point that may be missing."""
    return None if p is None else float(getattr(p, name))


def value(r: Recorded | None) -> float | None:
    return None if r is None else r.value


def _check(x: float | None, ok: Callable[[float], bool]) -> bool | None:
    return None if x is None or _missing(x) else ok(x)


def widget_target(size: AssetSize | None) -> Target:
    kb = None if size is None else size.gzipped / 1024
    measured = "—" if size is None else f"{kb:.1f} KB gzipped ({size.raw / 1024:.1f} KB raw)"
    return Target(
        f"website widget ≤ {WIDGET_TARGET_KB} KB gzipped", measured, _check(kb, lambda v: v <= WIDGET_TARGET_KB)
    )


def memory_total(report: Report) -> tuple[float | None, float | None]:
    """Everything our ``make run`` starts: (proportional set size, plain sum of resident sizes), MB."""
    pss, rss = report.pss_mb.get(OURS, {}), report.rss_mb.get(OURS, {})
    return (sum(pss.values()) or None), (sum(rss.values()) or None)


def targets(report: Report) -> list[Target]:
    """The targets of issue #16 (and the earlier ones still worth keeping), on this report's figures."""
    pts = report.points
    a8, r8, r32 = (find_point(pts, OURS, e, c) for e, c in ((ANALYZE, 8), (REST, 8), (REST, 32)))
    rows = [
        Target(
            "analyze at 8 concurrent: ≥ 250/s, 0 errors",
            f"{num(stat(a8, 'throughput'))}/s, {a8.errors if a8 else '—'} errors",
            None if a8 is None else a8.throughput >= 250 and a8.errors == 0,
        ),
        Target(
            "analyze p50 ≤ 30 ms at 8 concurrent",
            f"{num(stat(a8, 'p50'))} ms",
            _check(stat(a8, "p50"), lambda v: v <= 30),
        ),
        Target(
            "analyze p99 ≤ 100 ms at 8 concurrent",
            f"{num(stat(a8, 'p99'))} ms",
            _check(stat(a8, "p99"), lambda v: v <= 100),
        ),
        Target(
            "consult turn at 8 concurrent: ≥ 50/s, p50 ≤ 150 ms, 0 errors",
            f"{num(stat(r8, 'throughput'))}/s, p50 {num(stat(r8, 'p50'))} ms, {r8.errors if r8 else '—'} errors",
            None if r8 is None else r8.throughput >= 50 and r8.p50 <= 150 and r8.errors == 0,
        ),
        Target(
            "consult turn at 32 concurrent: 0 errors, p99 < 1 s",
            f"p99 {num(stat(r32, 'p99'))} ms, {r32.errors if r32 else '—'} errors",
            None if r32 is None else r32.p99 < 1000 and r32.errors == 0,
        ),
    ]
    for c in CONCURRENCY:
        ours, base = stat(find_point(pts, OURS, REST, c), "p50"), stat(find_point(pts, BASE, REST, c), "p50")
        rel = None if ours is None or base is None or not base else ours / base
        rows.append(
            Target(
                f"consult turn p50 ≤ 1.2× baseline at {c} concurrent",
                f"{num(ours)} vs {num(base)} ms = {ratio(ours, base)}",
                _check(rel, lambda v: v <= 1.2),
            )
        )
    pss, rss = memory_total(report)
    rows.append(
        Target(
            "memory of everything `make run` starts ≤ 1.5 GB (proportional set size)",
            f"{num(pss, 0)} MB (plain sum of resident sizes, shared pages counted in every process: {num(rss, 0)} MB)",
            _check(pss, lambda v: v <= 1500),
        )
    )
    train, start = report.training.get(OURS), report.startup.get(OURS)
    cores = "" if report.machine.cores == 2 else f" (this machine has {report.machine.cores} cores)"
    rows.append(
        Target(
            "full training ≤ 3 min on 2 cores" + cores,
            train.describe() if train else "—",
            _check(value(train), lambda v: v <= 180),
        )
    )
    rows.append(
        Target("ready ≤ 30 s after start", start.describe() if start else "—", _check(value(start), lambda v: v <= 30))
    )
    rows.append(widget_target(report.widget))
    return rows


PROCESS_NAMES = {"actions": "action server", "scheduler": "deadline scheduler"}

# What the hot files of a profile do, so the table reads without opening them.
FILE_ROLES = {
    "rasa/utils/tensorflow/models.py": "DIET inference",
    "rasa/nlu/featurizers/sparse_featurizer/count_vectors_featurizer.py": "count-vector featurizers",
    "rasa/nlu/featurizers/sparse_featurizer/lexical_syntactic_featurizer.py": "lexical featurizer",
    "rasa/shared/nlu/training_data/features.py": "combining sparse features",
    "rasa/engine/runner/dask.py": "graph runner",
    "rasa/core/run.py": "Sanic HTTP handling",
    "rasa/core/actions/action.py": "custom action call, response schema check",
    "rasa/core/tracker_store.py": "SQL tracker store: load and save",
    "rasa/shared/utils/common.py": "event class lookup when loading events",
    "rasa/shared/core/trackers.py": "tracker replay",
    "rasa/utils/endpoints.py": "HTTP client to the action server",
    "rasa_sdk/endpoint.py": "action server's Sanic HTTP handling",
    "bot/routing/department_model.py": "department model",
    "bot/adapters/nlu/components.py": "catalog entities, department ranking",
    "bot/records/store.py": "records written every turn",
    "bot/records/db.py": "records database sessions",
}


def role(file: str) -> str:
    return f"{file} ({FILE_ROLES[file]})" if file in FILE_ROLES else file


def split_notes(markdown: str) -> str | None:
    """The hand-written part of an existing benchmarks page (after the marker), or None when it has no marker."""
    _, sep, tail = markdown.partition(NOTES_MARKER)
    return tail.strip("\n") if sep else None


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def render_markdown(report: Report, notes: str) -> str:
    """The whole ``docs/benchmarks.md``: figures, ratios, targets, machine, profile, then the kept notes."""
    m = report.machine
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `make bench` (`{report.command}`) on {report.date}, revision `{m.revision}`.",
        f"Machine: {m.cpu}, {m.cores} cores, {m.ram_gib:.1f} GiB RAM; Python {m.python}, Rasa {m.rasa}, "
        f"rasa-sdk {m.rasa_sdk}.",
        "",
        "Every figure is **ours / baseline (ratio)**. The baseline is Rasa's own default assistant "
        "(`rasa init --no-prompt`: default pipeline and policies, moodbot data) served by "
        "`rasa run --enable-api`; it has no analyze API, so analyze is compared with its `POST /model/parse`, "
        "and the consult turn with its REST turn. Loopback only; the same short colloquial Chinese consult texts "
        f"go to both; each concurrent worker is one conversation with its own sender id (a new one after "
        f"{report.turns_per_conversation} turns, so trackers stay conversation-sized); "
        f"{report.seconds_per_point:.0f} s per point after a warm-up. Latency in ms, throughput in successful "
        "messages per second, memory in MB (10⁶ bytes).",
        "",
        "## Targets",
        "",
    ]
    lines += _table(
        ["target", "measured", "result"], ([t.name, t.measured, verdict(t.passed)] for t in targets(report))
    )
    lines += ["", "## Latency and throughput", ""]
    rows = []
    for endpoint in (ANALYZE, REST):
        for c in CONCURRENCY:
            o, b = find_point(report.points, OURS, endpoint, c), find_point(report.points, BASE, endpoint, c)
            if o is None and b is None:
                continue
            rows.append(
                [
                    ENDPOINT_NAMES[endpoint],
                    str(c),
                    *(beside(stat(o, k), stat(b, k)) for k in ("p50", "p95", "p99", "throughput")),
                    f"{o.errors if o else '—'} / {b.errors if b else '—'}",
                    f"{o.n if o else '—'} / {b.n if b else '—'}",
                ]
            )
    lines += _table(["endpoint", "concurrent", "p50", "p95", "p99", "msg/s", "errors", "n"], rows)
    lines += ["", "![p50 and p99 latency against concurrency, ours and baseline](img/latency.png)", ""]
    lines += ["## One process or two", ""]
    scale_rows = []
    for label, pts_, system in (
        ("1 Rasa process (`SHOUZI_WORKERS=1`)", report.scaling, "1 process"),
        (f"{report.workers} Rasa processes (the default)", report.points, OURS),
    ):
        for endpoint in (ANALYZE, REST):
            p = find_point(pts_, system, endpoint, 8)
            if p is not None:
                name = ENDPOINT_NAMES[endpoint].split(" (")[0]
                scale_rows.append([label, name, num(p.throughput), num(p.p50), num(p.p99), str(p.errors)])
    if scale_rows:
        lines += _table(["layout", "endpoint (8 concurrent)", "msg/s", "p50", "p99", "errors"], scale_rows)
    else:
        lines += ["Not measured in this run (`--fresh-start` measures it)."]
    lines += [
        "",
        "Both on this machine, one after the other, with the same load; the action server and the deadline "
        "scheduler are the same single processes in both.",
        "",
        "## Long conversation",
        "",
        long_run_line(report.long_run),
        "",
        "Each conversation keeps one sender id for all its turns; the tracker store loads only the latest events "
        "of the session (`bot/adapters/stores/tracker_store.py`, `HOT_EVENTS`), so a late turn should cost what "
        "an early one does.",
        "",
    ]
    lines += ["## Memory, start-up, training", ""]
    ours_rss, base_rss = report.rss_mb.get(OURS, {}), report.rss_mb.get(BASE, {})
    ours_pss, base_pss = report.pss_mb.get(OURS, {}), report.pss_mb.get(BASE, {})
    rasa_label = f"Rasa server ({report.workers} worker{'s' if report.workers > 1 else ''} and their parent)"
    mem_rows = []
    for name in ours_rss:
        label = rasa_label if name == "rasa" else PROCESS_NAMES.get(name, name)
        base_cells = (
            [num(base_pss.get(name), 0), num(base_rss.get(name), 0)] if name == "rasa" else ["— (none)", "— (none)"]
        )
        mem_rows.append([label, num(ours_pss.get(name), 0), num(ours_rss.get(name), 0), *base_cells])
    mem_rows.append(
        [
            "**total**",
            num(sum(ours_pss.values()) or None, 0),
            num(sum(ours_rss.values()) or None, 0),
            num(sum(base_pss.values()) or None, 0),
            num(sum(base_rss.values()) or None, 0),
        ]
    )
    lines += _table(["memory (MB)", "ours PSS", "ours RSS", "baseline PSS", "baseline RSS"], mem_rows)
    lines += [
        "",
        "PSS (proportional set size, from `/proc/PID/smaps_rollup`) charges each shared page to the processes "
        "sharing it in equal parts, so the PSS of several processes adds up to the memory they occupy together. "
        "RSS counts a shared page once in every process that maps it: the Sanic workers are forked from one "
        "parent and all map TensorFlow's libraries (Rasa imports them even though our pipeline uses none), so "
        "the plain RSS sum counts those pages several times. Both are read after the load.",
        "",
    ]
    mem_rows = []
    for label, figures in (("ready after start (s)", report.startup), ("full training (s)", report.training)):
        ro, rb = figures.get(OURS), figures.get(BASE)
        mem_rows.append([label, _recorded(ro), _recorded(rb), ratio(value(ro), value(rb))])
    lines += _table(["figure", "ours", "baseline", "ratio"], mem_rows)
    lines += [
        "",
        "Ready: from launching `scripts/run.sh` (baseline: "
        "`rasa run`) to the first 200 from analyze (baseline: `/model/parse`). Training: `rasa train` of "
        "`config.yml` with an empty cache (`scripts/bench.py --train`); the "
        "baseline's is `rasa init --no-prompt` training its small default project.",
    ]
    lines += [
        "",
        "## WeChat door",
        "",
        wechat_line(report.wechat, stat(find_point(report.points, OURS, REST, 1), "p50")),
    ]
    lines += [
        "",
        "Each user posts one signed text to `/webhooks/wechat/webhook` at the same time; a fake WeChat API on "
        "loopback receives the 客服消息 of answers that missed the passive-reply budget (4 s). Goal: 100 % within 5 s.",
    ]
    lines += ["", "## Hotline console", "", console_line(report.console)]
    lines += [
        "",
        f"An agent account types {len(CONSOLE_CALLS)} calls into `/webhooks/assist/console/analyze`, one request every "
        f"{CONSOLE_STEP} characters (as the console sends them), one after another: the analysis the agent waits for.",
    ]
    if report.profile:
        lines += ["", f"## CPU profile (py-spy, {report.profile_measured_at})", ""]
        lines += [
            "Our processes under 8 concurrent conversations; each sample is charged to the innermost frame that is "
            "ours (`bot/`, `actions/`), Rasa's (`rasa/`, `rasa_sdk/`), else to the library it is in.",
            "",
        ]
        prof_rows = []
        for t in report.profile:
            owners = ", ".join(f"{k} {v:.0%}" for k, v in sorted(t.owners.items(), key=lambda kv: -kv[1]))
            top = "<br>".join(f"{v:.0%} {role(k)}" for k, v in t.top)
            load = ENDPOINT_NAMES[t.endpoint].split(" (")[0]
            prof_rows.append([load, t.process, f"{t.samples} (idle {t.idle:.0%} left out)", owners, top])
        lines += _table(["load", "process", "busy samples", "owners", "top code"], prof_rows)
    lines += ["", "## Notes", "", NOTES_MARKER, "", notes.strip("\n"), ""]
    return "\n".join(lines)


def _cells(ours: float | None, base: float | None, digits: int) -> list[str]:
    return [num(ours, digits), num(base, digits), ratio(ours, base)]


def _recorded(r: Recorded | None) -> str:
    return "not measured" if r is None else r.describe()


def render_console(report: Report) -> str:
    """What ``make bench`` prints: the load table, memory/start-up/training and the targets."""
    out = [f"{'endpoint':9} {'conc':>4} {'system':8} {'n':>5} {'err':>4} {'p50':>8} {'p95':>8} {'p99':>8} {'msg/s':>7}"]
    for p in sorted(report.points, key=lambda p: (p.endpoint, p.concurrency, p.system != OURS)):
        out.append(
            f"{p.endpoint:9} {p.concurrency:4d} {p.system:8} {p.n:5d} {p.errors:4d} {num(p.p50):>8} {num(p.p95):>8} "
            f"{num(p.p99):>8} {num(p.throughput):>7}"
        )
        if p.system == BASE:
            o = find_point(report.points, OURS, p.endpoint, p.concurrency)
            if o:
                out.append(
                    f"{'':24} ratio ours/baseline: p50 {ratio(o.p50, p.p50)}  p99 {ratio(o.p99, p.p99)}  "
                    f"msg/s {ratio(o.throughput, p.throughput)}"
                )
    for system, procs in report.rss_mb.items():
        out.append(f"RSS {system}: " + ", ".join(f"{k} {v:.0f} MB" for k, v in procs.items()))
    for label, figures in (("ready after start", report.startup), ("full training", report.training)):
        out.append(f"{label}: ours {_recorded(figures.get(OURS))}, baseline {_recorded(figures.get(BASE))}")
    out.append(wechat_line(report.wechat, stat(find_point(report.points, OURS, REST, 1), "p50")))
    out.append(console_line(report.console))
    out += [f"{verdict(t.passed):12} {t.name}: {t.measured}" for t in targets(report)]
    return "\n".join(out)


def proc_field_kb(text: str, key: str) -> int | None:
    """``VmRSS:  1234 kB`` from /proc/PID/status (or ``MemTotal`` from /proc/meminfo), in kB."""
    match = re.search(rf"^{re.escape(key)}:\s+(\d+)\s*kB", text, re.MULTILINE)
    return int(match.group(1)) if match else None


def pids_from_ss(output: str) -> list[int]:
    """Process ids in ``ss -ltnp`` output (``users:(("python",pid=123,fd=9))``)."""
    return sorted({int(p) for p in re.findall(r"pid=(\d+)", output)})


_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def owner(frame: str, root: Path = ROOT) -> tuple[str, str] | None:
    """``(owner, file)`` for a py-spy frame that is ours or Rasa's, None for anything else."""
    match = _FRAME.match(frame)
    path = match.group("file") if match else frame
    rasa = re.search(r"/site-packages/(rasa_sdk|rasa)/(.+)$", path)
    if rasa:
        return ("rasa_sdk" if rasa.group(1) == "rasa_sdk" else "rasa", f"{rasa.group(1)}/{rasa.group(2)}")
    rel = path[len(str(root)) + 1 :] if path.startswith(str(root) + "/") else path
    if rel.startswith(("bot/", "actions/")):
        return "ours", rel
    return None


def library(frame: str) -> str:
    """Which library a frame outside ours and Rasa's is in (``sanic``, ``tensorflow``, ``python: json`` …)."""
    match = _FRAME.match(frame)
    path = match.group("file") if match else frame
    site = re.search(r"/site-packages/([^/]+)", path)
    if site:
        return site.group(1).removesuffix(".py")
    std = re.search(r"/python3\.\d+/([^/]+)", path)
    return f"python: {std.group(1).removesuffix('.py')}" if std else "other"


# Where a sampled thread is only waiting. py-spy leaves idle threads out by asking the OS, but on this VM
# threads blocked in these places still show up as running.
IDLE_LEAVES = (
    ("concurrent/futures/thread.py", "_worker"),
    ("threading.py", "wait"),
    ("queue.py", "get"),
    ("selectors.py", "select"),
    ("sanic/server/runners.py", "serve"),
    ("asyncio/base_events.py", "run_forever"),
)


def is_idle(frame: str) -> bool:
    """Whether a leaf frame is a thread waiting (a thread-pool worker, the event loop in epoll …)."""
    match = _FRAME.match(frame)
    if not match:
        return False
    return any(match.group("file").endswith(f) and match.group("func") == fn for f, fn in IDLE_LEAVES)


@dataclass(frozen=True)
class Attribution:
    """py-spy samples of one process charged to owners and files; idle samples counted apart."""

    busy: int
    idle: int
    owners: Counter[str]
    files: Counter[str]


def attribute(lines: Iterable[str], root: Path = ROOT) -> Attribution:
    """Charge each busy sample of py-spy's raw (collapsed) output to the innermost owned frame.

    Owners are ours, rasa, rasa_sdk, or other when neither is on the stack (then the file is the library).
    """
    owners: Counter[str] = Counter()
    files: Counter[str] = Counter()
    busy = idle = 0
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        if is_idle(frames[-1]):
            idle += n
            continue
        busy += n
        found = next((o for o in (owner(f, root) for f in reversed(frames)) if o), None)
        who, where = found if found else ("other", f"({library(frames[-1])})")
        owners[who] += n
        files[where] += n
    return Attribution(busy, idle, owners, files)


def profile_table(endpoint: str, process: str, lines: Iterable[str], top: int = 8, root: Path = ROOT) -> ProfileTable:
    """Shares (0–1) of busy samples per owner and the ``top`` files or libraries, from py-spy raw output."""
    a = attribute(lines, root)
    share = {k: v / a.busy for k, v in a.owners.items()} if a.busy else {}
    top_files = [(k, v / a.busy) for k, v in a.files.most_common(top)] if a.busy else []
    idle = a.idle / (a.busy + a.idle) if a.busy + a.idle else 0.0
    return ProfileTable(endpoint, process, a.busy, idle, share, top_files)


# ---------------------------------------------------------------------------------------------------------------
# Machine, processes and files.


class BenchError(RuntimeError):
    """A phase of the benchmark could not run; the message says where to look."""


def now() -> str:
    return dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")


def data_dir() -> Path:
    return Path(os.environ.get("SHOUZI_DATA_DIR", ROOT / "var")) / "bench"


def read_recorded(path: Path) -> Recorded | None:
    """A figure an earlier run wrote (training, start-up), or None."""
    try:
        raw = json.loads(path.read_text())
        return Recorded(float(raw["seconds"]), str(raw["measured_at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n")
    os.replace(tmp, path)


def record(path: Path, seconds: float, **extra: Any) -> Recorded:
    r = Recorded(seconds, now(), fresh=True)
    write_json(path, {"seconds": round(seconds, 2), "measured_at": r.measured_at, **extra})
    return r


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()


def machine() -> Machine:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    mem_kb = proc_field_kb(Path("/proc/meminfo").read_text(), "MemTotal") or 0
    revision = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain"):
        revision += "+dirty"
    return Machine(
        cpu=model.group(1).strip() if model else platform.processor() or "unknown CPU",
        cores=len(os.sched_getaffinity(0)),
        ram_gib=mem_kb / 2**20,
        python=platform.python_version(),
        rasa=metadata.version("rasa"),
        rasa_sdk=metadata.version("rasa-sdk"),
        revision=revision,
    )


def project_env(**extra: str) -> dict[str, str]:
    """The environment scripts/env.sh gives the project's commands (quiet, offline, telemetry off)."""
    base = {k: v for k, v in os.environ.items() if k != "ACTION_ENDPOINT_URL"} | extra
    out = subprocess.run(
        ["bash", "-c", "source scripts/env.sh && env -0"], cwd=ROOT, env=base, capture_output=True, check=True
    ).stdout.decode()
    return dict(item.split("=", 1) for item in out.split("\0") if "=" in item)


@contextlib.contextmanager
def train_lock() -> Iterator[None]:
    """The machine-wide training lock (``flock /tmp/shouzi-train.lock``): two trainings on 2 cores ruin both."""
    with TRAIN_LOCK.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"==> waiting for {TRAIN_LOCK} (another training is running)", flush=True)
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _group_alive(pgid: int) -> bool:
    """Whether any non-zombie process is in process group ``pgid`` (zombies may never be reaped here)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] != "Z":
            return True
    return False


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """Stop a process started here in its own session, with everything it started (run.sh's two servers)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        proc.poll()
        if not _group_alive(proc.pid):
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.poll()


def rss_mb(pid: int) -> float | None:
    """VmRSS of a process and its descendants, in MB; None when it is gone."""
    return tree_mb(pid, "status", "VmRSS")


def tree_mb(pid: int, status_file: str, key: str) -> float | None:
    """A ``/proc/PID/<status_file>`` field (kB) summed over a process and its descendants, in MB."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rpartition(")")[2].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            kb = proc_field_kb(Path(f"/proc/{p}/{status_file}").read_text(), key)
        except OSError:
            if p == pid:
                return None
            continue
        total += kb or 0
        todo += children.get(p, [])
    return total * 1024 / 1e6


def pss_mb(pid: int) -> float | None:
    """Proportional set size of a process and its descendants, in MB; None when it is gone."""
    return tree_mb(pid, "smaps_rollup", "Pss")


def listening_pid(port: int) -> int | None:
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, check=False).stdout
    pids = pids_from_ss(out)
    return pids[0] if pids else None


@dataclass
class Running:
    """An assistant the benchmark talks to, and the processes whose memory it reports."""

    system: str
    base: str
    pids: dict[str, int]
    startup: Recorded | None
    database_url: str | None = None  # known when the benchmark started the assistant itself


def wait_ready(url: str, body: dict[str, Any], proc: subprocess.Popen[bytes], timeout: float, log: Path) -> float:
    """Seconds until ``url`` first answers 200; fails early when the process exits with an error."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if post_status(url, body, timeout=2) == 200:
            return time.perf_counter() - t0
        rc = proc.poll()
        if rc not in (None, 0):
            raise BenchError(f"start-up failed (exit {rc}); see {log}")
        time.sleep(0.2)
    raise BenchError(f"not ready after {timeout:.0f} s; see {log}")


def trained_model() -> str:
    """Our current model (scripts/train.sh trains only when data or config changed, under the machine's
    training lock)."""
    print("==> model: scripts/train.sh", flush=True)
    out = subprocess.run([str(ROOT / "scripts" / "train.sh")], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise BenchError("scripts/train.sh failed:\n" + out.stderr[-2000:])
    return out.stdout.strip().splitlines()[-1]


def start_ours(
    stack: contextlib.ExitStack,
    work: Path,
    timeout: float,
    database_url: str | None = None,
    workers: int | None = None,
    single: bool = False,
) -> Running:
    """Our assistant through the project's launcher, timed from launch to the first 200 from analyze.

    It gets its own data directory, so its database is a fresh SQLite file there unless ``database_url`` is
    given: benchmark conversations never land in a developer's ``var/shouzi.db``.
    """
    model = trained_model()
    print("==> starting 首咨助手", flush=True)
    extra = {} if workers is None else {"SHOUZI_WORKERS": str(workers)}
    folder = f"ours-{workers or 'default'}"
    try:
        running = launcher.launch(
            model, work / folder, database_url, timeout=timeout, log=work / f"{folder}.log", **extra
        )
    except launcher.LaunchError as err:
        raise BenchError(str(err)) from None
    stack.callback(running.stop)
    print(f"==> 首咨助手 ready on {running.base}", flush=True)
    if single:
        return Running(OURS, running.base, running.pids, None, running.database_url)
    startup = record(
        data_dir() / "startup.json", running.seconds_to_ready, revision=git("rev-parse", "--short", "HEAD")
    )
    return Running(OURS, running.base, running.pids, startup, running.database_url)


def attach_ours(base: str, actions_port: int) -> Running:
    """An assistant that was already running: its processes by port, its start-up time from the last run."""
    port = int(base.rsplit(":", 1)[1].split("/")[0])
    pids = {name: pid for name, p in (("rasa", port), ("actions", actions_port)) if (pid := listening_pid(p))}
    print(f"==> using the assistant already answering on {base} (processes: {pids or 'not found'})", flush=True)
    return Running(OURS, base, pids, read_recorded(data_dir() / "startup.json"))


def baseline_model(env: dict[str, str]) -> tuple[Path, Recorded | None]:
    """Rasa's default assistant (``rasa init --no-prompt``), trained once per Rasa version and cached."""
    version = metadata.version("rasa")
    home = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "shouzi" / "baseline" / f"rasa-{version}"
    model, rec = home / "model.tar.gz", home / "training.json"
    if not model.exists():
        with train_lock():
            if not model.exists():
                print(f"==> training the baseline (rasa init --no-prompt) into {home}", flush=True)
                with tempfile.TemporaryDirectory(prefix="shouzi-baseline-") as tmp:
                    t0 = time.perf_counter()
                    out = subprocess.run(
                        [str(RASA), "init", "--no-prompt", "--init-dir", tmp],
                        cwd=tmp,
                        env=env,
                        capture_output=True,
                        text=True,
                        timeout=3600,
                    )
                    seconds = time.perf_counter() - t0
                    trained = sorted(Path(tmp, "models").glob("*.tar.gz"))
                    if out.returncode != 0 or not trained:
                        raise BenchError("rasa init --no-prompt failed:\n" + (out.stdout + out.stderr)[-2000:])
                    home.mkdir(parents=True, exist_ok=True)
                    keep = shutil.ignore_patterns(".rasa", "models", "__pycache__")
                    shutil.copytree(tmp, home / "project", dirs_exist_ok=True, ignore=keep)
                    shutil.copy(trained[-1], home / "model.part")
                    os.replace(home / "model.part", model)
                    record(rec, seconds, rasa=version)
    return model, read_recorded(rec)


def start_baseline(
    stack: contextlib.ExitStack, work: Path, env: dict[str, str], timeout: float
) -> tuple[Running, Recorded | None]:
    """The baseline served by ``rasa run --enable-api`` with the REST channel; its moodbot needs no action server."""
    model, training = baseline_model(env)
    port = free_port()
    base = f"http://{HOST}:{port}"
    log = work / "baseline.log"
    print(f"==> starting the baseline on {base}", flush=True)
    cmd = [str(RASA), "run", "--enable-api", "-m", str(model), "-i", HOST, "-p", str(port), "--connector", "rest"]
    (work / "baseline").mkdir(exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=work / "baseline", env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    stack.callback(stop_group, proc)
    ready = wait_ready(base + "/model/parse", {"text": "hello"}, proc, timeout, log)
    return Running(BASE, base, {"rasa": proc.pid}, Recorded(ready, now(), fresh=True)), training


def train_ours(env: dict[str, str], work: Path) -> Recorded:
    """Full training of the project's config with an empty Rasa cache: the figure a clean machine sees."""
    out_dir = work / "train"
    out_dir.mkdir(exist_ok=True)
    dictionary = [sys.executable, "-m", "bot.nlu.dictionary", "build/jieba"]
    subprocess.run(dictionary, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    cmd = [str(RASA), "train", "--config", env["SHOUZI_CONFIG"], "--domain", "bot/domain", "--data", "nlu_data"]
    cmd += ["--out", str(out_dir), "--fixed-model-name", "bench", "--quiet"]
    with train_lock():
        print(f"==> full training (cold cache) into {out_dir}", flush=True)
        t0 = time.perf_counter()
        with (work / "train.log").open("wb") as log:
            rc = subprocess.run(
                cmd,
                cwd=ROOT,
                env=env | {"RASA_CACHE_DIRECTORY": str(out_dir / "cache")},
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=3600,
            ).returncode
        seconds = time.perf_counter() - t0
    if rc != 0:
        raise BenchError(f"rasa train failed; see {work / 'train.log'}")
    return record(data_dir() / "training.json", seconds, revision=git("rev-parse", "--short", "HEAD"))


# ---------------------------------------------------------------------------------------------------------------
# Load.


@dataclass(frozen=True)
class Endpoint:
    """How to talk to one endpoint of one system and what counts as a good answer."""

    system: str
    name: str
    url: str
    body: Callable[[str, str], dict[str, Any]]
    ok: Callable[[Any], bool]


def endpoints(ours: Running, base: Running) -> list[Endpoint]:
    """Analyze against the baseline's /model/parse; a REST turn against a REST turn.

    Our REST turn must carry at least one message: Rasa's REST channel answers 200 with ``[]`` when the action
    server fails. The moodbot may legitimately stay silent, so for it any JSON list counts.
    """

    def text(sender: str, t: str) -> dict[str, Any]:
        return {"text": t}

    def turn(sender: str, t: str) -> dict[str, Any]:
        return {"sender": sender, "message": t}

    return [
        Endpoint(OURS, ANALYZE, ours.base + "/webhooks/assist/analyze", text, lambda b: isinstance(b, dict)),
        Endpoint(BASE, ANALYZE, base.base + "/model/parse", text, lambda b: isinstance(b, dict) and "intent" in b),
        Endpoint(OURS, REST, ours.base + "/webhooks/rest/webhook", turn, lambda b: isinstance(b, list) and bool(b)),
        Endpoint(BASE, REST, base.base + "/webhooks/rest/webhook", turn, lambda b: isinstance(b, list)),
    ]


async def _one(session: aiohttp.ClientSession, ep: Endpoint, sender: str, text: str) -> bool:
    try:
        async with session.post(ep.url, json=ep.body(sender, text)) as resp:
            raw = await resp.read()
            return resp.status == 200 and ep.ok(json.loads(raw))
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        return False


async def load(ep: Endpoint, concurrency: int, seconds: float, max_requests: int, turns: int) -> Point:
    """``concurrency`` conversations sending back-to-back for ``seconds`` (or ``max_requests`` in all)."""
    latencies: list[float] = []
    errors = issued = 0
    deadline = time.monotonic() + seconds

    async def conversation(worker: int, session: aiohttp.ClientSession) -> None:
        nonlocal errors, issued
        sender, turn = f"bench-{uuid.uuid4().hex[:12]}", 0
        while issued < max_requests and time.monotonic() < deadline:
            issued += 1
            text = TEXTS[(worker * 5 + turn) % len(TEXTS)]
            t0 = time.perf_counter()
            if await _one(session, ep, sender, text):
                latencies.append((time.perf_counter() - t0) * 1000)
            else:
                errors += 1
            turn += 1
            if turns and turn % turns == 0:
                sender = f"bench-{uuid.uuid4().hex[:12]}"

    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
        t0 = time.perf_counter()
        await asyncio.gather(*(conversation(w, session) for w in range(concurrency)))
        wall = time.perf_counter() - t0
    return summarise(ep.system, ep.name, concurrency, latencies, errors, wall)


async def measure(eps: list[Endpoint], seconds: float, max_requests: int, turns: int) -> list[Point]:
    """Every endpoint at every concurrency, ours and baseline interleaved so background noise hits both alike."""
    for ep in eps:  # warm-up: first requests load lazily built structures and open connections
        await load(ep, 4, 2.0, 20, turns)
    points = []
    for c in CONCURRENCY:
        for ep in eps:
            p = await load(ep, c, seconds, max_requests, turns)
            print(
                f"    {ep.system:8} {ep.name:8} {c:2d} concurrent: p50 {num(p.p50)} ms, p99 {num(p.p99)} ms, "
                f"{num(p.throughput)} msg/s, {p.errors} errors",
                flush=True,
            )
            points.append(p)
    return points


async def long_conversations(ep: Endpoint, conversations: int = 8, turns: int = 50) -> LongRun:
    """``conversations`` conversations of ``turns`` turns each, at once, one sender id each throughout."""
    by_turn: list[list[float]] = [[] for _ in range(turns)]
    errors = 0

    async def conversation(worker: int, session: aiohttp.ClientSession) -> None:
        nonlocal errors
        sender = f"bench-long-{uuid.uuid4().hex[:12]}"
        for turn in range(turns):
            t0 = time.perf_counter()
            if await _one(session, ep, sender, TEXTS[(worker * 5 + turn) % len(TEXTS)]):
                by_turn[turn].append((time.perf_counter() - t0) * 1000)
            else:
                errors += 1

    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
        await asyncio.gather(*(conversation(w, session) for w in range(conversations)))
    return summarise_long_run(conversations, by_turn, errors)


async def one_process(eps: list[Endpoint], seconds: float, max_requests: int, turns: int) -> list[Point]:
    """Analyze and the consult turn at 8 concurrent on an instance with one Rasa process."""
    points = []
    for ep in eps:
        await load(ep, 4, 2.0, 20, turns)
        p = await load(ep, 8, seconds, max_requests, turns)
        print(f"    1 process {ep.name:8}  8 concurrent: p50 {num(p.p50)} ms, {num(p.throughput)} msg/s", flush=True)
        points.append(Point("1 process", *astuple(p)[1:]))
    return points


def profile(
    py_spy: Path, ours: Running, eps: list[Endpoint], seconds: float, work: Path, turns: int
) -> list[ProfileTable]:
    """py-spy on our processes while each endpoint runs at 8 concurrent conversations."""
    tables = []
    out_dir = data_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    for ep in (e for e in eps if e.system == OURS):
        wanted = ("rasa", "actions") if ep.name == REST else ("rasa",)
        procs = {name: pid for name, pid in ours.pids.items() if name in wanted}
        spies = {}
        for name, pid in procs.items():
            raw = out_dir / f"profile-{ep.name}-{name}.txt"
            cmd = [str(py_spy), "record", "-p", str(pid), "-d", str(int(seconds)), "-r", "200", "-f", "raw"]
            cmd += ["--full-filenames", "-o", str(raw)]
            with (work / f"py-spy-{name}.log").open("wb") as log:
                spies[name] = (raw, subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log))
        print(f"==> profiling {ep.name} ({', '.join(procs)}) for {seconds:.0f} s", flush=True)
        try:
            time.sleep(1.0)  # let py-spy attach before the load starts
            asyncio.run(load(ep, 8, seconds - 1.5, 10**6, turns))
        except BaseException:
            for _, spy in spies.values():
                spy.kill()
            raise
        for name, (raw, spy) in spies.items():
            try:
                rc = spy.wait(timeout=seconds + 60)
            except subprocess.TimeoutExpired:
                spy.kill()
                rc = -1
            if rc != 0 or not raw.exists():
                print(f"    py-spy on {name} failed; see {work / f'py-spy-{name}.log'}", flush=True)
                continue
            tables.append(profile_table(ep.name, name, raw.read_text().splitlines()))
    return tables


# ---------------------------------------------------------------------------------------------------------------
# Outputs.


def plot(points: list[Point], path: Path) -> None:
    """p50 and p99 against concurrency, ours and baseline, one panel per endpoint."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    titles = {ANALYZE: "analyze API (baseline: /model/parse)", REST: "consult turn via REST"}
    for ax, endpoint in zip(axes, (ANALYZE, REST), strict=True):
        for system, color in ((OURS, "tab:blue"), (BASE, "tab:gray")):
            pts = sorted(
                (p for p in points if p.system == system and p.endpoint == endpoint), key=lambda p: p.concurrency
            )
            xs = [p.concurrency for p in pts]
            ax.plot(xs, [p.p50 for p in pts], "o-", color=color, label=f"{system} p50")
            ax.plot(xs, [p.p99 for p in pts], "s--", color=color, label=f"{system} p99")
        if endpoint == ANALYZE:
            ax.axhline(30, color="tab:green", linestyle=":", linewidth=1, label="target p50 at 8 (30 ms)")
            ax.axhline(100, color="tab:red", linestyle=":", linewidth=1, label="target p99 at 8 (100 ms)")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(list(CONCURRENCY))
        ax.set_xticklabels([str(c) for c in CONCURRENCY])
        ax.set_xlabel("concurrent conversations")
        ax.set_ylabel("latency (ms)")
        ax.set_title(titles[endpoint])
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)


def load_profile() -> tuple[list[ProfileTable], str | None]:
    """The profile of an earlier ``--profile`` run, so a plain rerun keeps showing it (with its date)."""
    try:
        raw = json.loads((data_dir() / "profile.json").read_text())
        tables = [
            ProfileTable(
                t["endpoint"], t["process"], t["samples"], t["idle"], t["owners"], [(k, v) for k, v in t["top"]]
            )
            for t in raw["tables"]
        ]
        return tables, str(raw["measured_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return [], None


def report_from_json(raw: dict[str, Any]) -> Report:
    """The report ``var/bench/last.json`` holds (``asdict`` of the last run's), to re-render without a rerun."""

    def recorded(r: dict[str, Any] | None) -> Recorded | None:
        return None if r is None else Recorded(float(r["value"]), str(r["measured_at"]), bool(r["fresh"]))

    return Report(
        date=raw["date"],
        machine=Machine(**raw["machine"]),
        seconds_per_point=raw["seconds_per_point"],
        turns_per_conversation=raw["turns_per_conversation"],
        points=[Point(**p) for p in raw["points"]],
        rss_mb=raw["rss_mb"],
        startup={k: recorded(v) for k, v in raw["startup"].items()},
        training={k: recorded(v) for k, v in raw["training"].items()},
        profile=[
            ProfileTable(
                t["endpoint"], t["process"], t["samples"], t["idle"], t["owners"], [(k, v) for k, v in t["top"]]
            )
            for t in raw["profile"]
        ],
        profile_measured_at=raw["profile_measured_at"],
        command=raw.get("command", "scripts/bench.py"),
        widget=AssetSize(**raw["widget"]) if raw.get("widget") else None,
        wechat=WeChatLoad(**raw["wechat"]) if raw.get("wechat") else None,
        console=ConsoleTyping(**raw["console"]) if raw.get("console") else None,
        pss_mb=raw.get("pss_mb", {}),
        workers=raw.get("workers", 1),
        scaling=[Point(**p) for p in raw.get("scaling", [])],
        long_run=LongRun(**raw["long_run"]) if raw.get("long_run") else None,
    )


def write_outputs(report: Report) -> None:
    existing = DOC.read_text() if DOC.exists() else ""
    notes = split_notes(existing)
    if notes is None:
        print(f"    {DOC} has no notes marker: writing an empty notes section", flush=True)
        notes = ""
    DOC.write_text(render_markdown(report, notes))
    plot(report.points, PLOT)
    write_json(data_dir() / "last.json", asdict(report))


# ---------------------------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--url", default=f"http://{HOST}:{os.environ.get('SHOUZI_PORT', '5005')}")
    ap.add_argument("--actions-port", type=int, default=int(os.environ.get("SHOUZI_ACTIONS_PORT", "5055")))
    ap.add_argument(
        "--fresh-start", action="store_true", help="start our own instance on free ports even if one answers"
    )
    ap.add_argument("--train", action="store_true", help="time a full training (cold cache) of config.yml")
    ap.add_argument("--profile", action="store_true", help="py-spy our processes under load (needs --py-spy)")
    ap.add_argument("--py-spy", type=Path, default=Path(shutil.which("py-spy") or "/tmp/shouzi-prof/bin/py-spy"))
    ap.add_argument("--seconds", type=float, default=10.0, help="time per load point")
    ap.add_argument("-n", type=int, default=2000, help="most requests per load point")
    ap.add_argument("--turns", type=int, default=20, help="turns per conversation before a worker starts a new one")
    ap.add_argument("--start-timeout", type=float, default=300.0)
    ap.add_argument("--database-url", help="database for an instance started here (default: fresh SQLite)")
    ap.add_argument("--render-only", action="store_true", help="rewrite the page and plot from var/bench/last.json")
    ap.add_argument("--widget", action="store_true", help="only the website widget's size (no servers)")
    return ap.parse_args(argv)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


WECHAT_USERS = 50


def start_fake_wechat(stack: contextlib.ExitStack) -> Any:
    """The tests' fake WeChat API on loopback, and the door's settings pointing at it (for start_ours)."""
    from tests.wechat import signing
    from tests.wechat.fake_api import FakeWeChat

    fake = FakeWeChat().start()
    stack.callback(fake.stop)
    os.environ.update(
        SHOUZI_WECHAT_TOKEN=signing.TOKEN,
        SHOUZI_WECHAT_APPID=signing.APP_ID,
        SHOUZI_WECHAT_SECRET="bench-secret",
        SHOUZI_WECHAT_API_BASE=fake.base,
    )
    return fake


async def wechat_load(base: str, fake: Any, users: int = WECHAT_USERS, wait: float = 30.0) -> WeChatLoad:
    """``users`` WeChat users each post one signed consult text at once; how and when each is answered."""
    from tests.wechat import signing

    async def one(session: aiohttp.ClientSession, i: int) -> tuple[str, float | None]:
        sender = signing.openid()
        url = f"{base}/webhooks/wechat/webhook?{signing.query()}"
        started = time.perf_counter()
        async with session.post(url, data=signing.text(sender, TEXTS[i % len(TEXTS)]).encode()) as resp:
            body = await resp.text()
        if resp.status == 200 and body.startswith("<xml>"):
            return "passive", (time.perf_counter() - started) * 1000
        if resp.status != 200 or body != "success":
            return "lost", None
        while time.perf_counter() - started < wait:
            if fake.texts_to(sender):
                return "custom", (time.perf_counter() - started) * 1000
            await asyncio.sleep(0.02)
        return "custom", None

    timeout = aiohttp.ClientTimeout(total=wait)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        samples = await asyncio.gather(*(one(session, i) for i in range(users)), return_exceptions=True)
    return summarise_wechat([s if isinstance(s, tuple) else ("lost", None) for s in samples])


def console_agent(database_url: str) -> tuple[str, str]:
    """A throwaway agent account in the benchmark's own database (the accounts command), and its password."""
    name, password = f"bench-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    env = {**os.environ, "DATABASE_URL": database_url, "SHOUZI_NEW_PASSWORD": password, "PYTHONPATH": str(ROOT)}
    cmd = [str(ROOT / ".venv" / "bin" / "python"), "-m", "bot.staff.accounts", "add", name, "--role", "agent"]
    subprocess.run(cmd, check=True, env=env, capture_output=True, timeout=120)
    return name, password


async def console_typing(base: str, database_url: str) -> ConsoleTyping:
    """The console's round trip, call by call, prefix by prefix (sequential, like one agent)."""
    name, password = await asyncio.to_thread(console_agent, database_url)
    ms: list[float] = []
    errors = 0
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/webhooks/staff/login", json={"username": name, "password": password}) as r:
            token = (await r.json())["token"]
        headers = {"Authorization": f"Bearer {token}"}
        for call in CONSOLE_CALLS:
            for text in typing_prefixes(call):
                t0 = time.perf_counter()
                async with http.post(
                    f"{base}/webhooks/assist/console/analyze", json={"text": text}, headers=headers
                ) as r:
                    await r.read()
                    ok = r.status == 200
                if ok:
                    ms.append((time.perf_counter() - t0) * 1000)
                else:
                    errors += 1
    return summarise_console(len(CONSOLE_CALLS), ms, errors)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.profile and not args.py_spy.exists():
        print(
            f"py-spy not found at {args.py_spy}; install it outside the project, e.g.\n"
            "  python3 -m venv /tmp/shouzi-prof && /tmp/shouzi-prof/bin/pip install py-spy",
            file=sys.stderr,
        )
        return 2
    if args.widget:
        target = widget_target(asset_size(WIDGET))
        print(f"{verdict(target.passed):12} {target.name}: {target.measured}")
        return 0 if target.passed else 1
    if args.render_only:  # e.g. after editing the notes: no servers, no load
        report = report_from_json(json.loads((data_dir() / "last.json").read_text()))
        report.widget = asset_size(WIDGET)
        write_outputs(report)
        print(render_console(report))
        return 0
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    workers = int(os.environ.get("SHOUZI_WORKERS") or min(2, os.cpu_count() or 1))  # scripts/env.sh's default
    work = Path(tempfile.mkdtemp(prefix="shouzi-bench-"))
    env = project_env()
    date = now()
    estimate = len(CONCURRENCY) * 4 * args.seconds + 4 * 3
    print(f"==> make bench: load phase about {estimate / 60:.0f} min; work files in {work}", flush=True)
    widget = widget_target(asset_size(WIDGET))
    print(f"==> {widget.name}: {widget.measured}", flush=True)
    try:
        with contextlib.ExitStack() as stack:
            fake_wechat = None
            if args.fresh_start or post_status(args.url + "/webhooks/assist/analyze", {"text": "你好"}) != 200:
                fake_wechat = start_fake_wechat(stack)
                ours = start_ours(stack, work, args.start_timeout, args.database_url, workers=workers)
            else:
                ours = attach_ours(args.url, args.actions_port)
            base, base_training = start_baseline(stack, work, env, args.start_timeout)
            eps = endpoints(ours, base)
            print("==> load (ours and baseline interleaved)", flush=True)
            points = asyncio.run(measure(eps, args.seconds, args.n, args.turns))
            wechat = None
            if fake_wechat is not None:
                print(f"==> WeChat load: {WECHAT_USERS} users at once", flush=True)
                wechat = asyncio.run(wechat_load(ours.base, fake_wechat))
            console = None
            if ours.database_url:
                print("==> hotline console: an agent typing calls", flush=True)
                console = asyncio.run(console_typing(ours.base, ours.database_url))
            rss = {
                r.system: {name: mb for name, pid in r.pids.items() if (mb := rss_mb(pid)) is not None}
                for r in (ours, base)
            }
            pss = {
                r.system: {name: mb for name, pid in r.pids.items() if (mb := pss_mb(pid)) is not None}
                for r in (ours, base)
            }
            print("==> long conversations: 8 × 50 turns", flush=True)
            long_run = asyncio.run(long_conversations(eps[2]))
            print(f"    {long_run_line(long_run)}", flush=True)
            scaling: list[Point] = []
            if fake_wechat is not None and workers > 1:
                print("==> the same load on one Rasa process (SHOUZI_WORKERS=1)", flush=True)
                single = start_ours(stack, work, args.start_timeout, args.database_url, workers=1, single=True)
                single_eps = [e for e in endpoints(single, base) if e.system == OURS]
                scaling = asyncio.run(one_process(single_eps, args.seconds, args.n, args.turns))
            tables, measured = load_profile()
            if args.profile:
                tables = profile(args.py_spy, ours, eps, 15.0, work, args.turns)
                measured = f"{now()}, revision {machine().revision}"
                write_json(
                    data_dir() / "profile.json", {"measured_at": measured, "tables": [asdict(t) for t in tables]}
                )
        print("==> servers stopped", flush=True)
        training = train_ours(env, work) if args.train else read_recorded(data_dir() / "training.json")
        report = Report(
            date=date,
            machine=machine(),
            seconds_per_point=args.seconds,
            turns_per_conversation=args.turns,
            points=points,
            rss_mb=rss,
            startup={OURS: ours.startup, BASE: base.startup},
            training={OURS: training, BASE: base_training},
            profile=tables,
            profile_measured_at=measured,
            command=" ".join(["scripts/bench.py", *(argv if argv is not None else sys.argv[1:])]),
            widget=asset_size(WIDGET),
            wechat=wechat,
            console=console,
            pss_mb=pss,
            workers=workers,
            scaling=scaling,
            long_run=long_run,
        )
        write_outputs(report)
    except KeyboardInterrupt:
        print(f"\ninterrupted; servers stopped; work files in {work}", file=sys.stderr)
        return 130
    except (BenchError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
        print(f"make bench failed: {err}\nwork files in {work}", file=sys.stderr)
        return 1
    print(render_console(report))
    print(f"==> wrote {DOC.relative_to(ROOT)} and {PLOT.relative_to(ROOT)}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
