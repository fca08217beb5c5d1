"""Latency of the running assistant on loopback: analyze API and a consult turn via REST.

Usage: ``make bench`` (starts the assistant if none answers) or ``python scripts/bench.py --url ...``.
Prints p50/p95/p99 per endpoint; bounded in count and time; sends traffic to loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
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
]


def post(url: str, body: dict[str, Any]) -> float:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    t = time.perf_counter()
    with urllib.request.urlopen(req, timeout=30) as resp:
        resp.read()
        if resp.status != 200:
            raise RuntimeError(f"{url} answered {resp.status}")
    return (time.perf_counter() - t) * 1000


def percentiles(samples: list[float]) -> str:
    s = sorted(samples)

    def pick(q: float) -> float:
        return s[min(len(s) - 1, int(q * len(s)))]

    return f"p50={statistics.median(s):6.1f} ms  p95={pick(0.95):6.1f} ms  p99={pick(0.99):6.1f} ms  n={len(s)}"


def answers(base: str) -> bool:
    try:
        post(base + "/webhooks/assist/analyze", {"text": "你好"})
        return True
    except OSError:
        return False


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('SHOUZI_PORT', '5005')}")
    ap.add_argument("-n", type=int, default=200, help="requests per endpoint")
    ap.add_argument("--seconds", type=float, default=60.0, help="time bound per endpoint")
    a = ap.parse_args()

    started = None
    if not answers(a.url):
        model = subprocess.run([str(ROOT / "scripts" / "train.sh")], capture_output=True, text=True, check=True)
        pidfile = Path(tempfile.mkdtemp()) / "pids"
        subprocess.run(
            [str(ROOT / "scripts" / "run.sh"), model.stdout.strip().splitlines()[-1], "--background", str(pidfile)],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        started = pidfile
    try:
        for _ in range(10):  # warm-up
            post(a.url + "/webhooks/assist/analyze", {"text": TEXTS[0]})

        def analyze_body(t: str) -> dict[str, Any]:
            return {"text": t}

        def rest_body(t: str) -> dict[str, Any]:
            return {"sender": f"bench-{uuid.uuid4().hex[:8]}", "message": t}

        endpoints = [
            ("analyze", "/webhooks/assist/analyze", analyze_body),
            ("REST consult turn", "/webhooks/rest/webhook", rest_body),
        ]
        for name, path, body in endpoints:
            samples: list[float] = []
            deadline = time.monotonic() + a.seconds
            while len(samples) < a.n and time.monotonic() < deadline:
                samples.append(post(a.url + path, body(TEXTS[len(samples) % len(TEXTS)])))
            print(f"{name:18s} {percentiles(samples)}")
    finally:
        if started is not None:
            for pid in started.read_text().split():
                subprocess.run(["kill", pid], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
