"""`make soak`: the figures of docs/reliability.md, measured against live servers on this machine.

  python scripts/reliability.py MODEL [--only parsers,fuzz,migrate,faults,soak] [--minutes 10] [--conversations 32]

1. parsers  property-based fuzz of the parsers (tests/test_fuzz_parsers.py with thousands of examples)
2. fuzz     schemathesis against every route of the OpenAPI description the assistant serves
3. migrate  two instances migrating one fresh PostgreSQL at once: migrations applied once
4. faults   kill -9 of Rasa mid-turn and of the action server, a PostgreSQL crash, Redis down, a full disk for
            SQLite: the answer the applicant sees, and records/events/outbox counted before and after
5. soak     N conversations at once for M minutes through nginx to two instances on PostgreSQL and Redis

Everything runs on 127.0.0.1 (PostgreSQL, Redis and nginx from Debian's packages, started by the project's
scripts) and is stopped at the end. Results go to var/reliability/results.json and docs/reliability.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from bot.adapters.launcher import Running, free_port, launch  # noqa: E402
from bot.records.db import make_engine  # noqa: E402
from bot.records.tables import outbox, records  # noqa: E402

OUT = ROOT / "var" / "reliability"
DOC = ROOT / "docs" / "reliability.md"
BOUNCED = "我去社保局问灵活就业参保，佢哋话唔关佢哋事，叫我去税务局，税务局又叫我返社保局问"
QUESTIONS = ["你好", "补办身份证要带什么材料", "开餐馆要办哪些证", "居住证怎么办理", "桂城街道行政服务中心在哪里"]
REST_TOKEN = "soak-" + uuid.uuid4().hex


def log(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", flush=True)


# --- HTTP ------------------------------------------------------------------------------------------


def post(base: str, path: str, body: Any, token: str | None = None, timeout: float = 60) -> tuple[int, Any]:
    data = json.dumps(body, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(base + path, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    try:
        return status, json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return status, raw.decode("utf-8", "replace")


def say(base: str, sender: str, message: str, timeout: float = 60) -> tuple[int, Any]:
    return post(base, "/webhooks/rest/webhook", {"sender": sender, "message": message}, REST_TOKEN, timeout)


def visible(answer: Any) -> str:
    """What the applicant reads (first 80 characters)."""
    if isinstance(answer, list):
        texts = [str(m.get("text")) for m in answer if m.get("text")]
        return " / ".join(texts)[:80]
    if isinstance(answer, dict) and "error" in answer:
        return str(answer["error"].get("message"))[:80]
    return str(answer)[:80]


def kinds(answer: Any) -> list[str]:
    return (
        [str(m.get("custom", {}).get("kind")) for m in answer if isinstance(m, dict)]
        if isinstance(answer, list)
        else []
    )


def numbers_in(answer: Any) -> set[str]:
    return set(re.findall(r"XT\d{12}", json.dumps(answer, ensure_ascii=False)))


# --- services --------------------------------------------------------------------------------------


@contextlib.contextmanager
def service(script: str, *extra: str) -> Iterator[tuple[Path, str, int]]:
    workdir = Path(tempfile.mkdtemp(prefix=f"shouzi-rel-{script.split('.')[0]}-"))
    port = free_port()
    out = subprocess.run(
        [str(ROOT / "scripts" / script), "start", str(workdir), str(port), *extra],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    try:
        yield workdir, out.stdout.strip().splitlines()[-1], port
    finally:
        subprocess.run([str(ROOT / "scripts" / script), "stop", str(workdir)], check=False, capture_output=True)


def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            out = {
                "records": int(conn.execute(select(func.count()).select_from(records)).scalar_one()),
                "outbox": int(conn.execute(select(func.count()).select_from(outbox)).scalar_one()),
            }
            try:
                out["events"] = int(conn.execute(text("SELECT count(*) FROM events")).scalar_one())
            except Exception:
                out["events"] = 0
            dup = conn.execute(
                select(records.c.kind, records.c.conversation_id, records.c.matter)
                .group_by(records.c.kind, records.c.conversation_id, records.c.matter)
                .having(func.count() > 1)
            ).all()
            out["duplicate_records"] = len(dup)
        return out
    finally:
        engine.dispose()


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return round(total / 1024, 1)


def child_pids(root: int) -> list[int]:
    """A process and all its descendants (rasa forks workers of its own)."""
    out = [root]
    with contextlib.suppress(OSError):
        for child in Path(f"/proc/{root}/task/{root}/children").read_text().split():
            out += child_pids(int(child))
    return out


def start(model: str, url: str, name: str, **env: str) -> Running:
    log(f"starting instance {name}")
    extra: dict[str, Any] = {"SHOUZI_REST_TOKEN": REST_TOKEN, **env}
    return launch(model, Path(tempfile.mkdtemp(prefix=f"shouzi-rel-{name}-")), url, **extra)


# --- 1. parsers ------------------------------------------------------------------------------------


def run_parsers(examples: int) -> dict[str, Any]:
    count_file = OUT / "parser-fuzz.json"
    count_file.unlink(missing_ok=True)
    env = {**os.environ, "SHOUZI_FUZZ_EXAMPLES": str(examples), "SHOUZI_FUZZ_COUNT_FILE": str(count_file)}
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_fuzz_parsers.py", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    tried = json.loads(count_file.read_text()) if count_file.exists() else {}
    return {
        "passed": proc.returncode == 0,
        "inputs": sum(tried.values()),
        "per_parser": tried,
        "seconds": round(time.perf_counter() - t0),
        "tail": proc.stdout.strip().splitlines()[-1:],
    }


# --- 2. schemathesis -------------------------------------------------------------------------------


def run_fuzz(model: str, examples: int) -> dict[str, Any]:
    st = subprocess.run([str(ROOT / "scripts" / "fuzz-venv.sh")], capture_output=True, text=True, check=True)
    st_bin = st.stdout.strip().splitlines()[-1]
    data = Path(tempfile.mkdtemp(prefix="shouzi-rel-fuzz-"))
    url = f"sqlite:///{data / 'shouzi.db'}"
    subprocess.run([sys.executable, "-m", "bot.records.migrate", "upgrade"], env={**os.environ, "DATABASE_URL": url})
    password = "fuzz-" + uuid.uuid4().hex
    subprocess.run(
        [sys.executable, "-m", "bot.staff.accounts", "add", "fuzzer", "--role", "district"],
        env={**os.environ, "DATABASE_URL": url, "SHOUZI_NEW_PASSWORD": password},
        check=True,
        capture_output=True,
    )
    # REST open (no token) so that one Authorization header, the staff token, serves every route.
    running = launch(model, data, url, SHOUZI_WECHAT_TOKEN="fuzz-wechat-token")
    try:
        _, login = post(running.base, "/webhooks/staff/login", {"username": "fuzzer", "password": password})
        token = login["token"]
        report = OUT / "schemathesis"
        shutil.rmtree(report, ignore_errors=True)
        t0 = time.perf_counter()
        proc = subprocess.run(
            [
                st_bin,
                "run",
                f"{running.base}/webhooks/openapi/openapi.json",
                "--url",
                running.base,
                "--checks",
                "not_a_server_error",
                "--max-examples",
                str(examples),
                "--phases",
                "examples,coverage,fuzzing",
                "--workers",
                "2",
                "--request-timeout",
                "60",
                "--seed",
                "15",
                "--generation-allow-x00",
                "true",
                "--header",
                f"Authorization: Bearer {token}",
                # Logging out would revoke the token every other staff operation is fuzzed with.
                "--exclude-path",
                "/webhooks/staff/logout",
                "--report",
                "har,junit",
                "--report-dir",
                str(report),
            ],
            capture_output=True,
            text=True,
            cwd=data,
        )
        seconds = round(time.perf_counter() - t0)
        (OUT / "schemathesis.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
        statuses: dict[str, int] = {}
        requests = 0
        for har in report.glob("har-*"):
            for entry in json.loads(har.read_text(encoding="utf-8"))["log"]["entries"]:
                requests += 1
                code = str(entry["response"]["status"])
                statuses[code] = statuses.get(code, 0) + 1
        generated = re.search(r"(\d+) generated", proc.stdout)
        tested = re.search(r"Tested: (\d+)", proc.stdout)
        return {
            "inputs_generated": int(generated.group(1)) if generated else None,
            "operations_tested": int(tested.group(1)) if tested else None,
            "exit_code": proc.returncode,
            "requests": requests,
            "statuses": dict(sorted(statuses.items())),
            "server_errors": sum(n for c, n in statuses.items() if c.startswith("5")),
            "seconds": seconds,
            "summary": [ln.strip() for ln in proc.stdout.splitlines() if "generated" in ln or "passed" in ln][-2:],
        }
    finally:
        running.stop()


# --- 3. migrations once ----------------------------------------------------------------------------


def run_migrate() -> dict[str, Any]:
    with service("postgres.sh") as (_, url, _port):
        env = {**os.environ, "DATABASE_URL": url}
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "bot.records.migrate", "upgrade"], env=env, stdout=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        outs = [p.communicate(timeout=300)[0] for p in procs]
        applied = [int(m) for out in outs for m in re.findall(r"applied: (\d+)", out)]
        engine = make_engine(url)
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        engine.dispose()
        return {"applied_per_instance": sorted(applied), "alembic_version_rows": len(versions)}


# --- 4. faults -------------------------------------------------------------------------------------


def kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def run_faults(model: str) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with service("postgres.sh") as (pg_dir, url, pg_port), service("redis.sh") as (_r_dir, redis_addr, r_port):
        redis_host, _ = redis_addr.split(":")
        env = {"SHOUZI_REDIS_HOST": redis_host, "SHOUZI_REDIS_PORT": str(r_port)}
        inst = start(model, url, "fault-a", **env)
        try:
            # a) kill -9 of the Rasa server mid-turn (the kill lands while the turn is in flight: retried with
            #    a shorter delay if the answer came first), then the applicant's retry on a restarted instance.
            before = counts(url)
            for delay in (0.08, 0.04, 0.02, 0.01):
                sender = f"kill-rasa-{uuid.uuid4().hex[:6]}"
                seen: dict[str, Any] = {}

                def turn(who: str = sender, box: dict[str, Any] = seen, base: str = inst.base) -> None:
                    try:
                        box["answer"] = say(base, who, BOUNCED, timeout=30)
                    except Exception as exc:  # connection reset: what an integrator sees
                        box["answer"] = (0, f"{type(exc).__name__}: connection closed")

                t = threading.Thread(target=turn)
                t.start()
                time.sleep(delay)
                kill(inst.pids["rasa"])
                t.join()
                inst.stop()
                inst = start(model, url, "fault-b", **env)
                if seen["answer"][0] == 0:
                    break
            status, retry = say(inst.base, sender, BOUNCED)
            after = counts(url)
            engine = make_engine(url)
            with engine.connect() as conn:
                held = conn.execute(select(records.c.number).where(records.c.conversation_id == sender)).all()
            engine.dispose()
            results["kill_rasa_mid_turn"] = {
                "killed_mid_turn": seen["answer"][0] == 0,
                "kill_after_s": delay,
                "during": visible(seen["answer"][1]) if seen["answer"][0] else seen["answer"][1],
                "after_restart": visible(retry),
                "status_after": status,
                "before": before,
                "after": after,
                "records_of_this_conversation": [n for (n,) in held],  # at most one: the retry found the first
            }
            log(f"kill rasa: {results['kill_rasa_mid_turn']}")

            # b) kill -9 of the action server.
            sender = f"kill-actions-{uuid.uuid4().hex[:6]}"
            before = counts(url)
            kill(inst.pids["actions"])
            time.sleep(1)
            status, answer = say(inst.base, sender, BOUNCED)
            mid = counts(url)
            inst.stop()
            inst = start(model, url, "fault-c", **env)
            status2, again = say(inst.base, sender, BOUNCED)
            results["kill_action_server"] = {
                "status": status,
                "status_after": status2,
                "during": visible(answer),
                "apology": "service_unavailable" in kinds(answer),
                "after_restart": visible(again),
                "before": before,
                "during_counts": mid,
                "after": counts(url),
            }
            log(f"kill actions: {results['kill_action_server']}")

            # c) PostgreSQL crash (immediate shutdown) and restart; the conversation goes on.
            sender = f"pg-{uuid.uuid4().hex[:6]}"
            say(inst.base, sender, "补办身份证要带什么材料")
            before = counts(url)
            subprocess.run([str(ROOT / "scripts" / "postgres.sh"), "crash", str(pg_dir)], check=True)
            status, answer = say(inst.base, sender, "开餐馆要办哪些证")
            staff_status, staff = post(inst.base, "/webhooks/staff/login", {"username": "x", "password": "y" * 12})
            subprocess.run(
                [str(ROOT / "scripts" / "postgres.sh"), "resume", str(pg_dir), str(pg_port)], check=True, timeout=120
            )
            time.sleep(2)
            status2, again = say(inst.base, sender, BOUNCED)
            engine = make_engine(url)
            with engine.connect() as conn:
                matters = conn.execute(
                    text("SELECT matter, excerpt FROM consultations WHERE conversation_id = :c ORDER BY matter"),
                    {"c": sender},
                ).all()
            engine.dispose()
            results["postgres_crash"] = {
                "status": status,
                "status_after": status2,
                "during": visible(answer),
                "apology": "service_unavailable" in kinds(answer),
                "staff_api_during": staff_status,
                "staff_message": visible(staff),
                "after_recovery": visible(again),
                "consultation_matters": [int(m) for m, _ in matters],
                "before": before,
                "after": counts(url),
            }
            log(f"postgres: {results['postgres_crash']}")

            # d) Redis down, then back.
            sender = f"redis-{uuid.uuid4().hex[:6]}"
            before = counts(url)
            subprocess.run([str(ROOT / "scripts" / "redis.sh"), "crash", str(_r_dir)], check=True)
            status, answer = say(inst.base, sender, BOUNCED)
            subprocess.run([str(ROOT / "scripts" / "redis.sh"), "start", str(_r_dir), str(r_port)], check=True)
            time.sleep(1)
            status2, again = say(inst.base, sender, BOUNCED)
            results["redis_down"] = {
                "status": status,
                "status_after": status2,
                "during": visible(answer),
                "apology": "service_unavailable" in kinds(answer),
                "after_recovery": visible(again),
                "xt_numbers_seen": sorted(numbers_in(answer) | numbers_in(again)),
                "before": before,
                "after": counts(url),
            }
            log(f"redis: {results['redis_down']}")
        finally:
            inst.stop()
    results["sqlite_disk_full"] = run_disk_full(model)
    return results


def run_disk_full(model: str) -> dict[str, Any]:
    """The SQLite database on a small tmpfs that is then filled: an apology, then recovery once space is freed."""
    mount = Path(tempfile.mkdtemp(prefix="shouzi-rel-tmpfs-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)], capture_output=True)
    if mounted.returncode != 0:
        return {"skipped": "cannot mount a tmpfs here: " + mounted.stderr.decode()[-200:]}
    url = f"sqlite:///{mount / 'shouzi.db'}"
    inst = launch(model, Path(tempfile.mkdtemp(prefix="shouzi-rel-disk-")), url, SHOUZI_REST_TOKEN=REST_TOKEN)
    try:
        sender = f"disk-{uuid.uuid4().hex[:6]}"
        say(inst.base, sender, "补办身份证要带什么材料")
        before = counts(url)
        filler = mount / "filler"
        with filler.open("wb") as f, contextlib.suppress(OSError):
            while True:
                f.write(b"\0" * (1 << 20))
                f.flush()
        status, answer = say(inst.base, sender, BOUNCED)
        during = counts(url)
        filler.unlink()
        status2, again = say(inst.base, sender, BOUNCED)
        return {
            "status": status,
            "status_after": status2,
            "during": visible(answer),
            "apology": "service_unavailable" in kinds(answer),
            "after_space_freed": visible(again),
            "xt_numbers_seen": sorted(numbers_in(answer) | numbers_in(again)),
            "before": before,
            "during_counts": during,
            "after": counts(url),
        }
    finally:
        inst.stop()
        subprocess.run(["umount", str(mount)], check=False)


# --- 5. soak ---------------------------------------------------------------------------------------


def run_soak(model: str, minutes: float, conversations: int) -> dict[str, Any]:
    with service("postgres.sh") as (_, url, _pgport), service("redis.sh") as (_, redis_addr, r_port):
        redis_host, _ = redis_addr.split(":")
        env = {
            "SHOUZI_REDIS_HOST": redis_host,
            "SHOUZI_REDIS_PORT": str(r_port),
            "SANIC_REAL_IP_HEADER": "x-real-ip",
            "SANIC_PROXIES_COUNT": "1",
            # Limits on (through Redis), with room for one load generator on one address.
            "SHOUZI_RATE_CLIENT_MESSAGES": "1000000/minute",
            "SHOUZI_RATE_RECORDS_CLIENT": "1000000/day",
            "SHOUZI_RATE_CONVERSATION_MESSAGES": "30/minute",
            "SHOUZI_RATE_RECORDS_CONVERSATION": "5/day",
        }
        a = start(model, url, "soak-a", **env)
        b = start(model, url, "soak-b", **env)
        upstreams = [x.base.removeprefix("http://") for x in (a, b)]
        with service("nginx.sh", *upstreams) as (_, lb, _port):
            base = f"http://{lb}"
            try:
                return soak(base, url, [a, b], minutes, conversations)
            finally:
                a.stop()
                b.stop()


def soak(base: str, url: str, instances: list[Running], minutes: float, conversations: int) -> dict[str, Any]:
    def pids() -> list[int]:
        out: list[int] = []
        for inst in instances:
            for name in ("rasa", "actions"):
                out += child_pids(inst.pids[name])
        return out

    for i in range(8):  # warm up both instances through the balancer
        say(base, f"warm-{i}", QUESTIONS[i % len(QUESTIONS)])
    rss_start = rss_mb(pids())
    stop_at = time.monotonic() + minutes * 60
    lock = threading.Lock()
    stats: dict[str, Any] = {"turns": 0, "errors": 0, "apologies": 0, "error_samples": [], "latencies": []}
    shown: dict[str, set[str]] = {}

    def worker(n: int) -> None:
        rng = random.Random(n)
        while time.monotonic() < stop_at:
            sender = f"soak-{n}-{uuid.uuid4().hex[:8]}"
            script = [rng.choice(QUESTIONS), BOUNCED, rng.choice(QUESTIONS)]
            for message in script:
                t0 = time.perf_counter()
                try:
                    status, answer = say(base, sender, message, timeout=120)
                except Exception as exc:
                    status, answer = 0, repr(exc)
                took = time.perf_counter() - t0
                with lock:
                    stats["turns"] += 1
                    stats["latencies"].append(took)
                    bad = status != 200 or not isinstance(answer, list) or not answer
                    if bad:
                        stats["errors"] += 1
                        if len(stats["error_samples"]) < 5:
                            stats["error_samples"].append([status, visible(answer)])
                    elif "service_unavailable" in kinds(answer):
                        stats["apologies"] += 1
                    shown.setdefault(sender, set()).update(numbers_in(answer))
                time.sleep(rng.uniform(0.5, 1.5))

    t0 = time.perf_counter()
    with ThreadPoolExecutor(conversations) as pool:
        list(pool.map(worker, range(conversations)))
    elapsed = time.perf_counter() - t0
    rss_end = rss_mb(pids())
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(records.c.number, records.c.conversation_id).where(records.c.conversation_id.like("soak-%"))
        ).all()
    engine.dispose()
    in_db = {n for n, _ in rows}
    seen = set().union(*shown.values()) if shown else set()
    lat = sorted(stats["latencies"])
    db = counts(url)
    return {
        "minutes": round(elapsed / 60, 1),
        "conversations_at_once": conversations,
        "conversations": len(shown),
        "turns": stats["turns"],
        "errors": stats["errors"],
        "apologies": stats["apologies"],
        "error_samples": stats["error_samples"],
        "p50_s": round(lat[len(lat) // 2], 2) if lat else None,
        "p95_s": round(lat[int(len(lat) * 0.95)], 2) if lat else None,
        "records_shown_to_applicants": len(seen),
        "records_in_database": len(in_db),
        "lost": len(seen - in_db),
        "duplicated": db["duplicate_records"],
        "rss_mb_start": rss_start,
        "rss_mb_end": rss_end,
        "counts": db,
    }


# --- report ----------------------------------------------------------------------------------------


def machine() -> str:
    load = Path("/proc/loadavg").read_text().split()[:3]
    cpus = os.cpu_count()
    return f"{cpus} CPU, load average {' '.join(load)} when the run ended"


def write_doc(results: dict[str, Any]) -> None:
    block = "```json\n" + json.dumps(results, ensure_ascii=False, indent=2) + "\n```"
    doc = DOC.read_text(encoding="utf-8")
    start, end = "<!-- figures:start -->", "<!-- figures:end -->"
    if start in doc and end in doc:
        head, rest = doc.split(start, 1)
        _, tail = rest.split(end, 1)
        doc = f"{head}{start}\n{block}\n{end}{tail}"
    DOC.write_text(doc, encoding="utf-8")


def main(argv: list[str]) -> int:
    # PostgreSQL as a real one runs (fsync, synchronous commit): a crash of the tests' fast configuration loses
    # commits it already acknowledged, which is the test server's property, not the assistant's (scripts/postgres.sh).
    os.environ["SHOUZI_PG_DURABLE"] = "1"
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("model")
    ap.add_argument("--only", default="parsers,fuzz,migrate,faults,soak")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--conversations", type=int, default=32)
    ap.add_argument("--examples", type=int, default=3000, help="examples per parser property")
    ap.add_argument("--fuzz-examples", type=int, default=60, help="schemathesis examples per operation")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "results.json"
    results: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    steps: dict[str, Callable[[], Any]] = {
        "parsers": lambda: run_parsers(args.examples),
        "fuzz": lambda: run_fuzz(args.model, args.fuzz_examples),
        "migrate": run_migrate,
        "faults": lambda: run_faults(args.model),
        "soak": lambda: run_soak(args.model, args.minutes, args.conversations),
    }
    for name in args.only.split(","):
        log(f"== {name}")
        t0 = time.perf_counter()
        results[name] = steps[name]()
        results[name]["_took_s"] = round(time.perf_counter() - t0)
        results["_conditions"] = {"finished": datetime.now().isoformat(timespec="seconds"), "machine": machine()}
        path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
        log(json.dumps(results[name], ensure_ascii=False)[:2000])
    write_doc(results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
