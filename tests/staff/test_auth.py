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
    assert a != b and PASSWORD not in a
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


def test_repeated_failures_lock_the_username(directory: StaffDirectory, clock: FixedClock) -> None:
    for _ in range(5):
        with pytest.raises(AuthError):
            directory.login("hcw-sec", "wrong password", "")
    with pytest.raises(AuthError) as err:
        directory.login("hcw-sec", PASSWORD, "")
    assert err.value.status == 429
    clock.advance(minutes=16)
    assert directory.login("hcw-sec", PASSWORD, "")[2].username == "hcw-sec"


def test_logout_revokes_the_token(directory: StaffDirectory) -> None:
    token, _, _ = directory.login("hcw-sec", PASSWORD, "")
    directory.logout(token)
    with pytest.raises(AuthError):
        directory.user_for(token)
    with pytest.raises(AuthError):
        directory.user_for(None)
