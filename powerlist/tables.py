"""Light Core views of the tables the read-only commands query, without the ORM.

`powerlist runs list` and `powerlist items list` must answer at once; importing the ORM and
mapping every model costs about 0.1 s, as much as the rest of such a command. These
`sqlalchemy.table()` constructs name only the columns those reads use, with the models' own
column types; tests/test_tables.py checks each against the mapped table, so a renamed or
retyped column fails there, not in a user's terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, Integer, String, Text, column, table

from powerlist.coltypes import UTCDateTime

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    Reader = Session | Connection  # what executes these tables' Core queries: either will do

# 运行台账 (the run ledger): one row per run
runs = table(
    "runs",
    column("id", Integer),
    column("job", String),
    column("period", String),
    column("scope", String),
    column("status", String),
    column("trigger", String),
    column("progress_done", Integer),
    column("progress_total", Integer),
    column("current", String),
    column("attempts", Integer),
    column("generation", Integer),
    column("summary", JSON),
    column("error", Text),
    column("created_at", UTCDateTime),
    column("started_at", UTCDateTime),
    column("heartbeat_at", UTCDateTime),
    column("finished_at", UTCDateTime),
)

run_steps = table(
    "run_steps",
    column("id", Integer),
    column("run_id", Integer),
    column("step", String),
    column("position", Integer),
    column("status", String),
    column("attempts", Integer),
    column("owner", String),
    column("error", Text),
)

reports = table(
    "reports",
    column("id", Integer),
    column("run_id", Integer),
    column("path", String),
)

# 部门 (departments holding powers)
departments = table(
    "departments",
    column("id", Integer),
    column("code", String),
    column("name", String),
    column("short_name", String),
    column("level", String),
    column("active", Boolean),
    column("merged_into_id", Integer),
    column("abolished_on", Date),
    column("region", String),
    column("category", String),
)

# 权力事项 (power items) and their 实施依据 (legal bases)
power_items = table(
    "power_items",
    column("id", Integer),
    column("code", String),
    column("name", String),
    column("sub_item", String),
    column("category", String),
    column("department_id", Integer),
    column("unit", String),
    column("responsibilities", Text),
    column("accountability", Text),
    column("status", String),
    column("last_reviewed_on", Date),
    column("version", Integer),
)

legal_bases = table(
    "legal_bases",
    column("id", Integer),
    column("title", String),
    column("level", String),
    column("status", String),
)

item_bases = table(
    "item_bases",
    column("id", Integer),
    column("item_id", Integer),
    column("basis_id", Integer),
    column("articles", Text),
)

LIGHT_TABLES = (runs, run_steps, reports, departments, power_items, legal_bases, item_bases)
