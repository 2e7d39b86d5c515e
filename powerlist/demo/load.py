"""Write a generated demo into the database in bulk (explicit ids, chunked executemany)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Engine, func, select, text, update

from powerlist.db import refresh_statistics
from powerlist.demo.generate import DemoCity
from powerlist.models import Base, Department

CHUNK = 10_000

# Self-references are written after the rows exist, so insert order never breaks a foreign key.
SELF_REFERENCES = {
    "departments": ("parent_id", "merged_into_id"),
    "legal_bases": ("superseded_by_id",),
}


class DatabaseNotEmpty(RuntimeError):
    """The demo would mix with existing data; the caller must ask for --reset explicitly."""


def clear_all(engine: Engine) -> None:
    """Delete every row of every table (schema kept). Only for the demo's --reset."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def load_demo(engine: Engine, chunks: Iterable[DemoCity], *, reset: bool = False) -> None:
    """Insert the demo's chunks in one transaction; refuses a non-empty database unless reset."""
    if reset:
        clear_all(engine)
    with engine.begin() as connection:
        existing = connection.execute(select(func.count()).select_from(Department)).scalar_one()
        if existing:
            raise DatabaseNotEmpty(
                f"数据库中已有 {existing} 个部门：如要用示范数据替换，请加 --reset"
                "（将删除全部现有数据）"
            )
        for city in chunks:
            _insert_chunk(connection, city)
        if connection.dialect.name == "postgresql":
            for table in Base.metadata.sorted_tables:
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                    )
                )
        refresh_statistics(connection)


def _insert_chunk(connection: Connection, city: DemoCity) -> None:
    for table in Base.metadata.sorted_tables:
        rows = city.tables.get(table.name)
        if not rows:
            continue
        deferred = SELF_REFERENCES.get(table.name, ())
        if deferred:
            rows = [{**row, **dict.fromkeys(deferred)} for row in rows]
        for start in range(0, len(rows), CHUNK):
            connection.execute(table.insert(), rows[start : start + CHUNK])
        for column in deferred:
            for row in city.tables[table.name]:
                if row[column] is not None:
                    connection.execute(
                        update(table).where(table.c.id == row["id"]).values({column: row[column]})
                    )
