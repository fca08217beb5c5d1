"""The pure parts of scripts/bench.py: statistics, ratios, targets, rendering, profile attribution (no servers)."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


bench = _load()


def test_percentile_interpolates_between_ranks() -> None:
    samples = [float(x) for x in range(1, 101)]  # 1 … 100
    assert bench.percentile(samples, 50) == pytest.approx(50.5)
    assert bench.percentile(samples, 99) == pytest.approx(99.01)
    assert bench.percentile([3.0, 1.0, 2.0], 0) == 1.0
    assert bench.percentile([3.0, 1.0, 2.0], 100) == 3.0
    assert bench.percentile([7.0], 99) == 7.0
    assert math.isnan(bench.percentile([], 50))


def test_summarise_counts_errors_apart_and_throughput_is_successes_per_second() -> None:
    p = bench.summarise("ours", "rest", 8, [10.0, 20.0, 30.0, 40.0], errors=2, wall=2.0)
    assert (p.n, p.errors, p.p50) == (4, 2, 25.0)
    assert p.throughput == 2.0
    empty = bench.summarise("ours", "rest", 8, [], errors=3, wall=1.0)
    assert math.isnan(empty.p50) and empty.throughput == 0.0


def test_ratio_and_beside() -> None:
    assert bench.ratio(20.0, 40.0) == "0.50×"
    assert bench.ratio(None, 40.0) == "—"
    assert bench.ratio(20.0, 0.0) == "—"
    assert bench.ratio(math.nan, 1.0) == "—"
    assert bench.beside(19.84, 47.0) == "19.8 / 47.0 (0.42×)"
    assert bench.beside(None, 3.0, 0) == "— / 3 (—)"


def _report(**overrides: Any) -> Any:
    points = []
    for c in bench.CONCURRENCY:
        points += [
            bench.summarise("ours", "analyze", c, [20.0] * 99 + [90.0], 0, 1.0),
            bench.summarise("baseline", "analyze", c, [40.0] * 100, 0, 1.0),
            bench.summarise("ours", "rest", c, [100.0] * 40, 0, 1.0),
            bench.summarise("baseline", "rest", c, [90.0] * 100, 0, 1.0),
        ]
    fields: dict[str, Any] = {
        "date": "2026-11-28 10:00 CST",
        "machine": bench.Machine("Test CPU", 2, 23.4, "3.10.14", "3.6.21", "3.6.2", "abc1234+dirty"),
        "seconds_per_point": 10.0,
        "turns_per_conversation": 20,
        "points": points,
        "rss_mb": {"ours": {"rasa": 1000.0, "actions": 120.0}, "baseline": {"rasa": 700.0}},
        "startup": {"ours": bench.Recorded(25.0, "x", fresh=True), "baseline": bench.Recorded(12.5, "x", fresh=True)},
        "training": {"ours": None, "baseline": bench.Recorded(100.0, "2026-11-27 09:00 CST")},
    }
    fields.update(overrides)
    return bench.Report(**fields)


def test_targets_pass_fail_and_not_measured() -> None:
    """The _report fixture: analyze 100/s at p50 20 ms, consult 40/s at p50 100 ms (1 s of wall time)."""
    pss = {"ours": {"rasa": 900.0, "actions": 120.0}, "baseline": {"rasa": 600.0}}
    verdicts = {t.name: t.passed for t in bench.targets(_report(pss_mb=pss))}
    assert verdicts["analyze p50 ≤ 30 ms at 8 concurrent"] is True
    assert verdicts["analyze p99 ≤ 100 ms at 8 concurrent"] is True
    assert verdicts["analyze at 8 concurrent: ≥ 250/s, 0 errors"] is False  # 100/s
    assert verdicts["consult turn at 8 concurrent: ≥ 50/s, p50 ≤ 150 ms, 0 errors"] is False  # 40/s
    assert verdicts["consult turn at 32 concurrent: 0 errors, p99 < 1 s"] is True
    assert verdicts["consult turn p50 ≤ 1.2× baseline at 8 concurrent"] is True  # 100 / 90 = 1.11
    assert verdicts["memory of everything `make run` starts ≤ 1.5 GB (proportional set size)"] is True
    assert verdicts["full training ≤ 3 min on 2 cores"] is None
    assert verdicts["ready ≤ 30 s after start"] is True
    fast = [bench.summarise("ours", e, 8, [20.0] * 300, 0, 1.0) for e in ("analyze", "rest")]
    slow = _report(
        points=fast,
        pss_mb={"ours": {"rasa": 1400.0, "actions": 200.0}},
        startup={"ours": bench.Recorded(31.0, "x")},
        training={"ours": bench.Recorded(200.0, "x")},
    )
    verdicts = {t.name: t.passed for t in bench.targets(slow)}
    assert verdicts["analyze at 8 concurrent: ≥ 250/s, 0 errors"] is True
    assert verdicts["consult turn at 8 concurrent: ≥ 50/s, p50 ≤ 150 ms, 0 errors"] is True
    assert verdicts["memory of everything `make run` starts ≤ 1.5 GB (proportional set size)"] is False
    assert verdicts["ready ≤ 30 s after start"] is False
    assert verdicts["full training ≤ 3 min on 2 cores"] is False


def test_markdown_keeps_the_notes_and_shows_ratios() -> None:
    notes = "Hand-written: the predict_proba fix.\n\n### what is ours, what is Rasa's\n"
    md = bench.render_markdown(_report(), notes)
    assert bench.split_notes(md) == notes.strip("\n")
    assert bench.split_notes(bench.render_markdown(_report(), bench.split_notes(md))) == notes.strip("\n")
    assert bench.split_notes("# old page without marker") is None
    assert "abc1234+dirty" in md and "Test CPU, 2 cores, 23.4 GiB" in md
    assert "20.0 / 40.0 (0.50×)" in md  # analyze p50 beside /model/parse
    assert "| full training ≤ 3 min on 2 cores | — | not measured |" in md
    assert "100.0 s (recorded 2026-11-27 09:00 CST)" in md
    assert "PASS" in bench.render_console(_report())


def test_report_survives_last_json_for_render_only() -> None:
    report = _report(
        profile=[bench.ProfileTable("rest", "rasa", 100, 0.1, {"rasa": 0.9, "ours": 0.1}, [("rasa/x.py", 0.9)])],
        profile_measured_at="2026-11-28 10:30 UTC",
        command="scripts/bench.py --train",
    )
    again = bench.report_from_json(json.loads(json.dumps(dataclasses.asdict(report))))
    assert bench.render_markdown(again, "n") == bench.render_markdown(report, "n")
    assert "`scripts/bench.py --train`" in bench.render_markdown(again, "n")


def test_memory_target_counts_every_process_by_pss_and_shows_rss_beside() -> None:
    rss = {"ours": {"rasa": 1500.0, "actions": 150.0, "scheduler": 50.0}, "baseline": {"rasa": 700.0}}
    pss = {"ours": {"rasa": 1100.0, "actions": 120.0, "scheduler": 40.0}, "baseline": {"rasa": 650.0}}
    report = _report(rss_mb=rss, pss_mb=pss, workers=2)
    target = next(t for t in bench.targets(report) if t.name.startswith("memory"))
    assert target.passed is True
    assert target.measured.startswith("1260 MB") and "1700 MB" in target.measured
    md = bench.render_markdown(report, "")
    assert "| Rasa server (2 workers and their parent) | 1100 | 1500 | 650 | 700 |" in md
    assert "| deadline scheduler | 40 | 50 | — (none) | — (none) |" in md
    assert "| **total** | 1260 | 1700 | 650 | 700 |" in md


def test_long_run_and_one_process_sections() -> None:
    by_turn = [[10.0, 12.0]] * 5 + [[50.0]] * 40 + [[11.0, 13.0]] * 5
    run = bench.summarise_long_run(2, by_turn, 0)
    assert (run.turns, run.first_p50, run.last_p50) == (50, 11.0, 12.0)
    single = [bench.summarise("1 process", e, 8, [30.0] * 50, 0, 1.0) for e in ("analyze", "rest")]
    md = bench.render_markdown(_report(long_run=run, scaling=single, workers=2), "")
    assert "turns 1–5, 12.0 ms over turns 46–50 (1.09×), 0 errors" in md
    assert "| 1 Rasa process (`SHOUZI_WORKERS=1`) | consult turn `POST /webhooks/rest/webhook` | 50.0 | 30.0 |" in md
    assert "| 2 Rasa processes (the default) | analyze `POST /webhooks/assist/analyze` |" in md
    again = bench.report_from_json(json.loads(json.dumps(dataclasses.asdict(_report(long_run=run, scaling=single)))))
    assert again.long_run == run and again.scaling == single


def test_proc_and_ss_parsers() -> None:
    status = "Name:\tpython\nVmHWM:\t  999 kB\nVmRSS:\t 123456 kB\n"
    assert bench.proc_field_kb(status, "VmRSS") == 123456
    assert bench.proc_field_kb(status, "VmSwap") is None
    assert bench.proc_field_kb("Rss:  2000 kB\nPss:  1500 kB\n", "Pss") == 1500
    ss = 'LISTEN 0 100 127.0.0.1:5005 0.0.0.0:* users:(("python",pid=4242,fd=17),("python",pid=4242,fd=18))\n'
    assert bench.pids_from_ss(ss) == [4242]
    assert bench.pids_from_ss("") == []


def test_profile_charges_samples_to_the_innermost_owned_frame() -> None:
    root = Path("/repo")
    site = "/venv/lib/python3.10/site-packages"
    raw = [
        # our department model calling numpy: ours
        f"<module> ({site}/rasa/__main__.py:1);process (/repo/bot/adapters/nlu/components.py:140);"
        f"predict (/repo/bot/routing/department_model.py:90);dot ({site}/numpy/core/multiarray.py:5) 30",
        # DIET calling TensorFlow: Rasa's
        f"<module> ({site}/rasa/__main__.py:1);process ({site}/rasa/nlu/classifiers/diet_classifier.py:9);"
        f"call ({site}/tensorflow/python/eager/def_function.py:3) 50",
        # the action server's adapter; rasa's own core/actions/ path must not look like ours
        f"run ({site}/rasa_sdk/executor.py:3);run (/repo/actions/respond.py:37) 10",
        f"run ({site}/rasa/core/actions/action.py:3) 5",
        # json encoding with nothing owned on the stack: charged to the library
        "dumps (/usr/lib/python3.10/json/__init__.py:231) 5",
        # waiting, left out: a thread-pool worker and the event loop in epoll
        "_worker (/usr/lib/python3.10/concurrent/futures/thread.py:81) 70",
        f"run (/repo/x.py:1);serve ({site}/sanic/server/runners.py:155) 30",
    ]
    a = bench.attribute(raw, root)
    assert (a.busy, a.idle) == (100, 100)
    assert a.owners == {"ours": 40, "rasa": 55, "other": 5}
    assert a.files["bot/routing/department_model.py"] == 30
    assert a.files["actions/respond.py"] == 10
    assert a.files["rasa/nlu/classifiers/diet_classifier.py"] == 50
    assert a.files["rasa/core/actions/action.py"] == 5
    assert a.files["(python: json)"] == 5
    table = bench.profile_table("rest", "rasa", raw, top=2, root=root)
    assert (table.samples, table.idle) == (100, 0.5)
    assert table.top == [("rasa/nlu/classifiers/diet_classifier.py", 0.5), ("bot/routing/department_model.py", 0.3)]


def test_widget_size_is_measured_gzipped_and_checked_against_the_target(tmp_path: Path) -> None:
    asset = tmp_path / "w.js"
    asset.write_text("var a = 1;\n" * 1000)
    size = bench.asset_size(asset)
    assert size.raw == 11000 and 0 < size.gzipped < 200
    ok = bench.widget_target(size)
    assert ok.passed is True and ok.name == "website widget ≤ 30 KB gzipped"
    assert ok.measured.endswith("KB gzipped (10.7 KB raw)")
    assert bench.widget_target(bench.AssetSize(50_000, 31 * 1024)).passed is False
    assert bench.widget_target(None).passed is None
    real = bench.asset_size(bench.WIDGET)  # the shipped widget, as `make bench` reports it
    assert real.gzipped < bench.WIDGET_TARGET_KB * 1024
    report = _report(widget=real)
    assert "website widget ≤ 30 KB gzipped" in bench.render_markdown(report, "")
    again = bench.report_from_json(json.loads(json.dumps(dataclasses.asdict(report))))
    assert again.widget == real
    assert bench.report_from_json(json.loads(json.dumps(dataclasses.asdict(_report())))).widget is None


def test_widget_flag_needs_no_server(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--widget"]) == 0
    assert "PASS" in capsys.readouterr().out


def test_wechat_load_summary_counts_paths_and_the_five_second_share() -> None:
    samples = [("passive", 40.0), ("passive", 60.0), ("custom", 4200.0), ("custom", 5600.0), ("custom", None)]
    w = bench.summarise_wechat(samples)
    assert (w.users, w.passive, w.by_customer_service, w.lost) == (5, 2, 2, 1)
    assert w.within_5s == pytest.approx(3 / 5)
    assert w.passive_p50 == 50.0 and w.customer_service_p50 == pytest.approx(4900.0)
    line = bench.wechat_line(w, 43.0)
    assert "60% answered within 5 s" in line and "passive p50 50.0 ms beside the REST turn's 43.0 ms" in line
    assert "not measured" in bench.wechat_line(None, None)
    raw = json.loads(json.dumps(dataclasses.asdict(w)))
    assert bench.WeChatLoad(**raw) == w


def test_console_typing_sends_growing_prefixes_and_summarises_p50_p95() -> None:
    prefixes = bench.typing_prefixes("窗口话我少咗营业执照复印件", step=4)
    assert prefixes == ["窗口话我", "窗口话我少咗营业", "窗口话我少咗营业执照复印", "窗口话我少咗营业执照复印件"]
    assert bench.typing_prefixes("  ", step=4) == []
    c = bench.summarise_console(2, [10.0, 20.0, 30.0, 40.0, 100.0], errors=1)
    assert (c.calls, c.requests, c.errors, c.p50) == (2, 5, 1, 30.0) and 40.0 < c.p95 <= 100.0
    line = bench.console_line(c)
    assert "p50 30.0 ms" in line and "5 analyses" in line and "1 errors" in line
    assert "not measured" in bench.console_line(None)
    assert all(bench.typing_prefixes(call) for call in bench.CONSOLE_CALLS)
