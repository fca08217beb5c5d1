"""Server-issued, signed conversation ids: only the holder of a token reaches its conversation."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from bot.web.session import SECRET_FILE, SENDER_PREFIX, SessionError, SessionSigner, bearer, load_secret

SECRET = b"s" * 32
NOW = 1_800_000_000
DAY = 86400


def signer(lifetime: int = 30 * DAY, secret: bytes = SECRET) -> SessionSigner:
    return SessionSigner(secret, lifetime)


def test_issue_and_verify_round_trip() -> None:
    token = signer().issue(NOW)
    session = signer().verify(token, NOW + 5)
    assert session.issued_at == NOW
    assert session.sender_id.startswith(SENDER_PREFIX) and len(session.sender_id) == len(SENDER_PREFIX) + 22


def test_conversations_are_random_and_unguessable() -> None:
    ids = {signer().verify(signer().issue(NOW), NOW).conversation for _ in range(200)}
    assert len(ids) == 200


def reason(token: str, now: int = NOW, s: SessionSigner | None = None) -> str:
    with pytest.raises(SessionError) as err:
        (s or signer()).verify(token, now)
    return err.value.reason


def test_forged_tampered_and_other_secrets_are_refused() -> None:
    token = signer().issue(NOW)
    version, conv, issued, sig = token.split(".")
    other = signer().issue(NOW)
    assert reason(f"{version}.{other.split('.')[1]}.{issued}.{sig}") == "bad_signature"  # someone else's id
    assert reason(f"{version}.{conv}.{issued}.{'A' * 43}") == "bad_signature"
    assert reason(token, s=signer(secret=b"t" * 32)) == "bad_signature"
    # pushing the issue time forward to dodge expiry breaks the signature
    assert reason(f"{version}.{conv}.{'zzzzzz'}.{sig}", now=NOW) == "bad_signature"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "w1",
        "w1.a.b.c",
        "w2." + "A" * 22 + ".1." + "A" * 43,
        "x" * 500,
        "w1....",
        "w1." + "A" * 22 + ".Z1." + "A" * 43,
    ],
)
def test_malformed_tokens_are_refused(token: str) -> None:
    assert reason(token) == "malformed"


def test_expiry_and_future_issue_times() -> None:
    s = signer(lifetime=DAY)
    token = s.issue(NOW)
    assert s.verify(token, NOW + DAY).issued_at == NOW
    assert reason(token, NOW + DAY + 1, s) == "expired"
    assert reason(s.issue(NOW + 3600), NOW, s) == "not_yet_valid"


def test_renew_keeps_the_conversation_of_a_valid_token_and_starts_afresh_otherwise() -> None:
    s = signer(lifetime=DAY)
    first = s.issue(NOW)
    conv = s.verify(first, NOW).conversation
    renewed, session, continued = s.renew(first, NOW + DAY - 1)
    assert continued and session.conversation == conv and s.verify(renewed, NOW + 2 * DAY - 2).conversation == conv
    _, session, continued = s.renew(first, NOW + DAY + 1)
    assert not continued and session.conversation != conv
    _, session, continued = s.renew("forged", NOW)
    assert not continued


def test_weak_secrets_and_lifetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        SessionSigner(b"short", DAY)
    with pytest.raises(ValueError):
        SessionSigner(SECRET, 0)


def test_bearer_header() -> None:
    assert bearer("Bearer abc") == "abc"
    assert bearer("bearer  abc ") == "abc"
    assert bearer("Basic abc") is None
    assert bearer("") is None and bearer(None) is None and bearer("Bearer ") is None


def test_secret_from_the_environment(tmp_path: Path) -> None:
    assert load_secret("x" * 40, tmp_path) == b"x" * 40
    assert not (tmp_path / SECRET_FILE).exists()
    with pytest.raises(ValueError, match="SHOUZI_WEB_SECRET"):
        load_secret("too short", tmp_path)


def test_secret_file_is_made_once_private_and_kept(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = load_secret(None, data)
    path = data / SECRET_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_secret("", data) == first  # a restart signs with the same key
    assert load_secret(None, tmp_path / "other") != first
    assert [p.name for p in data.iterdir()] == [SECRET_FILE]


def test_instances_starting_together_agree_on_one_secret(tmp_path: Path) -> None:
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(load_secret(None, tmp_path))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(results) == 8


def test_a_damaged_secret_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / SECRET_FILE).write_text("short\n")
    with pytest.raises(ValueError, match="delete it"):
        load_secret(None, tmp_path)


def test_secret_file_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(src: object, dst: object) -> None:
        raise PermissionError("hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    first = load_secret(None, tmp_path)
    assert load_secret(None, tmp_path) == first and [p.name for p in tmp_path.iterdir()] == [SECRET_FILE]
