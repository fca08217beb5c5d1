"""Starts the assistant the way ``make run`` does (scripts/run.sh: migrations, action server, Rasa server,
scheduler) on free loopback ports with a data directory of its own, and stops it again.

The one launcher for the HTTP tests, ``make eval`` and ``make bench``, so that all three measure the
same thing: ready means the analyze API answered 200, and stopping ends every process run.sh started.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bot.throttle import Quota, quota_env

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
# The order scripts/run.sh writes its pidfile in.
PROCESS_NAMES = ("rasa", "actions", "scheduler")


RATE_LIMITS_OFF = tuple(quota_env(q) for q in Quota)
NOT_INHERITED = ("ACTION_ENDPOINT_URL", "DATABASE_URL", "SHOUZI_WORKERS", "SANIC_WORKERS")


class LaunchError(RuntimeError):
    """The assistant did not start; the message says where its logs are."""


def free_port(host: str = HOST) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def post_status(url: str, body: dict[str, object], timeout: float = 5.0) -> int:
    """HTTP status of one JSON POST; 0 when nothing answers."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            resp.read()
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)
    except (OSError, ValueError):
        return 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Running:
    """A started assistant: where it answers, its database, and how long it took to be ready."""

    base: str
    database_url: str
    data_dir: Path
    pidfile: Path
    seconds_to_ready: float
    session: int  # run.sh's session id: every process it started is in it

    @property
    def pids(self) -> dict[str, int]:
        """``rasa``, ``actions``, ``scheduler`` (and ``process N`` for any later ones)."""
        raw = [int(p) for p in self.pidfile.read_text().split()]
        return {PROCESS_NAMES[i] if i < len(PROCESS_NAMES) else f"process {i + 1}": p for i, p in enumerate(raw)}

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM to every process, waiting up to ``timeout`` for them to close the database; then SIGKILL."""
        pids = list(self.pids.values()) if self.pidfile.exists() else []
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.session, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(_alive(p) for p in pids):
            time.sleep(0.2)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def launch(
    model: str,
    data_dir: Path,
    database_url: str | None = None,
    *,
    timeout: float = 400,
    log: Path | None = None,
    **extra_env: str,
) -> Running:
    """Starts scripts/run.sh in its own session and returns once the analyze API answers 200.

    ``ACTION_ENDPOINT_URL`` and ``DATABASE_URL`` are never inherited: scripts/env.sh derives them from the
    new ports and data directory, and an inherited one would point at another assistant. Nor is the number of
    Rasa workers: the assistant gets the machine's default layout unless ``SHOUZI_WORKERS`` is passed."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env |= {"SHOUZI_PORT": str(free_port()), "SHOUZI_ACTIONS_PORT": str(free_port()), "SHOUZI_DATA_DIR": str(data_dir)}
    # Tests, make eval and make bench send hundreds of messages from 127.0.0.1 on purpose: the rate limits
    # (bot.throttle) are off unless the caller (or the environment) sets them; the tests of the limits do.
    for name in RATE_LIMITS_OFF:
        env.setdefault(name, "off")
    env |= extra_env  # may name the ports, e.g. to restart a server where a browser page expects it
    if database_url:
        env["DATABASE_URL"] = database_url
    pidfile = data_dir / "pids"
    base = f"http://{HOST}:{env['SHOUZI_PORT']}"
    out = (log or data_dir / "launch.log").open("wb")
    t0 = time.perf_counter()
    with out:
        proc = subprocess.Popen(
            [str(ROOT / "scripts" / "run.sh"), model, "--background", str(pidfile)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    ready: float | None = None
    while time.perf_counter() - t0 < timeout:
        if post_status(base + "/webhooks/assist/analyze", {"text": "你好"}, timeout=2) == 200:
            ready = time.perf_counter() - t0
            break
        if proc.poll() not in (None, 0):
            break
        time.sleep(0.2)
    try:
        code = proc.wait(timeout=max(1.0, timeout - (time.perf_counter() - t0)))
    except subprocess.TimeoutExpired:
        code = None
    running = Running(
        base, database_url or f"sqlite:///{data_dir / 'shouzi.db'}", data_dir, pidfile, ready or 0, proc.pid
    )
    if ready is None or code != 0:
        running.stop(timeout=5)
        raise LaunchError(f"the assistant did not start (exit {code}); logs in {data_dir / 'logs'}")
    return running
