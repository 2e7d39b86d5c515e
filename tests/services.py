"""Where the test suite finds PostgreSQL and Redis.

POWERLIST_TEST_POSTGRES_URL / POWERLIST_TEST_REDIS_URL name running servers (CI sets them to
the machine's services). Without them the suite starts private, throwaway servers from the
installed binaries (pytest-postgresql, pytest-redis). A test that needs a server fails,
never skips, when the server cannot be reached.
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


def configured(env: str) -> str | None:
    """The server URL named by an environment variable, if any."""
    value = os.environ.get(env, "").strip()
    return value or None
