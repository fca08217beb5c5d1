"""Server-issued conversation identities for the public widget (issue 15, item 9).

A visitor never chooses their conversation id. The server draws 128 random bits, signs them together
with the issue time (HMAC-SHA256 under a server secret) and hands the token to the widget, which sends
it back as ``Authorization: Bearer …``. Nothing is stored server side: a token is valid when its
signature checks and it is younger than the configured lifetime, so any instance holding the same
secret accepts it and a restart loses nothing.

Token: ``w1.<conversation>.<issued>.<signature>`` — conversation 22 url-safe base64 characters,
issued the Unix time in base 36, signature the first 32 bytes of the HMAC, url-safe base64.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

VERSION = "w1"
SENDER_PREFIX = "web-"
SECRET_FILE = "web-session.key"
MIN_SECRET_BYTES = 32
_CONVERSATION = re.compile(r"[A-Za-z0-9_-]{22}")
_ISSUED = re.compile(r"[0-9a-z]{1,13}")
_SIGNATURE = re.compile(r"[A-Za-z0-9_-]{43}")
MAX_TOKEN_CHARS = 96


class SessionError(Exception):
    """A token that does not grant access; ``reason`` is for logs and tests, never for the visitor."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Session:
    conversation: str  # 22 url-safe characters, 128 random bits
    issued_at: int  # Unix seconds

    @property
    def sender_id(self) -> str:
        """The Rasa sender id (and tracker key) of this conversation."""
        return SENDER_PREFIX + self.conversation


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


class SessionSigner:
    """Issues and verifies tokens under one secret; ``lifetime`` in seconds."""

    def __init__(self, secret: bytes, lifetime: int) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the web session secret must be at least {MIN_SECRET_BYTES} bytes")
        if lifetime <= 0:
            raise ValueError("the web session lifetime must be positive")
        self._key = hashlib.sha256(b"shouzi web session\0" + secret).digest()
        self.lifetime = lifetime

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode("ascii"), hashlib.sha256).digest())

    def issue(self, now: int, conversation: str | None = None) -> str:
        """A token for ``conversation`` (a fresh random one when None) issued at ``now``."""
        conv = conversation if conversation is not None else _b64(secrets.token_bytes(16))
        if not _CONVERSATION.fullmatch(conv):
            raise ValueError("malformed conversation id")
        body = f"{VERSION}.{conv}.{_base36(now)}"
        return f"{body}.{self._sign(body)}"

    def verify(self, token: str, now: int) -> Session:
        """The session a token grants, or :class:`SessionError` (forged, malformed, expired)."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
            raise SessionError("malformed")
        parts = token.split(".")
        if len(parts) != 4 or parts[0] != VERSION:
            raise SessionError("malformed")
        _, conv, issued, signature = parts
        if not (_CONVERSATION.fullmatch(conv) and _ISSUED.fullmatch(issued) and _SIGNATURE.fullmatch(signature)):
            raise SessionError("malformed")
        if not hmac.compare_digest(self._sign(f"{VERSION}.{conv}.{issued}"), signature):
            raise SessionError("bad_signature")
        issued_at = int(issued, 36)
        if issued_at > now + 300:  # issued in the future: a clock far off, or a forgery
            raise SessionError("not_yet_valid")
        if now - issued_at > self.lifetime:
            raise SessionError("expired")
        return Session(conv, issued_at)

    def renew(self, token: str, now: int) -> tuple[str, Session, bool]:
        """The token to use from now on: the same conversation with a fresh issue time when ``token``
        is valid, else a new conversation. Returns (token, session, continued)."""
        try:
            old = self.verify(token, now)
        except SessionError:
            fresh = self.issue(now)
            return fresh, self.verify(fresh, now), False
        renewed = self.issue(now, old.conversation)
        return renewed, Session(old.conversation, now), True


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def load_secret(env_value: str | None, data_dir: Path) -> bytes:
    """The signing secret: ``SHOUZI_WEB_SECRET`` when set, otherwise a random secret kept in
    ``<data_dir>/web-session.key`` (created on first start, readable by the owner only).

    Every instance must share the secret (set the variable, or share the data directory), or one
    instance will refuse the tokens another issued."""
    if env_value is not None and env_value.strip():
        raw = env_value.strip().encode("utf-8")
        if len(raw) < MIN_SECRET_BYTES:
            raise ValueError(f"SHOUZI_WEB_SECRET must be at least {MIN_SECRET_BYTES} characters")
        return raw
    path = data_dir / SECRET_FILE
    with contextlib.suppress(FileNotFoundError):
        return _read_secret(path)
    data_dir.mkdir(parents=True, exist_ok=True)
    fresh = secrets.token_hex(32) + "\n"
    tmp = data_dir / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    _write_private(tmp, fresh)
    try:
        os.link(tmp, path)  # atomic and never overwrites: two instances starting together agree
    except FileExistsError:
        pass
    except OSError:  # a file system without hard links: exclusive creation instead
        with contextlib.suppress(FileExistsError):
            _write_private(path, fresh)
    finally:
        tmp.unlink()
    return _read_secret(path)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def _read_secret(path: Path) -> bytes:
    raw = path.read_text("ascii").strip().encode("ascii")
    if len(raw) < MIN_SECRET_BYTES:
        raise ValueError(
            f"{path} holds a secret shorter than {MIN_SECRET_BYTES} characters; delete it to make a new one"
        )
    return raw
