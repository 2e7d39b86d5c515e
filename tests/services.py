"""Where the test suite finds PostgreSQL and Redis.

POWERLIST_TEST_POSTGRES_URL / POWERLIST_TEST_REDIS_URL name running servers (CI sets them to
the machine's services). Without them the suite uses PostgreSQL on 127.0.0.1:5432 (user postgres)
and Redis on 127.0.0.1:6379 when they answer, else starts private, throwaway servers from the
installed binaries (pytest-postgresql, pytest-redis; the private PostgreSQL cannot run as root).
A test that needs a server fails, never skips, when the server cannot be reached.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import redis
from sqlalchemy.engine import make_url

POSTGRES_ENV = "POWERLIST_TEST_POSTGRES_URL"
REDIS_ENV = "POWERLIST_TEST_REDIS_URL"


class ServiceMissing(RuntimeError):
    """A server the tests need is not reachable: a loud failure, never a skip."""


def check_postgres(url: str) -> None:
    """Fail loudly when PostgreSQL at `url` does not answer."""
    try:
        with psycopg.connect(_libpq(url), connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        raise ServiceMissing(
            f"PostgreSQL at {url} is not reachable ({error}). Start it, or unset {POSTGRES_ENV} "
            "to let the tests start a private server (needs the postgresql package, non-root)."
        ) from error


def check_redis(url: str) -> None:
    """Fail loudly when Redis at `url` does not answer."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except redis.RedisError as error:
        raise ServiceMissing(
            f"Redis at {url} is not reachable ({error}). Start it, or unset {REDIS_ENV} "
            "to let the tests start a private server (needs the redis-server package)."
        ) from error


def _libpq(url: str) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """Create a uniquely named database on the server, yield its SQLAlchemy URL, drop it."""
    check_postgres(server_url)
    name = f"powerlist_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server_url).set(drivername="postgresql+psycopg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# The machine's own services, used when the variables are unset and they answer: `make test`
# then works as root, where pytest-postgresql's private server cannot start (pg_ctl refuses root).
LOCAL_SERVICES = {
    POSTGRES_ENV: "postgresql://postgres@127.0.0.1:5432/postgres",
    REDIS_ENV: "redis://127.0.0.1:6379/0",
}


def configured(env: str) -> str | None:
    """The server URL named by an environment variable, else the local service if it answers."""
    value = os.environ.get(env, "").strip()
    if value:
        return value
    local = LOCAL_SERVICES.get(env)
    return local if local is not None and _answers(local) else None


def _answers(url: str) -> bool:
    """Whether the local server at `url` answers within a second (no error if it does not)."""
    try:
        if url.startswith("redis"):
            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        else:
            with psycopg.connect(_libpq(url), connect_timeout=1) as conn:
                conn.execute("SELECT 1")
    except (psycopg.Error, redis.RedisError, OSError):
        return False
    return True
