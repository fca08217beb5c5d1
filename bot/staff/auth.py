"""Staff accounts: Argon2id-hashed passwords (older scrypt hashes are verified and upgraded at the next
login), expiring bearer tokens stored only as hashes, and a log of every login attempt and refused request.

Login attempts are throttled per client address and per (name, address) pair through the shared rate
limiter (bot.throttle), the same for names that exist and names that do not, and an unknown name costs the
same hash as a real one: neither the answer nor its timing tells which names exist, and nobody can lock a
real user out from another address."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.inputs import ClientError, clean_text
from bot.records.clock import Clock, SystemClock, to_db
from bot.records.db import session_factory, unit_of_work
from bot.records.tables import auth_log, staff_tokens, staff_users
from bot.throttle import Quota, Throttle, get_throttle
from bot.vocabulary import Role

# Role → the tier it decides at (1: the first-consultation unit's own desk).
ROLES = {role.value: int(role.tier) for role in Role}
NEEDS_DEPARTMENT = (Role.SECTION, Role.LEADERSHIP)
MIN_PASSWORD = 10
MAX_USERNAME = 64  # the column's length: longer names are refused, never sent to the database
MAX_PASSWORD = 1024  # a longer "password" is an attempt to make hashing expensive
# Argon2id with RFC 9106's second recommended option (t=3, 64 MiB, p=4): argon2-cffi's defaults.
# SHOUZI_PASSWORD_HASH=cheapest is for the test suite only (argon2's own CHEAPEST profile).
HASHER = (
    PasswordHasher.from_parameters(profiles.CHEAPEST)
    if os.environ.get("SHOUZI_PASSWORD_HASH") == "cheapest"
    else PasswordHasher()
)
# Hashes written before Argon2id; still verified, and replaced at the user's next successful login.
LEGACY_SCRYPT = "scrypt"


class AuthError(ClientError):
    """A refused login or request (401, 403, 429)."""


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    role: str
    department: str | None
    display_name: str
    unit: str | None = None  # first-unit staff: the first-consultation unit they belong to

    @property
    def tier(self) -> int:
        return ROLES[self.role]

    @property
    def actor(self) -> str:
        """How this person appears in the audit trail."""
        return f"staff:{self.username}"


def _secret(password: str) -> bytes:
    """The password's bytes; a lone surrogate (which no keyboard types) is kept rather than crashing."""
    return password.encode("utf-8", "surrogatepass")


def hash_password(password: str) -> str:
    return HASHER.hash(_secret(password))


def _verify_scrypt(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != LEGACY_SCRYPT:
            return False
        got = hashlib.scrypt(_secret(password), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), maxmem=2**27)
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored`` (Argon2id, or a legacy scrypt hash)."""
    if stored.startswith(LEGACY_SCRYPT + "$"):
        return _verify_scrypt(password, stored)
    try:
        return HASHER.verify(stored, _secret(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Legacy scrypt hashes, and Argon2 hashes with weaker parameters than today's, are replaced at login."""
    if stored.startswith(LEGACY_SCRYPT + "$"):
        return True
    try:
        return HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


@lru_cache(maxsize=1)
def _decoy() -> str:
    """What an unknown name is checked against, so that it costs what a real check costs."""
    return hash_password(secrets.token_urlsafe(16))


