"""API tokens (访问令牌) for the HTTP API and the portal: stored as SHA-256, never in plain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from powerlist.models.base import Base, UTCDateTime, utcnow


class ApiToken(Base):
    """A bearer token for one department (its liaison officer) or for an administrator.

    Only the SHA-256 of the token is kept; `prefix` (the first characters) lets people tell
    tokens apart in `powerlist tokens list` without revealing them.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(128), default="")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
