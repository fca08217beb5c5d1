"""Staff accounts: scrypt-hashed passwords, expiring bearer tokens stored only as hashes, and a log
of every login attempt and refused request. Repeated failures lock a username for a while."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.inputs import ClientError
from bot.records.clock import Clock, SystemClock, to_db
from bot.records.db import session_factory, unit_of_work
from bot.records.tables import auth_log, staff_tokens, staff_users
from bot.vocabulary import Role

# Role → the tier it decides at (1: the first-consultation unit's own desk).
ROLES = {role.value: int(role.tier) for role in Role}
NEEDS_DEPARTMENT = (Role.SECTION, Role.LEADERSHIP)
MIN_PASSWORD = 10
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class AuthError(ClientError):
    """A refused login or request (401, 403, 429)."""


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    role: str
    department: str | None
    display_name: str

    @property
    def tier(self) -> int:
        return ROLES[self.role]

    @property
    def actor(self) -> str:
        """How this person appears in the audit trail."""
        return f"staff:{self.username}"


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(got.hex(), digest)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class StaffDirectory:
    def __init__(
        self,
        engine: Engine,
        clock: Clock | None = None,
        token_hours: float = 8,
        max_failures: int = 5,
        lockout_minutes: int = 15,
    ) -> None:
        self.clock = clock or SystemClock()
        self.token_hours = token_hours
        self.max_failures = max_failures
        self.lockout = timedelta(minutes=lockout_minutes)
        self._sessions = session_factory(engine)

    def add_user(
        self, username: str, password: str, role: str, department: str | None, display_name: str = ""
    ) -> StaffUser:
        if role not in ROLES:
            raise ValueError(f"role must be one of {sorted(ROLES)}")
        if (role in NEEDS_DEPARTMENT) != bool(department):
            raise ValueError(f"role {role} {'needs' if role in NEEDS_DEPARTMENT else 'takes no'} department")
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"password must have at least {MIN_PASSWORD} characters")
        if not username or len(username) > 64:
            raise ValueError("username must be 1-64 characters")
        try:
            with unit_of_work(self._sessions) as s:
                uid = s.execute(
                    insert(staff_users).values(
                        username=username,
                        password_hash=hash_password(password),
                        role=role,
                        department=department,
                        display_name=display_name or username,
                        created_at=to_db(self.clock.now()),
                    )
                ).inserted_primary_key[0]
        except IntegrityError as exc:
            raise ValueError(f"username {username} already exists") from exc
        return StaffUser(int(uid), username, role, department, display_name or username)

    def login(self, username: str, password: str, client: str = "") -> tuple[str, datetime, StaffUser]:
        """A new token for valid credentials; every attempt is logged, repeated failures lock out."""
        now = self.clock.now()
        if self._recent_failures(username, now) >= self.max_failures:
            self.log(username, "locked", "/login", client)
            raise AuthError(429, "locked", "登录失败次数过多，请 15 分钟后再试。")
        with self._sessions() as s:
            row = s.execute(select(staff_users).where(staff_users.c.username == username)).mappings().first()
        if row is None or not row["active"]:
            verify_password(password, hash_password("timing-equaliser"))  # same cost as a real check
            self.log(username, "unknown_user", "/login", client)
            raise AuthError(401, "bad_credentials", "用户名或密码不正确。")
        if not verify_password(password, row["password_hash"]):
            self.log(username, "bad_password", "/login", client)
            raise AuthError(401, "bad_credentials", "用户名或密码不正确。")
        token = secrets.token_urlsafe(32)
        expires = now + timedelta(hours=self.token_hours)
        with unit_of_work(self._sessions) as s:
            s.execute(
                insert(staff_tokens).values(
                    token_hash=_token_hash(token), user_id=row["id"], expires_at=to_db(expires), created_at=to_db(now)
                )
            )
        self.log(username, "ok", "/login", client)
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
                    at=to_db(self.clock.now()), username=username, outcome=outcome, path=path[:255], client=client[:64]
                )
            )

    def attempts(self, username: str | None = None) -> list[dict[str, object]]:
        query = select(auth_log).order_by(auth_log.c.id)
        if username is not None:
            query = query.where(auth_log.c.username == username)
        with self._sessions() as s:
            return [dict(r) for r in s.execute(query).mappings()]

    def _recent_failures(self, username: str, now: datetime) -> int:
        since = to_db(now - self.lockout)
        last_ok = (
            select(func.max(auth_log.c.at))
            .where(auth_log.c.username == username, auth_log.c.outcome == "ok")
            .scalar_subquery()
        )
        query = select(func.count()).where(
            auth_log.c.username == username,
            auth_log.c.outcome == "bad_password",
            auth_log.c.at >= since,
            (auth_log.c.at > last_ok) | last_ok.is_(None),
        )
        with self._sessions() as s:
            return int(s.execute(query).scalar_one())


def _user(r: Any) -> StaffUser:
    return StaffUser(int(r["id"]), r["username"], r["role"], r["department"], r["display_name"])
