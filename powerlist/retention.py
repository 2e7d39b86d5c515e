"""Retention (保存期限): delete personal data that has outlived its purpose.

Per kind, rows older than the configured number of days are deleted (0 keeps them forever):
- outbox: sent or failed messages (recipient address, name and text of each reminder),
- reminders: the record that a reminder stage was sent to a person,
- audit: audit events (审计记录; who downloaded, uploaded, triggered what),
- staff: people no longer 在岗 for longer than the keep days, with their reminder records,
  training records and exam results (audit events about them stay until their own purge),
- rosters / reports: report rows (and then their workbooks on disk) of the training rosters
  and city tables, and of every other job; a file still named by a younger report stays,
- import_errors: error workbooks of refused imports (the uploaded rows, by file age).
Pending and sending messages are never deleted; a reminder still pointing at an outbox row
is deleted before that row. `powerlist purge` and the beat task `powerlist.purge` call
`purge_now` (rows in one transaction, files after it commits); `dry_run` counts only.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Engine, delete, func, select, update
from sqlalchemy.orm import Session

from powerlist.db import session_scope
from powerlist.models import (
    AuditEvent,
    ExamResult,
    OutboxMessage,
    Reminder,
    Report,
    Staff,
    TrainingRecord,
)
from powerlist.settings import Settings

FINISHED_MESSAGES = ("sent", "failed")
ROSTER_KINDS = ("training_roster", "training_city")
KIND_ZH = {
    "outbox": "发件箱消息",
    "reminders": "提醒记录",
    "audit": "审计记录",
    "staff": "离岗人员",
    "rosters": "培训名册与汇总表",
    "reports": "其他报表",
    "import_errors": "导入错误清单",
}
ERRORS_DIR = "import-errors"  # where imports write their error workbooks (imports/run.py)


@dataclass(frozen=True)
class Purged:
    """What one kind's purge removed (or, on a dry run, would remove)."""

    kind: str
    keep_days: int
    cutoff: str | None
    rows: int
    files: int = 0  # workbooks on disk (rosters, reports)


def retention_days(settings: Settings) -> dict[str, int]:
    """The configured keep days per kind (0 = keep forever)."""
    return {
        "outbox": settings.retention_outbox_days,
        "reminders": settings.retention_reminders_days,
        "audit": settings.retention_audit_days,
        "staff": settings.retention_staff_days,
        "rosters": settings.retention_roster_files_days,
        "reports": settings.retention_report_files_days,
        "import_errors": settings.retention_import_errors_days,
    }


def purge_now(
    settings: Settings, now: datetime, dry_run: bool = False, engine: Engine | None = None
) -> list[Purged]:
    """Purge in one transaction, then delete the workbooks no report names any more."""
    files: list[Path] = []
    with session_scope(engine) as session:
        results = purge(session, settings, now, dry_run=dry_run, files=files)
        if dry_run:
            session.rollback()
    if not dry_run:
        remove_files(files, settings.reports_dir)
    return results


def purge(
    session: Session,
    settings: Settings,
    now: datetime,
    dry_run: bool = False,
    files: list[Path] | None = None,
) -> list[Purged]:
    """Delete (or count, when `dry_run`) the rows older than each kind's keep days.

    Workbooks whose last report row goes are appended to `files` for the caller to delete
    once the transaction has committed (`purge_now` does).
    """
    days = retention_days(settings)
    results: list[Purged] = []
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    results.append(_purge_staff(session, days["staff"], today, dry_run))

    keep = days["reminders"]
    reminder_cut = today - timedelta(days=keep) if keep else None
    old_reminders = Reminder.sent_on < reminder_cut if reminder_cut else None
    results.append(
        Purged("reminders", keep, str(reminder_cut) if reminder_cut else None,
               _apply(session, Reminder, old_reminders, dry_run))
    )  # fmt: skip

    keep = days["outbox"]
    outbox_cut = now - timedelta(days=keep) if keep else None
    old_messages = (
        (OutboxMessage.created_at < outbox_cut) & OutboxMessage.status.in_(FINISHED_MESSAGES)
        if outbox_cut
        else None
    )
    if old_messages is not None and not dry_run:
        # a reminder kept longer than its message loses only the link to it
        linked = select(OutboxMessage.id).where(old_messages).scalar_subquery()
        session.query(Reminder).filter(Reminder.outbox_id.in_(linked)).update(
            {Reminder.outbox_id: None}, synchronize_session=False
        )
    results.append(
        Purged("outbox", keep, outbox_cut.isoformat() if outbox_cut else None,
               _apply(session, OutboxMessage, old_messages, dry_run))
    )  # fmt: skip

    keep = days["audit"]
    audit_cut = now - timedelta(days=keep) if keep else None
    old_audit = AuditEvent.at < audit_cut if audit_cut else None
    results.append(
        Purged("audit", keep, audit_cut.isoformat() if audit_cut else None,
               _apply(session, AuditEvent, old_audit, dry_run))
    )  # fmt: skip
    doomed: list[Path] = []
    results.append(_purge_reports(session, "rosters", days["rosters"], now, dry_run, doomed))
    results.append(_purge_reports(session, "reports", days["reports"], now, dry_run, doomed))
    results.append(_old_error_books(settings.reports_dir, days["import_errors"], now, doomed))
    if files is not None:
        files.extend(doomed)
    if not dry_run and any(r.rows or r.files for r in results):
        session.add(AuditEvent(
            actor="purge", action="purge", entity="retention", entity_id="all", before=None,
            after={r.kind: r.rows for r in results} | {
                f"{r.kind}_files": r.files for r in results if r.files
            },
        ))  # fmt: skip
    session.flush()
    return results


