"""Access tokens (访问令牌): created once and shown once, stored as SHA-256, expiring, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.models import ApiToken, Department, utcnow

TOKEN_PREFIX = "pl_"
LAST_USED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Caller:
    """Who is calling: an administrator, or the liaison officer of one department."""

    token_id: int
    is_admin: bool
    department_id: int | None
    department_code: str | None
    department_name: str | None

    @property
    def actor(self) -> str:
        """The name written into audit events."""
        who = "admin" if self.is_admin else f"dept:{self.department_code}"
        return f"token#{self.token_id}:{who}"


@dataclass(frozen=True)
class TokenInfo:
    """A token as `powerlist tokens list` shows it (never the token itself)."""

    id: int
    prefix: str
    label: str
    department: str | None
    is_admin: bool
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    session: Session,
    *,
    department_code: str | None = None,
    admin: bool = False,
    expires_days: int | None = 90,
    label: str = "",
) -> tuple[str, int]:
    """Create a token for one department or an administrator; returns (plaintext, id) once."""
    if admin == (department_code is not None):
        raise ValueError("give exactly one of a department code or admin")
    department_id = None
    if department_code is not None:
        department = session.scalar(select(Department).where(Department.code == department_code))
        if department is None:
            raise ValueError(f"没有部门编码 {department_code!r}")
        department_id = department.id
    if expires_days is not None and expires_days < 1:
        raise ValueError("expires_days must be at least 1")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        token_sha256=hash_token(token),
        prefix=token[:10],
        label=label,
        department_id=department_id,
        is_admin=admin,
        expires_at=utcnow() + timedelta(days=expires_days) if expires_days else None,
    )
    session.add(row)
    session.flush()
    return token, row.id


def authenticate(session: Session, token: str, now: datetime | None = None) -> Caller | None:
    """The caller a token stands for, or None when it is unknown, expired or revoked."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == hash_token(token)))
    now = now or utcnow()
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    department = session.get(Department, row.department_id) if row.department_id else None
    if not row.is_admin and department is None:
        return None
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_EVERY:
        row.last_used_at = now  # not on every request: one write a minute at most
    return Caller(
        token_id=row.id,
        is_admin=row.is_admin,
        department_id=department.id if department else None,
        department_code=department.code if department else None,
        department_name=department.name if department else None,
    )


def revoke_token(session: Session, token_id: int) -> bool:
    """Revoke a token by id; False when there is no such token (revoking twice is harmless)."""
    row = session.get(ApiToken, token_id)
    if row is None:
        return False
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return True


def list_tokens(session: Session) -> list[TokenInfo]:
    """Every token, newest first, with its department code and state."""
    rows = session.execute(
        select(ApiToken, Department.code)
        .outerjoin(Department, Department.id == ApiToken.department_id)
        .order_by(ApiToken.id.desc())
    )
    return [
        TokenInfo(
            t.id,
            t.prefix,
            t.label,
            code,
            t.is_admin,
            t.created_at,
            t.expires_at,
            t.revoked_at,
            t.last_used_at,
        )
        for t, code in rows
    ]
