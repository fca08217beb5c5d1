"""The deployment files in deploy/ are real and consistent: nginx accepts the site (nginx -t on Debian's nginx),
every variable of the example environment is documented, the action server never leaves loopback."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = (ROOT / "deploy" / "nginx" / "shouzi.conf").read_text(encoding="utf-8")


def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    checked = subprocess.run(
        [str(ROOT / "scripts" / "nginx.sh"), "check", str(tmp_path / "nginx")], capture_output=True, text=True
    )
    if checked.returncode != 0 and "missing" in checked.stderr and os.environ.get("SHOUZI_REQUIRE_SERVICES") != "1":
        pytest.skip(checked.stderr)
    assert checked.returncode == 0, checked.stderr


def test_the_balancer_sets_the_client_address_and_never_replays_a_message() -> None:
    assert "proxy_set_header X-Real-IP $remote_addr;" in SITE
    retry = re.search(r"^\s*proxy_next_upstream ([^;]*);", SITE, re.M)
    assert retry and "non_idempotent" not in retry.group(1)  # a POST (a message) is never sent twice
    body_limit = re.search(r"client_max_body_size (\d+)m;", SITE)
    assert body_limit and int(body_limit.group(1)) * 1024 * 1024 <= 1048576  # ≤ SANIC_REQUEST_MAX_SIZE
    assert "12345" in SITE  # no instance answering: still a Chinese apology with the hotline


def test_every_example_variable_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = (ROOT / "deploy" / "shouzi.env.example").read_text(encoding="utf-8")
    names = re.findall(r"^([A-Z][A-Z0-9_]+)=", example, re.M)
    assert names
    missing = [n for n in names if f"`{n}`" not in readme]
    assert not missing, missing


def test_systemd_units_run_the_projects_scripts() -> None:
    unit = (ROOT / "deploy" / "systemd" / "shouzi.service").read_text(encoding="utf-8")
    assert "scripts/run.sh" in unit and "EnvironmentFile=/etc/shouzi/shouzi.env" in unit
    assert (ROOT / "scripts" / "run.sh").exists()


def test_the_action_server_stays_on_loopback_even_when_rasa_is_published() -> None:
    out = subprocess.run(
        ["bash", "-c", "source scripts/env.sh && echo $SANIC_HOST $SHOUZI_HOST $ACTION_ENDPOINT_URL"],
        cwd=ROOT,
        env={**os.environ, "SHOUZI_HOST": "0.0.0.0", "ACTION_ENDPOINT_URL": ""},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out[0] == "127.0.0.1" and out[1] == "0.0.0.0" and out[2].startswith("http://127.0.0.1:")
