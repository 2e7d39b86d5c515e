"""Roster reuse: a unit's roster is rewritten only when its content changed (frozen dates)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from powerlist.db import session_scope
from powerlist.models import Report, Run
from tests.fixtures_training import build_world, complete, roster_statuses, run_day
from tests.fixtures_training import training_settings as training_settings

COMPLETIONS = {
    "alice": date(2025, 10, 12),  # due 2026-10-12
    "bob": date(2025, 11, 20),  # due 2026-11-20
    "carol": date(2026, 6, 1),  # due 2027-06-01
}


def roster_reports(engine: Engine) -> list[tuple[str, str, str, str | None]]:
    """(run period, path, sha256, content digest) of every roster report, oldest run first."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(Run.period, Report.path, Report.sha256, Report.content_digest)
            .join(Run, Run.id == Report.run_id)
            .where(Report.kind == "training_roster")
            .order_by(Report.run_id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def xlsx_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.glob("*.xlsx"))


@pytest.mark.usefixtures("training_settings")
def test_an_unchanged_roster_is_reused_and_a_change_rewrites_it(
    engine: Engine, tmp_path: Path
) -> None:
    world = build_world(engine, COMPLETIONS)
    first = run_day(engine, date(2026, 10, 29), tmp_path)
    assert (first["rosters_written"], first["rosters_reused"]) == (1, 0)

    # The next day nothing changed but the date (statuses move): no new roster file.
    second = run_day(engine, date(2026, 10, 30), tmp_path)
    assert (second["rosters_written"], second["rosters_reused"]) == (0, 1)
    assert second["workbooks"] == 1  # the city summary only
    assert xlsx_in(tmp_path / "2026-10-30") == ["全市培训考试汇总_2026-10-30.xlsx"]
    (_, path1, sha1, digest1), (_, path2, sha2, digest2) = roster_reports(engine)
    assert (path2, sha2, digest2) == (path1, sha1, digest1)
    assert digest1 is not None and len(digest1) == 64
    shown = roster_statuses(path2, date(2026, 10, 30))  # opened back on the second day
    assert {name: (status, due.date()) for name, (status, due) in shown.items()} == {  # type: ignore[union-attr]
        "alice": ("已上报", date(2026, 10, 12)),
        "bob": ("即将到期", date(2026, 11, 20)),
        "carol": ("完成", date(2027, 6, 1)),
    }

    # bob completes his training: his due date moves, so the roster is written again.
    complete(engine, world, "bob", date(2026, 11, 2))
    third = run_day(engine, date(2026, 11, 2), tmp_path)
    assert (third["rosters_written"], third["rosters_reused"]) == (1, 0)
    *_, (period, path3, sha3, digest3) = roster_reports(engine)
    assert period == "2026-11-02" and digest3 != digest1 and sha3 != sha1
    assert Path(path3).parent == tmp_path / "2026-11-02"
    assert Path(path1).is_file()  # the file earlier reports point at is left as it was
    bob = roster_statuses(path3, date(2026, 11, 2))["bob"]
    assert bob[0] == "完成" and bob[1].date() == date(2027, 11, 2)  # type: ignore[union-attr]


@pytest.mark.usefixtures("training_settings")
def test_a_missing_file_is_written_again(engine: Engine, tmp_path: Path) -> None:
    build_world(engine, COMPLETIONS)
    run_day(engine, date(2026, 10, 29), tmp_path)
    ((_, path1, _, _),) = roster_reports(engine)
    Path(path1).unlink()
    again = run_day(engine, date(2026, 10, 30), tmp_path)
    assert (again["rosters_written"], again["rosters_reused"]) == (1, 0)
    *_, (_, path2, _, _) = roster_reports(engine)
    assert Path(path2).is_file() and Path(path2).parent == tmp_path / "2026-10-30"


@pytest.mark.usefixtures("training_settings")
def test_plan_keys_are_ranges_of_50_units_or_the_one_unit_in_scope(engine: Engine) -> None:
    from powerlist.jobs import RunContext
    from powerlist.models import ReceivingUnit, Staff
    from powerlist.periods import PeriodKind, period_containing
    from powerlist.training import job

    with session_scope(engine) as session:
        for number in range(1, 122):
            unit = ReceivingUnit(code=f"u{number:03d}", name=f"单位{number}", district="区",
                                 kind="旗县区部门")  # fmt: skip
            session.add(unit)
            session.flush()
            if number != 7:  # a unit without staff is not planned
                session.add(Staff(unit_id=unit.id, staff_no=f"S{number:03d}", name="张三",
                                  role="执法人员"))  # fmt: skip
    period = period_containing(date(2026, 11, 2), PeriodKind.DAY)
    ctx = RunContext(1, job.JOB, period, "all", Path("."))
    with session_scope(engine) as session:
        keys = job.plan(session, ctx)
        assert keys == ["u001..u051", "u052..u101", "u102..u121"]
        assert len(job.units_of(session, keys[0])) == 50  # u007 has no staff
        assert [u.code for u in job.units_of(session, keys[2])][-1] == "u121"
        one = RunContext(1, job.JOB, period, "u042", Path("."))
        assert job.plan(session, one) == ["u042"]
        assert [u.code for u in job.units_of(session, "u042")] == ["u042"]
