"""Roster workbooks (花名册) written only when their content changed, reused otherwise.

A roster's content digest is the sha256 of everything that goes into its tables plus the
layout version and the status thresholds. When an earlier report of the same unit holds the
same digest and its file is intact, the day's report row points at that file and nothing is
written. The 状态 column is a formula of the due date and the day the file is opened, so a
roster changes only when its facts change (staff, completions, hours, due dates, exam data).
The digest is part of the file's name on disk, so a file a report points at is never
overwritten with other content.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from powerlist.artifacts import sha256_of
from powerlist.excel import TableSheet
from powerlist.jobs import RunContext
from powerlist.models import Report
from powerlist.training import reports, workbooks
from powerlist.training.config import Stages
from powerlist.training.roster import UnitRoster

ROSTER_KIND = "training_roster"
LAYOUT = "roster-v2"  # change when the roster's columns, formulas or notes change


@dataclass(frozen=True)
class RosterOutcome:
    """How many of the rosters were written and how many reused."""

    written: int = 0
    reused: int = 0


@dataclass(frozen=True)
class StoredRoster:
    """An earlier report's file that may be reused."""

    path: str
    sha256: str
    bytes: int
    rows: int


def roster_tables(roster: UnitRoster, stages: Stages) -> list[TableSheet]:
    """The roster workbook's tables (花名册, 学时统计); rows are lists, so they can be hashed."""
    tables = [reports.roster_table(roster, stages), reports.hours_table(roster)]
    for table in tables:
        table.rows = list(table.rows)
    return tables


def content_digest(roster: UnitRoster, tables: Sequence[TableSheet], stages: Stages) -> str:
    """sha256 of what the roster workbook shows, apart from the day it was written."""
    digest = hashlib.sha256()
    head = (LAYOUT, roster.code, roster.name, stages.due_soon_days, stages.escalate_after_days)
    digest.update(repr(head).encode())
    for table in tables:
        digest.update(repr((table.title, [column.header for column in table.columns])).encode())
        for row in table.rows:
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def record_rosters(
    session: Session, ctx: RunContext, rosters: Sequence[UnitRoster], stages: Stages
) -> RosterOutcome:
    """Write (or reuse) each unit's roster and record one report row per unit for this run."""
    tables = {roster.unit_id: roster_tables(roster, stages) for roster in rosters}
    digests = {
        roster.unit_id: content_digest(roster, tables[roster.unit_id], stages) for roster in rosters
    }
    stored = _stored(session, digests)
    rows = []
    written = 0
    for roster in rosters:
        digest = digests[roster.unit_id]
        file_name = f"{roster.code}_{roster.name}_培训考试花名册.xlsx"
        found = stored.get((roster.unit_id, digest))
        if found is None or not _intact(found):
            target = ctx.reports_dir / f"{Path(file_name).stem}_{digest[:10]}.xlsx"
            info = workbooks.roster_info(ctx.period.start.isoformat(), roster.name, stages)
            made = workbooks.write_tables(target, info, tables[roster.unit_id])
            found = StoredRoster(str(made.path), made.sha256, made.bytes, made.total_rows)
            written += 1
        rows.append(
            {
                "run_id": ctx.run_id,
                "unit_id": roster.unit_id,
                "kind": ROSTER_KIND,
                "file_name": file_name,
                "path": found.path,
                "sha256": found.sha256,
                "bytes": found.bytes,
                "rows": found.rows,
                "content_digest": digest,
            }
        )
    unit_ids = [roster.unit_id for roster in rosters]
    session.execute(
        delete(Report).where(
            Report.run_id == ctx.run_id, Report.kind == ROSTER_KIND, Report.unit_id.in_(unit_ids)
        )
    )
    if rows:
        session.execute(insert(Report), rows)
    return RosterOutcome(written=written, reused=len(rosters) - written)


def reuse_counts(session: Session, ctx: RunContext) -> RosterOutcome:
    """Rosters this run wrote (files in its own folder) and reused (files of earlier runs)."""
    paths = session.scalars(
        select(Report.path).where(Report.run_id == ctx.run_id, Report.kind == ROSTER_KIND)
    ).all()
    folder = str(ctx.reports_dir)
    written = sum(1 for path in paths if str(Path(path).parent) == folder)
    return RosterOutcome(written=written, reused=len(paths) - written)


def _stored(session: Session, digests: dict[int, str]) -> dict[tuple[int, str], StoredRoster]:
    """The latest report per (unit, digest) among `digests`, from one query."""
    if not digests:
        return {}
    latest = (
        select(func.max(Report.id))
        .where(
            Report.unit_id.in_(list(digests)),
            Report.kind == ROSTER_KIND,
            Report.content_digest.in_(list(set(digests.values()))),
        )
        .group_by(Report.unit_id, Report.content_digest)
    )
    rows = session.execute(
        select(
            Report.unit_id, Report.content_digest, Report.path, Report.sha256, Report.bytes,
            Report.rows,
        ).where(Report.id.in_(latest))
    )  # fmt: skip
    return {
        (unit_id, digest): StoredRoster(path, sha, size, count)
        for unit_id, digest, path, sha, size, count in rows
        if digest is not None and digests.get(unit_id) == digest
    }


def _intact(stored: StoredRoster) -> bool:
    """The file is still there with the recorded size and checksum."""
    path = Path(stored.path)
    try:
        if path.stat().st_size != stored.bytes:
            return False
    except OSError:
        return False
    return sha256_of(path) == stored.sha256
