"""The migrations build the schema the models describe, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select

from powerlist import db
from powerlist.models import Base, Department, PowerItem, Run


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_every_table_exists_and_downgrade_removes_them(database_url: str) -> None:
    engine = db.make_engine(database_url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    command.downgrade(db.alembic_config(database_url), "base")
    assert not db.is_migrated(engine)
    db.upgrade(database_url)
    assert db.is_migrated(engine)
    engine.dispose()


def test_timestamps_come_back_aware_in_utc(engine: Engine) -> None:
    beijing = timezone(timedelta(hours=8))
    started = datetime(2026, 1, 10, 9, 0, tzinfo=beijing)
    with db.session_scope(engine) as session:
        session.add(Run(job="yearly_review", period="2025", scope="all", started_at=started))
    with db.session_scope(engine) as session:
        run = session.scalars(select(Run)).one()
        assert run.started_at == started
        assert run.started_at.tzinfo is not None
        assert run.started_at.astimezone(UTC).hour == 1


def test_naive_timestamps_are_refused(engine: Engine) -> None:
    with pytest.raises(Exception, match="naive datetime"), db.session_scope(engine) as session:
        session.add(Run(job="x", period="2025", scope="all", started_at=datetime(2026, 1, 1)))


def test_item_codes_are_opaque_strings(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        department = Department(code="sthjj", name="包头市生态环境局", level="市")
        session.add(department)
        session.flush()
        for code in ("000114001000", "XK0012-001", "511A0138000000-511602000000-000-1-00"):
            item = PowerItem(code=code, name="排污许可", category="行政许可")
            item.department_id = department.id
            item.last_reviewed_on = date(2025, 11, 1)
            session.add(item)
    with db.session_scope(engine) as session:
        codes = set(session.scalars(select(PowerItem.code)))
    assert "000114001000" in codes
    assert "511A0138000000-511602000000-000-1-00" in codes