def _safe(value: str | None, limit: int) -> str | None:
    """A value fit for a log column: no NUL or surrogates (PostgreSQL refuses them), at most ``limit``."""
    return None if value is None else clean_text(value)[:limit]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class StaffDirectory:
    def __init__(
        self,
        engine: Engine,
        clock: Clock | None = None,
        token_hours: float = 8,
        throttle: Throttle | None = None,
    ) -> None:
        self.clock = clock or SystemClock()
        self.token_hours = token_hours
        self._throttle = throttle
        self._sessions = session_factory(engine)

    @property
    def throttle(self) -> Throttle:
        return self._throttle or get_throttle()

    def add_user(
        self,
        username: str,
        password: str,
        role: str,
        department: str | None,
        display_name: str = "",
        unit: str | None = None,
    ) -> StaffUser:
        if role not in ROLES:
            raise ValueError(f"role must be one of {sorted(ROLES)}")
        if (role in NEEDS_DEPARTMENT) != bool(department):
            raise ValueError(f"role {role} {'needs' if role in NEEDS_DEPARTMENT else 'takes no'} department")
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"password must have at least {MIN_PASSWORD} characters")
        if not username or len(username) > MAX_USERNAME or clean_text(username) != username:
            raise ValueError(f"username must be 1-{MAX_USERNAME} printable characters")
        try:
            with unit_of_work(self._sessions) as s:
                uid = s.execute(
                    insert(staff_users).values(
                        username=username,
                        password_hash=hash_password(password),
                        role=role,
                        department=department,
                        display_name=display_name or username,
                        unit=unit,
                        created_at=to_db(self.clock.now()),
                    )
                ).inserted_primary_key[0]
        except IntegrityError as exc:
            raise ValueError(f"username {username} already exists") from exc
        return StaffUser(int(uid), username, role, department, display_name or username, unit)

    def login(self, username: str, password: str, client: str = "") -> tuple[str, datetime, StaffUser]:
        """A new token for valid credentials; every attempt is logged and throttled (429, the same for any
        name); an unknown name is refused after the same work as a wrong password."""
        name = _safe(username, MAX_USERNAME + 1) or ""
        # Failures count per address and per (name, address): a name tried from one address is not locked
        # for its owner at another, and the answer is the same whether the name exists or not.
        keys = ((Quota.LOGIN_CLIENT, client or "-"), (Quota.LOGIN_NAME, f"{name}\x00{client}"))
        for quota, key in keys:
            verdict = self.throttle.peek(quota, key)
            if not verdict.allowed:
                self.log(name, "throttled", "/login", client)
                minutes = max(1, (verdict.retry_after + 59) // 60)
                raise AuthError(429, "throttled", f"登录尝试过于频繁，请 {minutes} 分钟后再试。")
        try:
            return self._login(name, username, password, client)
        except AuthError:
            for quota, key in keys:
                self.throttle.hit(quota, key)
            raise

    def _login(self, name: str, username: str, password: str, client: str) -> tuple[str, datetime, StaffUser]:
        row = None
        if 0 < len(name) <= MAX_USERNAME and name == username and len(password) <= MAX_PASSWORD:
            with self._sessions() as s:
                row = s.execute(select(staff_users).where(staff_users.c.username == name)).mappings().first()
        if row is None or not row["active"]:
            verify_password(password[:MAX_PASSWORD], _decoy())  # same cost as a real check
            self.log(name, "unknown_user", "/login", client)
            raise AuthError(401, "bad_credentials", "用户名或密码不正确。")
        if not verify_password(password, row["password_hash"]):
            self.log(name, "bad_password", "/login", client)
            raise AuthError(401, "bad_credentials", "用户名或密码不正确。")
        self.throttle.clear(Quota.LOGIN_NAME, f"{name}\x00{client}")
        now = self.clock.now()
        token = secrets.token_urlsafe(32)
        expires = now + timedelta(hours=self.token_hours)
        with unit_of_work(self._sessions) as s:
            if needs_rehash(row["password_hash"]):  # transparent upgrade to Argon2id (CAS on the old hash)
                s.execute(
                    update(staff_users)
                    .where(staff_users.c.id == row["id"], staff_users.c.password_hash == row["password_hash"])
                    .values(password_hash=hash_password(password))
                )
            s.execute(
                insert(staff_tokens).values(
                    token_hash=_token_hash(token), user_id=row["id"], expires_at=to_db(expires), created_at=to_db(now)
                )
            )
        self.log(name, "ok", "/login", client)
        return token, expires, _user(row)

    def user_for(self, token: str | None, path: str = "", client: str = "") -> StaffUser:
        """The user behind a bearer token, or 401 (logged)."""
        if not token:
            self.log(None, "no_token", path, client)
            raise AuthError(401, "unauthenticated", "请先登录。")
        now = to_db(self.clock.now())
        with self._sessions() as s:
            row = (
                s.execute(
                    select(staff_users, staff_tokens.c.expires_at)
                    .join(staff_tokens, staff_tokens.c.user_id == staff_users.c.id)
                    .where(staff_tokens.c.token_hash == _token_hash(token))
                )
                .mappings()
                .first()
            )
        if row is None or not row["active"]:
            self.log(None, "bad_token", path, client)
            raise AuthError(401, "unauthenticated", "登录已失效，请重新登录。")
        if row["expires_at"] <= now:
            self.log(row["username"], "expired", path, client)
            raise AuthError(401, "expired", "登录已过期，请重新登录。")
        return _user(row)

    def logout(self, token: str) -> None:
        with unit_of_work(self._sessions) as s:
            s.execute(delete(staff_tokens).where(staff_tokens.c.token_hash == _token_hash(token)))

    def log(self, username: str | None, outcome: str, path: str, client: str) -> None:
        with unit_of_work(self._sessions) as s:
            s.execute(
                insert(auth_log).values(
                    at=to_db(self.clock.now()),
                    username=_safe(username, MAX_USERNAME),
                    outcome=outcome,
                    path=_safe(path, 255),
                    client=_safe(client, 64),
                )
            )

    def attempts(self, username: str | None = None) -> list[dict[str, object]]:
        query = select(auth_log).order_by(auth_log.c.id)
        if username is not None:
            query = query.where(auth_log.c.username == username)
        with self._sessions() as s:
            return [dict(r) for r in s.execute(query).mappings()]


def _user(r: Any) -> StaffUser:
    return StaffUser(int(r["id"]), r["username"], r["role"], r["department"], r["display_name"], r.get("unit"))
