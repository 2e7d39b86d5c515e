"""The demo city loaded into a fresh database, shared by the tests that need the whole city."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine

from powerlist import db
from powerlist.demo.generate import generate_city
from powerlist.demo.load import load_demo
from tests.services import scratch_database


@contextmanager
def demo_city_engine(
    backend: str, folder: Path, request: pytest.FixtureRequest, seed: int = 2026
) -> Iterator[Engine]:
    """An engine on a new SQLite file or PostgreSQL scratch database holding the demo city."""
    if backend == "sqlite":
        with _loaded(f"sqlite:///{folder}/demo.db", seed) as engine:
            yield engine
        return
    with (
        scratch_database(request.getfixturevalue("postgres_server_url")) as url,
        _loaded(url, seed) as engine,
    ):
        yield engine


@contextmanager
def _loaded(url: str, seed: int) -> Iterator[Engine]:
    db.upgrade(url)
    engine = db.make_engine(url)
    try:
        load_demo(engine, [generate_city(seed)])
        yield engine
    finally:
        engine.dispose()
