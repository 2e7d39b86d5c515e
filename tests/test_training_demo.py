"""A month of daily reminder runs on the Baotou demo city, then its roster workbooks.

October 2026 holds the National Day holiday (10-01..10-07) and the 调休 Saturday 10-10. A
sample of one receiving unit in fifteen keeps the month quick; every unit runs the same code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from powerlist import db
from powerlist.models import OutboxMessage, ReceivingUnit, Reminder, Report
from powerlist.outbox.delivery import RetryPolicy, deliver_pending
from powerlist.outbox.senders import senders_from
from powerlist.settings import get_settings
from powerlist.training.config import training_config
from powerlist.training.digest import enqueue_escalation_digests
from powerlist.training.roster import ensure_requirements, load_unit_roster
from powerlist.training.send import send_unit_reminders
from powerlist.training.stages import ESCALATION, Status, personal_stages
from powerlist.workdays import is_working_day
from tests.fixtures_demo import demo_city_engine
from tests.fixtures_training import SmtpInbox, formula_value, run_day, smtp_inbox
from tests.sheet_table import HEADER_ROW, header_of

__all__ = ["smtp_inbox"]  # fixture used by name

SAMPLE_EVERY = 15


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The demo city, freshly loaded, on SQLite and on PostgreSQL."""
    with demo_city_engine(request.param, tmp_path, request) as engine:
        yield engine


def test_a_month_on_the_demo_city(
    demo_engine: Engine, smtp_inbox: SmtpInbox, tmp_path: Path
) -> None:
    config = training_config()
    with db.session_scope(demo_engine) as session:
        ids = ensure_requirements(session, config)
        units = list(session.scalars(select(ReceivingUnit).order_by(ReceivingUnit.id)))
        sample = [u.id for u in units[::SAMPLE_EVERY]]
    senders, policy = senders_from(get_settings()), RetryPolicy()
    day = date(2026, 10, 1)
    while day <= date(2026, 10, 31):
        if is_working_day(day):
            with db.session_scope(demo_engine) as session:
                for unit_id in sample:
                    unit = session.get(ReceivingUnit, unit_id)
                    assert unit is not None
                    roster = load_unit_roster(session, unit, day, config, ids)
                    send_unit_reminders(session, roster, day, config, ids)
                enqueue_escalation_digests(session, day, None)
            deliver_pending(demo_engine, senders, policy)
        day += timedelta(days=1)

    last = date(2026, 10, 30)  # the last working day of the month (10-31 is a Saturday)
    with db.session_scope(demo_engine) as session:
        rows = list(session.execute(select(Reminder)).scalars())
        messages = {m.id: m for m in session.scalars(select(OutboxMessage))}
        rosters = [
            load_unit_roster(session, session.get(ReceivingUnit, uid), last, config, ids)  # type: ignore[arg-type]
            for uid in sample
        ]
    assert len(rows) > 500 and len(messages) > 300
    sent_days = Counter(r.sent_on for r in rows)
    assert all(is_working_day(d) for d in sent_days)
    assert date(2026, 10, 10) in sent_days  # the 调休 Saturday is a working day
    assert min(sent_days) == date(2026, 10, 8)  # nothing during the holiday

    # every stage that has come for every current obligation is recorded exactly once
    recorded = Counter((r.staff_id, r.requirement_id, r.due_on, r.stage) for r in rows)
    assert max(recorded.values()) == 1
    for roster in rosters:
        for line in roster.lines:
            if line.due_on is None:
                continue
            key = (line.staff_id, ids[line.requirement.code], line.due_on)
            for stage, _ in personal_stages(line.due_on, last, config.stages):
                assert (*key, stage) in recorded, (roster.name, line.name, stage)
            escalated = line.status is Status.ESCALATED
            assert ((*key, ESCALATION) in recorded) == escalated

    # at most one personal message per person, requirement and day
    personal = Counter(
        (m.recipient, m.payload["requirement"], m.payload["sent_on"])
        for m in messages.values()
        if m.kind == "reminder"
    )
    assert max(personal.values()) == 1

    # escalations landed with the unit heads (a real SMTP server received them)
    escalations = [r for r in rows if r.stage == ESCALATION]
    assert escalations
    heads = {roster.head_email for roster in rosters if roster.head_email}
    received = set(smtp_inbox.recipients())
    assert all(messages[r.outbox_id].status == "sent" for r in escalations if r.outbox_id)
    assert heads & received
    assert all(messages[r.outbox_id].recipient in received for r in escalations if r.outbox_id)
    # one digest per recipient per day, listing everyone escalated for that recipient that day
    digests = Counter(
        (m.recipient, m.payload["sent_on"]) for m in messages.values() if m.kind == "escalation"
    )
    assert max(digests.values()) == 1
    assert sum(
        len(m.payload["reminders"]) for m in messages.values() if m.kind == "escalation"
    ) >= (len(escalations))

    # running a day again sends nothing more
    before = len(rows)
    with db.session_scope(demo_engine) as session:
        for unit_id in sample:
            unit = session.get(ReceivingUnit, unit_id)
            assert unit is not None
            roster = load_unit_roster(session, unit, date(2026, 10, 30), config, ids)
            assert (
                send_unit_reminders(session, roster, date(2026, 10, 30), config, ids).reminders == 0
            )
        assert len(list(session.scalars(select(Reminder.id)))) == before

    _check_roster_workbook(demo_engine, rosters[0].code, date(2026, 10, 29), tmp_path)


def _check_roster_workbook(engine: Engine, code: str, day: date, tmp_path: Path) -> None:
    """The job's roster workbook for one unit opens with the statuses the roster computes."""
    config = training_config()
    summary = run_day(engine, day, tmp_path, scope=code)
    assert summary["units"] == 1 and summary["workbooks"] == 2
    with db.session_scope(engine) as session:
        unit = session.scalar(select(ReceivingUnit).where(ReceivingUnit.code == code))
        assert unit is not None
        roster = load_unit_roster(session, unit, day, config, ensure_requirements(session, config))
        report = session.scalar(
            select(Report).where(Report.kind == "training_roster", Report.unit_id == unit.id)
        )
        assert report is not None
    book = load_workbook(report.path)
    assert book.sheetnames == ["说明", "花名册", "学时统计"]
    sheet = book["花名册"]
    header = header_of(sheet)
    assert header[:9] == ["工号", "姓名", "岗位", "要求编码", "培训考试要求", "类别",
                          "上次完成", "到期日", "状态"]  # fmt: skip
    found = {
        (r[0], r[3]): formula_value(
            str(r[8]), {f"H{number}": r[7], f"J{number}": r[9], f"K{number}": r[10]}, day
        )
        for number, r in enumerate(
            sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True), start=HEADER_ROW + 1
        )
    }  # 状态 as a spreadsheet computes it on `day`
    expected = {(line.staff_no, line.requirement.code): line.status.value for line in roster.lines}
    assert found == expected
    assert report.rows == len(roster.lines) + len(book["学时统计"]["A"]) - HEADER_ROW
    assert sheet.freeze_panes == "A3"  # below the title row and the header
