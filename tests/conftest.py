"""Shared fixtures: databases on SQLite and PostgreSQL, Redis, and a tiny named world."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_postgresql import factories as pg_factories
from pytest_redis import factories as redis_factories
from sqlalchemy import Engine

from powerlist import db
from tests.services import (
    POSTGRES_ENV,
    REDIS_ENV,
    check_redis,
    configured,
    scratch_database,
)

private_postgres = pg_factories.postgresql_proc(port=None)
private_redis = redis_factories.redis_proc(port=None)


@pytest.fixture(scope="session")
def postgres_server_url(request: pytest.FixtureRequest) -> str:
    """A PostgreSQL server: the configured one, else a private one started for this session."""
    url = configured(POSTGRES_ENV)
    if url:
        return url
    proc = request.getfixturevalue("private_postgres")
    return f"postgresql+psycopg://{proc.user}@{proc.host}:{proc.port}/postgres"


@pytest.fixture(scope="session")
def redis_url(request: pytest.FixtureRequest) -> str:
    """A Redis server: the configured one, else a private one started for this session."""
    url = configured(REDIS_ENV)
    if not url:
        proc = request.getfixturevalue("private_redis")
        url = f"redis://{proc.host}:{proc.port}/0"
    check_redis(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: pytest.TempPathFactory) -> str:
    """A fresh SQLite file, migrated to the newest schema."""
    url = f"sqlite:///{tmp_path}/powerlist.db"
    db.upgrade(url)
    return url


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database, migrated to the newest schema, dropped afterwards."""
    with scratch_database(postgres_server_url) as url:
        db.upgrade(url)
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Run the test once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the parametrized database."""
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()
