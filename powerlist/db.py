"""Database engine, sessions and migrations: the one place that knows how to connect."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from powerlist import env
from powerlist.errors import DatabaseMissing
from powerlist.missing_db import refusing_missing_databases
from powerlist.private_files import private_file, private_folder

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.orm import Session


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine; SQLite gets its folder created, foreign keys on and WAL journaling."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            private_folder(Path(database).parent)
        kwargs["connect_args"] = {"timeout": 30}
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        if database and database != ":memory:" and not database.startswith("file:"):
            path = Path(database)  # the file holds staff personal data: owner only (0600)
            event.listen(engine, "connect", lambda *_: private_file(path))
        return engine
    kwargs["pool_pre_ping"] = True
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """The process-wide engine for a URL (one pool per URL)."""
    return make_engine(url, echo=env.sql_echo())


_checked: set[str] = set()


def default_engine() -> Engine:
    """The engine for POWERLIST_DATABASE_URL."""
    url = env.database_url()
    if refusing_missing_databases() and url not in _checked:
        check_database(url)
        _checked.add(url)
    return engine_for(url)


def shown_url(url: str) -> str:
    """The database as a person should see it: a SQLite file's full path, else the URL without
    its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return str(Path(parsed.database).resolve())
    return parsed.render_as_string(hide_password=True)


def check_database(url: str) -> None:
    """Raise DatabaseMissing unless the database at `url` exists and has the schema; creates
    nothing (a SQLite file that is not there is not made)."""
    how = "用 powerlist db upgrade 创建空数据库，或在项目目录运行 make demo 生成示范数据"
    where = f"{shown_url(url)}（POWERLIST_DATABASE_URL）"
    parsed = make_url(url)
    file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if file not in (None, "", ":memory:") and not Path(str(file)).is_file():
        raise DatabaseMissing(f"找不到数据库 {where}：{how}")
    try:
        migrated = is_migrated(engine_for(url))
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0][:200]
        raise DatabaseMissing(f"无法连接数据库 {where}：{reason}；请检查地址和数据库服务") from None
    if not migrated:
        raise DatabaseMissing(f"数据库 {where} 还没有表结构：{how}")


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    from sqlalchemy.orm import Session  # the ORM only where sessions are used

    # A plain Session: `sessionmaker(...)()` built a new Session subclass on every call, whose
    # event set-up cost about as much as a short transaction's statements.
    session = Session(bind=engine or default_engine(), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def reading(engine: Engine | None = None) -> Iterator[Connection]:
    """A connection for read-only Core queries (the list commands): no ORM session, nothing
    committed."""
    with (engine or default_engine()).connect() as connection:
        yield connection


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the packaged migrations, pointed at `url`."""
    from alembic.config import Config  # Alembic only when migrating: it costs every CLI start

    config = Config()
    config.set_main_option("script_location", "powerlist:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Apply migrations up to `revision` (default: the newest) on the database at `url`."""
    from alembic import command

    command.upgrade(alembic_config(url or env.database_url()), revision)


def is_migrated(engine: Engine) -> bool:
    """Whether the schema exists (the migrations have been applied at least once)."""
    return inspect(engine).has_table("power_items")


def refresh_statistics(connection: Connection | Session) -> None:
    """ANALYZE (PostgreSQL) after a bulk write, in the writer's own transaction.

    The planner otherwise keeps the empty-table estimates until autovacuum gets to the tables
    (never, where autovacuum is off): a department's training-hours query then took 1 s
    instead of 1 ms on a freshly loaded province. SQLite needs nothing here.
    """
    bind = connection if isinstance(connection, Connection) else connection.get_bind()
    if bind.dialect.name == "postgresql":
        connection.execute(text("ANALYZE"))