def _apply(session: Session, model: type, condition: object, dry_run: bool) -> int:
    if condition is None:
        return 0
    if dry_run:
        return int(session.scalar(select(func.count()).select_from(model).where(condition)) or 0)
    return int(session.execute(delete(model).where(condition)).rowcount or 0)


def _purge_staff(session: Session, keep: int, today: date, dry_run: bool) -> Purged:
    """People no longer 在岗 for `keep` days, with their reminders, training and exams."""
    if not keep:
        return Purged("staff", keep, None, 0)
    cut = today - timedelta(days=keep)
    if not dry_run:  # left before their leaving day was recorded: the clock starts today
        session.execute(
            update(Staff)
            .where(Staff.active.is_(False), Staff.inactive_since.is_(None))
            .values(inactive_since=today)
        )
    gone = select(Staff.id).where(Staff.active.is_(False), Staff.inactive_since < cut)
    count = int(session.scalar(select(func.count()).select_from(gone.subquery())) or 0)
    if count and not dry_run:
        ids = gone.scalar_subquery()
        for model in (Reminder, TrainingRecord, ExamResult):
            session.execute(delete(model).where(model.staff_id.in_(ids)))
        session.execute(delete(Staff).where(Staff.id.in_(ids)))
    return Purged("staff", keep, str(cut), count)


def _purge_reports(
    session: Session, kind: str, keep: int, now: datetime, dry_run: bool, doomed: list[Path]
) -> Purged:
    """Report rows older than `keep` days; their files go when no other row names them."""
    if not keep:
        return Purged(kind, keep, None, 0)
    cut = now - timedelta(days=keep)
    rosters = Report.kind.in_(ROSTER_KINDS)
    old: ColumnElement[bool] = (Report.created_at < cut) & (
        rosters if kind == "rosters" else ~rosters
    )
    rows = session.execute(select(Report.id, Report.path).where(old)).all()
    paths = {path for _id, path in rows}
    named_elsewhere = set(
        session.scalars(select(Report.path).where(Report.path.in_(paths), ~old)).all()
    ) if paths else set()  # fmt: skip
    orphans = sorted(paths - named_elsewhere)
    if rows and not dry_run:
        session.execute(delete(Report).where(Report.id.in_([i for i, _p in rows])))
    doomed.extend(Path(p) for p in orphans)
    return Purged(kind, keep, cut.isoformat(), len(rows), len(orphans))


def _old_error_books(reports_dir: Path, keep: int, now: datetime, doomed: list[Path]) -> Purged:
    """Error workbooks of refused imports (the uploaded rows) older than `keep` days."""
    if not keep:
        return Purged("import_errors", keep, None, 0)
    cut = now - timedelta(days=keep)
    folder = reports_dir / ERRORS_DIR
    old = [
        p for p in (folder.rglob("*") if folder.is_dir() else [])
        if p.is_file() and p.stat().st_mtime < cut.timestamp()
    ]  # fmt: skip
    doomed.extend(old)
    return Purged("import_errors", keep, cut.isoformat(), 0, len(old))


def remove_files(paths: list[Path], root: Path) -> int:
    """Delete `paths` that lie under `root`, and the folders they leave empty; the count."""
    base = root.resolve()
    removed = 0
    for path in paths:
        target = path.resolve()
        if not target.is_relative_to(base) or not target.is_file():
            continue
        target.unlink()
        removed += 1
        folder = target.parent
        while folder != base and folder.is_relative_to(base):
            with contextlib.suppress(OSError):  # not empty: stop climbing
                folder.rmdir()
            if folder.exists():
                break
            folder = folder.parent
    return removed
