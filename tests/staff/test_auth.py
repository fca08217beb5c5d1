from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from bot.records.clock import LOCAL_TZ, FixedClock
from bot.staff.auth import AuthError, StaffDirectory, hash_password, verify_password

PASSWORD = "correct horse battery"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 30, 9, 0, tzinfo=LOCAL_TZ))


@pytest.fixture
def directory(engine: Engine, clock: FixedClock) -> StaffDirectory:
    d = StaffDirectory(engine, clock, token_hours=8)
    d.add_user("hcw-sec", PASSWORD, "section", "hcw", "住建局审批股")
    return d


def test_passwords_are_salted_hashes() -> None:
    a, b = hash_password(PASSWORD), hash_password(PASSWORD)
    assert a != b and PASSWORD not in a and a.startswith("$argon2id$")
    assert verify_password(PASSWORD, a) and not verify_password("wrong password!", a)
    assert not verify_password(PASSWORD, "plain-text")


def test_accounts_are_checked(directory: StaffDirectory) -> None:
    with pytest.raises(ValueError):
        directory.add_user("x", PASSWORD, "section", None)  # a section needs its department
    with pytest.raises(ValueError):
        directory.add_user("y", "short", "district", None)
    with pytest.raises(ValueError):
        directory.add_user("z", PASSWORD, "mayor", None)
    with pytest.raises(ValueError):
        directory.add_user("hcw-sec", PASSWORD, "section", "hcw")


def test_login_gives_an_expiring_token_and_every_attempt_is_logged(
    directory: StaffDirectory, clock: FixedClock
) -> None:
    token, expires, user = directory.login("hcw-sec", PASSWORD, "127.0.0.1")
    assert expires == clock.now() + timedelta(hours=8)
    assert user.tier == 2 and user.department == "hcw"
    assert directory.user_for(token).username == "hcw-sec"
    for name, password in (("hcw-sec", "wrong password"), ("nobody", PASSWORD)):
        with pytest.raises(AuthError) as err:
            directory.login(name, password, "127.0.0.1")
        assert err.value.status == 401
    clock.advance(hours=8, seconds=1)
    with pytest.raises(AuthError) as err:
        directory.user_for(token)
    assert err.value.code == "expired"
    outcomes = [a["outcome"] for a in directory.attempts()]
    assert outcomes == ["ok", "bad_password", "unknown_user", "expired"]


def test_failures_are_throttled_per_address_and_name_alike_for_unknown_names(directory: StaffDirectory) -> None:
    refusals = {}
    for name in ("hcw-sec", "nobody-here"):
        for _ in range(10):
            with pytest.raises(AuthError) as err:
                directory.login(name, "wrong password", "10.0.0.9")
            assert err.value.status == 401
        with pytest.raises(AuthError) as err:
            directory.login(name, PASSWORD, "10.0.0.9")
        refusals[name] = (err.value.status, err.value.code, err.value.message)
    # The same answer whether the name exists or not.
    assert refusals["hcw-sec"] == refusals["nobody-here"] and refusals["hcw-sec"][0] == 429
    # Nobody locks the real user out from another address.
    assert directory.login("hcw-sec", PASSWORD, "10.0.0.1")[2].username == "hcw-sec"


def test_one_address_is_throttled_across_names(directory: StaffDirectory) -> None:
    for i in range(30):
        with pytest.raises(AuthError):
            directory.login(f"guess{i}", "wrong password", "10.0.0.7")
    with pytest.raises(AuthError) as err:
        directory.login("hcw-sec", PASSWORD, "10.0.0.7")
    assert err.value.status == 429


def test_unknown_names_cost_what_real_ones_cost(directory: StaffDirectory) -> None:
    """Timing: both paths verify one Argon2id hash of the same parameters (within a generous factor)."""
    import time

    def took(name: str) -> float:
        start = time.perf_counter()
        with pytest.raises(AuthError):
            directory.login(name, "wrong password", f"timing-{name}")
        return time.perf_counter() - start

    took("hcw-sec"), took("nobody")  # warm both paths
    real = min(took("hcw-sec") for _ in range(3))
    unknown = min(took("nobody") for _ in range(3))
    assert 0.5 < unknown / real < 2.0


def test_legacy_scrypt_hashes_are_upgraded_to_argon2id_at_login(directory: StaffDirectory, engine: Engine) -> None:
    import hashlib

    from sqlalchemy import select, update

    from bot.records.tables import staff_users

    salt = b"0123456789abcdef"
    legacy = (
        "scrypt$16384$8$1$" + salt.hex() + "$" + hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1).hex()
    )
    with engine.begin() as conn:
        conn.execute(update(staff_users).where(staff_users.c.username == "hcw-sec").values(password_hash=legacy))
    assert directory.login("hcw-sec", PASSWORD, "")[2].username == "hcw-sec"
    with engine.connect() as conn:
        stored = conn.execute(
            select(staff_users.c.password_hash).where(staff_users.c.username == "hcw-sec")
        ).scalar_one()
    assert stored.startswith("$argon2id$") and verify_password(PASSWORD, stored)
    assert directory.login("hcw-sec", PASSWORD, "")[2].username == "hcw-sec"


def test_hostile_names_are_refused_not_crashed(directory: StaffDirectory) -> None:
    for name in ("x" * 5000, "nul\x00name", "lone\ud800surrogate", ""):
        with pytest.raises(AuthError) as err:
            directory.login(name, "\ud800" * 3, "\x00client")
        assert err.value.status == 401
    assert all(len(a["username"] or "") <= 64 for a in directory.attempts())


def test_logout_revokes_the_token(directory: StaffDirectory) -> None:
    token, _, _ = directory.login("hcw-sec", PASSWORD, "")
    directory.logout(token)
    with pytest.raises(AuthError):
        directory.user_for(token)
    with pytest.raises(AuthError):
        directory.user_for(None)
