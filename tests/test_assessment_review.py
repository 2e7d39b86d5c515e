"""The yearly review reads the latest yearly assessment (its rule on poorly rated delegations)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import time_machine
from sqlalchemy import Engine, select

from powerlist.assessment.job import DELEGATION_ASSESSMENT
from powerlist.db import session_scope
from powerlist.models import Finding
from powerlist.review.job import YEARLY_REVIEW
from tests.fixtures_assessment import make_world, run_job


def test_a_delegation_failing_the_yearly_assessment_is_a_review_finding(
    engine: Engine, tmp_path: Path
) -> None:
    world = make_world(engine)
    world.staff("qingshan", credentialed=3)
    world.delegation("good")
    world.months("good", date(2026, 1, 1), 10, received=10)
    world.delegation("poor", category="行政处罚")
    world.months("poor", date(2026, 1, 1), 10, received=10, completed=4, overdue=2, complaints=3)
    with time_machine.travel(datetime(2026, 11, 26, 9, tzinfo=UTC), tick=False):
        run_job(engine, DELEGATION_ASSESSMENT, "2026-Q3", tmp_path / "q3")
        run_job(engine, DELEGATION_ASSESSMENT, "2026", tmp_path / "assessment")
        run_job(engine, YEARLY_REVIEW, "2026", tmp_path / "review")
    with session_scope(engine) as session:
        findings = session.execute(
            select(Finding.item_id, Finding.message).where(Finding.rule == "poor_delegation")
        ).all()
    assert [item for item, _ in findings] == [world.ids["item-poor"]]
    assert "2026年度评估不合格" in findings[0][1]
