"""The assessment on the Baotou demo city: planted weaknesses come out flagged."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import func, select

from powerlist import db
from powerlist.assessment.job import DELEGATION_ASSESSMENT
from powerlist.db import session_scope
from powerlist.demo.generate import DemoCity, generate_city
from powerlist.demo.load import load_demo
from powerlist.models import DelegationAssessment, Report
from tests.fixtures_assessment import run_job
from tests.sheet_table import table_rows


@pytest.fixture(scope="module")
def city() -> DemoCity:
    return generate_city(2026)


def planted(city: DemoCity) -> dict[str, set[int]]:
    """Delegations the generator made idle (never a case) or poorly handled, read off its rows."""
    months = defaultdict(list)
    for stat in city.tables["handling_stats"]:
        months[stat["delegation_id"]].append(stat)
    zero = {d for d, rows in months.items() if all(r["received"] == 0 for r in rows)}
    poor = {
        d
        for d, rows in months.items()
        if any(
            r["complaints"] or r["poor_ratings"] or r["returned"] or r["completed"] < r["received"]
            for r in rows
        )
    }
    unsigned = {
        d["id"] for d in city.tables["delegations"] if d["mode"] == "委托" and not d["agreement"]
    }
    return {"zero": zero, "poor": poor, "unsigned": unsigned}


def test_yearly_and_quarterly_assessment_of_the_demo_city(
    city: DemoCity, sqlite_url: str, tmp_path: Path
) -> None:
    engine = db.make_engine(sqlite_url)
    load_demo(engine, [city])
    expected = planted(city)
    assert len(expected["zero"]) > 100 and len(expected["poor"]) > 50 and expected["unsigned"]
    with time_machine.travel(datetime(2026, 11, 26, 9, tzinfo=UTC), tick=False):
        year_run = run_job(engine, DELEGATION_ASSESSMENT, "2026", tmp_path)
        quarter_run = run_job(engine, DELEGATION_ASSESSMENT, "2026-Q3", tmp_path)
    assert (year_run.status, quarter_run.status) == ("succeeded", "succeeded")
    year, quarter = year_run.summary, quarter_run.summary
    assert year["delegations"] > 2000 and quarter["delegations"] > 2000
    with session_scope(engine) as session:
        for period in ("2026", "2026-Q3"):
            rows = {
                row.delegation_id: row
                for row in session.scalars(
                    select(DelegationAssessment).where(DelegationAssessment.period == period)
                )
            }
            for kind, ids in expected.items():
                assessed = [rows[d] for d in ids if d in rows]
                assert len(assessed) > 0.9 * len(ids) * (0.5 if kind == "unsigned" else 1)
                unflagged = [r.delegation_id for r in assessed if r.recommendation == "继续"]
                assert unflagged == [], f"{period} {kind}: not flagged"
            zero_year = [rows[d] for d in expected["zero"] if d in rows]
            if period == "2026":
                assert {r.recommendation for r in zero_year} <= {"收回", "已收回"}
                assert all(r.score is None and "零办件" in r.reasons for r in zero_year)
                with_trend = [r for r in rows.values() if r.indicators["previous_score"]]
                assert len(with_trend) > 0.5 * len(rows)
        for run_id, summary in ((year_run.run_id, year), (quarter_run.run_id, quarter)):
            kinds = dict(
                session.execute(
                    select(Report.kind, func.count())
                    .where(Report.run_id == run_id)
                    .group_by(Report.kind)
                ).all()
            )
            assert kinds["delegation_department"] > 30
            assert kinds["delegation_unit"] == summary["unit_workbooks"] > 100
            assert kinds["delegation_city"] == 1
    summary_book = load_workbook(year_run.folder / "city-全市-下放委托事项效能评估-2026.xlsx")
    zero_listed = len(table_rows(summary_book["零办件清单"])) - 1  # below title and header
    assert zero_listed == year["zero_case"] >= len(expected["zero"])
