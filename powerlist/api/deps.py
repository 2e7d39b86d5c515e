"""Request dependencies: the engine, and the caller from a bearer token or the portal cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from sqlalchemy import Engine

from powerlist.db import session_scope
from powerlist.models import AuditEvent
from powerlist.tokens import Caller, authenticate

COOKIE_NAME = "powerlist_token"
MAX_ROW_ID = 2_147_483_647  # the largest INTEGER key PostgreSQL stores; larger ids cannot exist
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
"""A row id in a path: out of the database's range answers 422, never a 500 from the driver."""


def get_engine(request: Request) -> Engine:
    """The engine the app was created with."""
    engine: Engine = request.app.state.engine
    return engine


def token_from(request: Request) -> str | None:
    """The token of a request: `Authorization: Bearer …` first, else the portal cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE_NAME)


def optional_caller(request: Request, engine: Engine = Depends(get_engine)) -> Caller | None:
    """The authenticated caller, or None (unknown, expired or revoked token, or none at all)."""
    token = token_from(request)
    if not token:
        return None
    with session_scope(engine) as session:
        return authenticate(session, token)


def current_caller(caller: Caller | None = Depends(optional_caller)) -> Caller:
    """The authenticated caller; 401 otherwise."""
    if caller is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "invalid, expired or revoked token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return caller


def not_found() -> HTTPException:
    """The one answer for a missing object and for another department's object alike."""
    return HTTPException(status.HTTP_404_NOT_FOUND, "Not Found")


def audit(engine: Engine, caller: Caller, action: str, entity: str, entity_id: object,
          after: dict[str, object] | None = None) -> None:  # fmt: skip
    """Record an audit event (审计记录) for a trigger, download or upload."""
    with session_scope(engine) as session:
        session.add(
            AuditEvent(
                actor=caller.actor,
                action=action,
                entity=entity,
                entity_id=str(entity_id),
                after=after,
            )
        )
