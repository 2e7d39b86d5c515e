"""Round deadlines on the working-day calendar, reminders to late departments, the summary note."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from powerlist import db
from powerlist.models import Department, OutboxMessage, Run
from powerlist.review.deadlines import (
    add_working_days,
    remind_late,
    remind_open_rounds,
    round_deadlines,
)
from powerlist.review.decisions import import_decisions
from powerlist.settings import get_settings
from tests.fixtures_review import at_as_of, build_world, run_job
from tests.test_review_decisions import WORKBOOK, fill


@pytest.fixture
def alert_mail(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("POWERLIST_ALERT_EMAIL", "fzb@example.gov.cn")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_working_days_skip_weekends_and_the_national_day_holiday() -> None:
    assert add_working_days(date(2026, 11, 1), 20) == date(2026, 11, 27)
    # 2026-09-30 + 1 working day: 国庆 1–7 Oct are holidays, the 8th is the first working day
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_late_departments_are_reminded_on_working_days_once_a_day(
    engine: Engine, tmp_path: Path, alert_mail: None
) -> None:
    build_world(engine)
    with at_as_of():
        summary = run_job(engine, "2026", "all", tmp_path / "out")
    with db.session_scope(engine) as s:
        for department in s.scalars(select(Department)):
            department.contact_email = f"{department.code}@example.gov.cn"
        run = s.get_one(Run, summary["run_id"])
        due = round_deadlines(run)
    assert (due.proposals_due, due.verdicts_due) == (date(2026, 11, 27), date(2026, 12, 11))
    book = load_workbook(tmp_path / "out" / "2026年度权责清单审核-全市汇总.xlsx")
    notes = [str(r) for r in book["说明"].iter_rows(values_only=True)]
    assert any("部门意见截止日期 2026-11-27" in str(n) for n in notes)
    filled = fill(tmp_path / "out" / WORKBOOK, tmp_path / "f.xlsx", {"CF006": ("保留",)})
    with at_as_of(), db.session_scope(engine) as s:
        import_decisions(s, filled)
    run_id = summary["run_id"]
    with db.session_scope(engine) as s:
        early = remind_late(s, run_id, date(2026, 11, 20))
        weekend = remind_late(s, run_id, date(2026, 11, 28))
        soon = remind_late(s, run_id, date(2026, 11, 23))
        again = remind_late(s, run_id, date(2026, 11, 23))
        late = remind_late(s, run_id, date(2026, 11, 30))
        office = remind_late(s, run_id, date(2026, 12, 14))
    assert (early.late, early.reminded) == (["lcj"], [])
    assert weekend.working_day is False and weekend.reminded == []
    assert soon.reminded == ["lcj"] and again.reminded == []
    assert late.reminded == ["lcj"] and not late.office_alerted
    assert office.office_alerted
    with db.session_scope(engine) as s:
        messages = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        sent = [(m.kind, m.recipient, m.subject) for m in messages]
    assert [m[1] for m in sent[:2]] == ["lcj@example.gov.cn", "lcj@example.gov.cn"]
    assert "即将到期" in sent[0][2] and "已逾期" in sent[1][2]
    assert sent[-1][:2] == ("alert", "fzb@example.gov.cn") and "审核意见已逾期" in sent[-1][2]


def test_the_daily_pass_reminds_for_every_open_round(
    engine: Engine, tmp_path: Path, alert_mail: None
) -> None:
    build_world(engine)
    with at_as_of():
        run_job(engine, "2026", "all", tmp_path / "out")
    with db.session_scope(engine) as s:
        s.scalars(select(Department).where(Department.code == "lcj")).one().contact_email = "l@x.cn"
    with db.session_scope(engine) as s:
        first = remind_open_rounds(s, date(2026, 11, 30))
        again = remind_open_rounds(s, date(2026, 11, 30))
        later = remind_open_rounds(s, date(2027, 6, 1))
    assert first["rounds"] == 1 and first["reminded"] == [
        f"{first['reminded'][0].split(':')[0]}:lcj"
    ]
    assert len(first["reminded"]) == 1 and again["reminded"] == []
    assert later["rounds"] == 0  # a round older than 120 days is closed for reminders
