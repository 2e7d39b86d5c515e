"""Due dates and reminder stages as pure functions: counts_from rules, exams, catch-up."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from powerlist.training.config import (
    BadTrainingConfig,
    Requirement,
    Stages,
    parse_training_config,
    training_config,
)
from powerlist.training.due import ExamSitting, add_months, due_for, exam_due
from powerlist.training.stages import Obligation, Status, due_reminders, hours_status, status_of

STAGES = Stages()


def rule(counts_from: str = "last_completion", **extra: object) -> Requirement:
    values: dict[str, object] = {
        "code": "TR",
        "name": "培训",
        "kind": "培训",
        "roles": (),
        "unit_kinds": (),
        "every_months": 12,
        "counts_from": counts_from,
        "first_due": date(2026, 3, 31),
    }
    values.update(extra)
    return Requirement(**values)  # type: ignore[arg-type]


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2026, 3, 15), -3) == date(2025, 12, 15)


def test_last_completion_counts_from_the_latest_record() -> None:
    due = due_for(rule(), [date(2025, 6, 1), date(2025, 10, 8)])
    assert (due.last_done, due.due_on) == (date(2025, 10, 8), date(2026, 10, 8))
    assert due_for(rule(), []).due_on == date(2026, 3, 31)  # never done: the configured date


def test_previous_due_keeps_the_grid_and_a_late_completion_pays_only_the_overdue_cycle() -> None:
    r = rule("previous_due")
    # first done 2024-04-10 → grid 2025-04-10, 2026-04-10, …
    assert due_for(r, [date(2024, 4, 10)]).due_on == date(2025, 4, 10)
    # done late for 2025 (in June): next due stays 2026-04-10, not 2026-06
    assert due_for(r, [date(2024, 4, 10), date(2025, 6, 20)]).due_on == date(2026, 4, 10)
    assert due_for(r, [date(2024, 4, 10), date(2025, 6, 20), date(2026, 3, 1)]).due_on == date(
        2027, 4, 10
    )


def test_fixed_counts_from_an_anchor_date() -> None:
    r = rule("fixed", anchor=date(2020, 12, 31), first_due=date(2026, 1, 1))
    assert due_for(r, []).due_on == date(2026, 12, 31)
    assert due_for(r, [date(2026, 5, 1)]).due_on == date(2027, 12, 31)


SITTINGS = [
    ExamSitting(2026, date(2026, 10, 12), date(2026, 10, 23), resit=False),
    ExamSitting(2026, date(2026, 11, 16), date(2026, 11, 27), resit=True),
]


def test_exam_is_due_at_the_session_close_then_at_the_resit_after_a_fail() -> None:
    exam = rule("exam_sessions", kind="考试", first_due=date(2026, 10, 23))
    assert exam_due(exam, SITTINGS, set(), date(2026, 9, 20)).due_on == date(2026, 10, 23)
    assert exam_due(exam, SITTINGS, set(), date(2026, 10, 26)).due_on == date(2026, 11, 27)
    passed = exam_due(exam, SITTINGS, {2026}, date(2026, 10, 26))
    assert passed.due_on is None  # next year's exam not scheduled yet: nothing due
    assert status_of(passed.due_on, date(2026, 10, 26), STAGES) is Status.DONE


def test_stages_before_due_and_weekly_overdue_with_escalation() -> None:
    ob = [Obligation(1, "TR", date(2026, 10, 12))]

    def on(day: date, sent: set) -> list[tuple[str, str | None]]:
        return [(r.stage, r.carried_by) for r in due_reminders(ob, day, STAGES, sent)]

    assert on(date(2026, 9, 11), set()) == []
    assert on(date(2026, 9, 12), set()) == [("before_30", None)]
    sent = {(1, "TR", date(2026, 10, 12), "before_30")}
    assert on(date(2026, 9, 13), sent) == []
    assert on(date(2026, 10, 26), sent) == [
        ("overdue_2", None),
        ("overdue_1", "overdue_2"),
        ("due", "overdue_2"),
        ("before_7", "overdue_2"),
        ("escalation", None),
    ]


def test_a_waiting_stage_goes_out_later_and_is_never_lost() -> None:
    # before_7 of 10-12 falls on 10-05 (国庆); the next run on 10-08 still sends it
    ob = [Obligation(1, "TR", date(2026, 10, 12))]
    sent = {(1, "TR", date(2026, 10, 12), "before_30")}
    found = due_reminders(ob, date(2026, 10, 8), STAGES, sent)
    assert [(r.stage, r.stage_date) for r in found] == [("before_7", date(2026, 10, 5))]


def test_statuses() -> None:
    today = date(2026, 10, 8)
    assert status_of(date(2026, 12, 1), today, STAGES) is Status.DONE
    assert status_of(date(2026, 11, 7), today, STAGES) is Status.DUE_SOON
    assert status_of(date(2026, 10, 8), today, STAGES) is Status.DUE_SOON
    assert status_of(date(2026, 10, 1), today, STAGES) is Status.OVERDUE
    assert status_of(date(2026, 9, 24), today, STAGES) is Status.ESCALATED


def test_packaged_config_loads() -> None:
    config = training_config()
    assert {r.code for r in config.requirements} == {"TR-DELEG", "TR-ENF", "CR-CERT", "EX-LAW"}
    assert config.requirement("TR-ENF").applies_to("执法人员", "旗县区部门")
    assert not config.requirement("TR-ENF").applies_to("窗口人员", "旗县区部门")
    towns_only = rule(unit_kinds=("苏木乡镇街道",))
    assert towns_only.applies_to("窗口人员", "苏木乡镇街道")
    assert not towns_only.applies_to("窗口人员", "旗县区部门")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "至少需要一个"),
        (
            '[[requirement]]\ncode="A"\nname="a"\nkind="讲座"\nevery_months=12\n'
            'counts_from="last_completion"\nfirst_due=2026-01-01',
            "kind 应为",
        ),
        (
            '[[requirement]]\ncode="A"\nname="a"\nkind="培训"\nevery_months=12\n'
            'counts_from="fixed"\nfirst_due=2026-01-01',
            "需要 anchor",
        ),
        (
            '[[requirement]]\ncode="A"\nname="a"\nkind="培训"\nevery_months=12\n'
            'counts_from="last_completion"\nfirst_due="soon"',
            "first_due",
        ),
        (
            '[[requirement]]\ncode="A"\nname="a"\nkind="培训"\nevery_months=12\n'
            'counts_from="last_completion"\nfirst_due=2026-01-01\n[stages]\nbefore=[-3]',
            "before",
        ),
    ],
)
def test_a_bad_training_config_names_the_file_and_field(text: str, message: str) -> None:
    with pytest.raises(BadTrainingConfig, match=message) as caught:
        parse_training_config(text, Path("/srv/training.toml"))
    assert "/srv/training.toml" in str(caught.value)


def test_several_sittings_a_year_make_the_next_one_to_close_due() -> None:
    exam = rule("exam_sessions", kind="考试", first_due=date(2026, 1, 1))
    sittings = [
        ExamSitting(2026, date(2026, 3, 2), date(2026, 3, 13), resit=False),
        ExamSitting(2026, date(2026, 6, 1), date(2026, 6, 12), resit=False),
        ExamSitting(2026, date(2026, 9, 7), date(2026, 9, 18), resit=True),
    ]
    assert exam_due(exam, sittings, set(), date(2026, 2, 20)).due_on == date(2026, 3, 13)
    assert exam_due(exam, sittings, set(), date(2026, 3, 16)).due_on == date(2026, 6, 12)
    assert exam_due(exam, sittings, set(), date(2026, 7, 1)).due_on == date(2026, 9, 18)
    late = exam_due(exam, sittings, set(), date(2026, 10, 1))
    assert late.due_on == date(2026, 9, 18)  # all closed: overdue from the last sitting
    assert exam_due(exam, sittings, {2026}, date(2026, 4, 1)).due_on is None


def test_a_course_short_of_its_hours_is_not_complete() -> None:
    today = date(2026, 10, 26)
    done = status_of(date(2027, 5, 1), today, STAGES)
    assert done is Status.DONE
    assert hours_status(done, 14.2, 20.0) is Status.INCOMPLETE  # 14.2 of 20 学时
    assert hours_status(done, 20.0, 20.0) is Status.DONE
    assert hours_status(Status.DUE_SOON, 3.0, 20.0) is Status.INCOMPLETE
    assert hours_status(Status.OVERDUE, 3.0, 20.0) is Status.OVERDUE  # overdue stays overdue
    assert hours_status(done, None, None) is Status.DONE  # exams and credentials: no hours


def test_the_exam_last_done_is_the_day_it_was_passed_not_an_invented_12_31() -> None:
    exam = rule("exam_sessions", kind="考试", first_due=date(2026, 10, 23))
    taken = {2026: date(2026, 10, 15)}
    passed = exam_due(exam, SITTINGS, set(taken), date(2026, 10, 26), taken)
    assert passed.last_done == date(2026, 10, 15)
    assert exam_due(exam, SITTINGS, {2026}, date(2026, 10, 26)).last_done is None
