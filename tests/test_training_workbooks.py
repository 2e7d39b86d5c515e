"""The roster and city workbooks, opened back with openpyxl: statuses, rates, masked contacts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from powerlist.db import session_scope
from powerlist.models import ExamResult, ExamSession, Report, Staff, TrainingRequirement
from powerlist.training.reports import mask_email, mask_phone
from tests.fixtures_training import (
    build_world,
    roster_statuses,
    run_day,
    settings_env,
    training_settings,
)
from tests.sheet_table import table_dicts

__all__ = ["settings_env", "training_settings"]  # fixture used by name

COMPLETIONS = {
    "alice": date(2025, 10, 12),  # due 10-12: escalated by 10-29
    "bob": date(2025, 11, 20),  # due 11-20: 即将到期
    "carol": date(2026, 6, 1),  # done
    '=HYPERLINK("http://x")': date(2025, 10, 20),  # due 10-20: 已逾期, a hostile name
}


def sheet_rows(path: str, title: str) -> list[dict[str, object]]:
    return table_dicts(load_workbook(path)[title])


def test_masking() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("12345") == "*****"
    assert mask_phone(None) == ""
    assert mask_email("s0000012@example.gov.cn") == "s***2@example.gov.cn"
    assert mask_email("ab@x.cn") == "a***@x.cn"
    assert mask_email("not-an-address") == ""


@pytest.mark.usefixtures("training_settings")
def test_roster_and_city_workbooks(engine: Engine, tmp_path: Path) -> None:
    build_world(engine, COMPLETIONS)
    summary = run_day(engine, date(2026, 10, 29), tmp_path)
    assert summary["workbooks"] == 2
    with session_scope(engine) as session:
        reports = {r.kind: r for r in session.scalars(select(Report))}
    roster = sheet_rows(reports["training_roster"].path, "花名册")
    shown = roster_statuses(reports["training_roster"].path, date(2026, 10, 29))
    statuses = {name: status for name, (status, _) in shown.items()}
    assert statuses == {
        "alice": "已上报",
        "bob": "即将到期",
        "carol": "完成",
        '=HYPERLINK("http://x")': "已逾期",
    }
    alice = next(row for row in roster if row["姓名"] == "alice")
    assert alice["到期日"].date() == date(2026, 10, 12)  # type: ignore[union-attr]
    assert alice["电子邮箱"] == "alice@qs.example.gov.cn"  # the unit sees its own contacts
    book = load_workbook(reports["training_roster"].path)
    assert book["花名册"]["B6"].data_type == "s"  # the hostile name stayed text
    rules = book["花名册"].conditional_formatting
    assert any('"已上报"' in rule.formula[0] for cf in rules for rule in cf.rules)
    assert book["花名册"]["I3"].data_type == "f"  # 状态 is computed when the file is opened
    later = roster_statuses(reports["training_roster"].path, date(2026, 11, 21))
    assert later["bob"][0] == "已逾期"  # the same file, opened later, shows the later status

    units = sheet_rows(reports["training_city"].path, "按承接单位")
    assert units[0]["承接单位"] == "青山区司法局"
    assert (units[0]["应完成项"], units[0]["已完成"], units[0]["已上报"]) == (4, 1, 1)
    assert units[0]["完成率"] == 0.25
    departments = sheet_rows(reports["training_city"].path, "按委托部门")
    assert [(d["委托/下放部门"], d["承接单位数"]) for d in departments] == [("市司法局", 1)]
    overdue = sheet_rows(reports["training_city"].path, "逾期名单")
    assert [(o["姓名"], o["逾期天数"]) for o in overdue] == [
        ("alice", 17),
        ('=HYPERLINK("http://x")', 9),
    ]
    assert overdue[0]["电子邮箱（脱敏）"] == "a***e@qs.example.gov.cn"
    assert overdue[0]["手机号（脱敏）"] == "138****0001"
    escalations = sheet_rows(reports["training_city"].path, "逾期上报")
    assert [(e["姓名"], e["送达状态"]) for e in escalations] == [("alice", "待发送")]
    city = load_workbook(reports["training_city"].path)
    texts = " ".join(
        str(value)
        for ws in city.worksheets
        for row in ws.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    assert "13812340001" not in texts and "alice@qs.example.gov.cn" not in texts


@pytest.mark.usefixtures("training_settings")
def test_exam_pass_rate_counts_the_resit(engine: Engine, tmp_path: Path, settings_env: Any) -> None:
    config = tmp_path / "exam.toml"
    config.write_text(
        '[[requirement]]\ncode = "EX"\nname = "学法考法"\nkind = "考试"\nevery_months = 12\n'
        'counts_from = "exam_sessions"\nfirst_due = 2026-10-23\n',
        encoding="utf-8",
    )
    settings_env(training_file=str(config))
    world = build_world(engine, {"alice": None, "bob": None, "carol": None})
    with session_scope(engine) as session:
        exam = TrainingRequirement(code="EX", name="学法考法", kind="考试", counts_from="fixed")
        session.add(exam)
        session.flush()
        main = ExamSession(
            requirement_id=exam.id,
            name="2026年度考试",
            year=2026,
            opens_on=date(2026, 10, 12),
            closes_on=date(2026, 10, 23),
        )
        resit = ExamSession(
            requirement_id=exam.id,
            name="2026年度补考",
            year=2026,
            opens_on=date(2026, 11, 16),
            closes_on=date(2026, 11, 27),
            resit=True,
        )
        session.add_all([main, resit])
        session.flush()
        results = [
            (main, "alice", 88, True, date(2026, 10, 13)),
            (main, "bob", 45, False, date(2026, 10, 14)),
            (resit, "bob", 72, True, date(2026, 11, 17)),
        ]
        for sitting, name, score, passed, day in results:
            session.add(
                ExamResult(
                    session_id=sitting.id,
                    staff_id=world.staff[name],
                    taken_on=day,
                    score=score,
                    passed=passed,
                )
            )
        assert session.scalar(select(Staff).where(Staff.name == "carol")) is not None
    run_day(engine, date(2026, 11, 18), tmp_path)
    with session_scope(engine) as session:
        path = session.scalar(select(Report.path).where(Report.kind == "training_city"))
        roster_path = session.scalar(select(Report.path).where(Report.kind == "training_roster"))
    assert path is not None and roster_path is not None
    unit = sheet_rows(path, "按承接单位")[0]
    assert (unit["应考人数"], unit["考试通过"]) == (3, 2)  # bob passed at the resit
    statuses = roster_statuses(roster_path, date(2026, 11, 18))
    assert statuses["carol"][0] == "即将到期"  # absent: due at the resit's close
    assert statuses["carol"][1].date() == date(2026, 11, 27)  # type: ignore[union-attr]
    assert statuses["alice"] == ("完成", None)


def test_the_city_summary_lists_this_years_escalations_only(engine: Engine) -> None:
    """逾期上报 holds the escalations sent from 1 January to the day, not every one ever."""
    from powerlist.models import Reminder
    from powerlist.training.summary import escalations_of_year

    world = build_world(engine, COMPLETIONS)
    alice = world.staff["alice"]
    with session_scope(engine) as session:
        for sent, due in ((date(2025, 12, 30), date(2025, 12, 1)),
                          (date(2026, 1, 2), date(2025, 12, 2)),
                          (date(2026, 11, 3), date(2026, 10, 12))):  # fmt: skip
            session.add(Reminder(staff_id=alice, requirement_id=world.requirement_id,
                                 due_on=due, stage="escalation", sent_on=sent))  # fmt: skip
    with session_scope(engine) as session:
        listed = escalations_of_year(session, date(2026, 11, 2))
    assert [(e.sent_on, e.name) for e in listed] == [(date(2026, 1, 2), "alice")]
