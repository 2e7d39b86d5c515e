"""The corrected rate formulas on hand-built cases, and the handling import's invariants."""

from __future__ import annotations

from datetime import date

from powerlist.assessment.assess import Assessment, assess_department
from powerlist.assessment.facts import DelegationFacts, MonthStat, UnitStaffing
from powerlist.assessment.load import DepartmentFacts
from powerlist.imports.kinds.handling import impossible_counts
from tests.test_assessment_indicators import (
    AS_OF,
    CONFIG,
    Q3,
    QUARTER,
    WELL_STAFFED,
    assess,
    delegation,
    months,
)


def test_on_time_rate_is_on_time_over_completed_not_received() -> None:
    # each month 10 received, 7 completed (3 still within their time limit), 6 on time, 1 late
    stats = months(*QUARTER, received=10, completed=7, on_time=6, overdue=1)
    ind, _, _ = assess(delegation(), stats)
    assert ind.completed == 21 and ind.on_time == 18
    assert ind.on_time_rate == 18 / 21


def test_rates_never_exceed_one_even_on_old_impossible_rows() -> None:
    ind, _, _ = assess(
        delegation(), months(*QUARTER, received=2, completed=2, complaints=5, returned=7)
    )
    assert ind.complaint_rate == 1.0 and ind.returned_rate == 1.0


def test_satisfaction_rates_from_ratings_when_reported() -> None:
    stats = [
        MonthStat(date(2026, m, 1), received=10, completed=10, on_time=10, poor_ratings=1,
                  ratings=8, good_ratings=6, poor_ratings_fixed=1)
        for m in (7, 8)
    ] + [MonthStat(date(2026, 9, 1), received=10, completed=10, on_time=10)]  # fmt: skip
    ind, _, _ = assess(delegation(), stats)
    assert ind.good_rating_rate == 12 / 16
    assert ind.poor_rating_rate == 2 / 16
    assert ind.poor_fixed_rate == 1.0


def test_no_ratings_means_no_satisfaction_figure() -> None:
    ind, _, _ = assess(delegation(), months(*QUARTER, received=5))
    assert ind.good_rating_rate is None and ind.poor_fixed_rate is None


def test_impossible_handling_counts_are_named() -> None:
    ok = {"received": 10, "completed": 8, "on_time": 6, "overdue": 2, "returned": 1}
    assert impossible_counts(ok) == []
    assert impossible_counts({**ok, "overdue": 3}) == [
        ("on_time", "按时办结数与超期数之和大于办结数（9 > 8）")
    ]
    assert impossible_counts({**ok, "completed": 11, "on_time": 9}) == [
        ("completed", "办结数大于受理数（11 > 10）")
    ]
    assert [k for k, _ in impossible_counts({**ok, "returned": 11, "complaints": 12})] == [
        "returned", "complaints",
    ]  # fmt: skip
    assert impossible_counts({**ok, "ratings": 5, "good_ratings": 4, "poor_ratings": 2}) == [
        ("good_ratings", "好评数与差评数之和大于评价数（6 > 5）")
    ]
    assert impossible_counts({"received": 3, "poor_ratings": 1, "poor_ratings_fixed": 2}) == [
        ("poor_ratings_fixed", "差评整改数大于差评数（2 > 1）")
    ]
    assert impossible_counts({"on_time": 5}) == []  # columns the report lacks are not checked


def _assess_one(
    facts_delegation: DelegationFacts,
    stats: list[MonthStat],
    staffing: UnitStaffing = WELL_STAFFED,
) -> Assessment:
    facts = DepartmentFacts(
        department_id=1,
        department_code="d01",
        department_name="包头市林业和草原局",
        delegations=[facts_delegation],
        stats={facts_delegation.id: stats},
        staffing={(7, "2026-Q3"): staffing, (7, "2026-Q2"): staffing},
    )
    (result,) = assess_department(facts, Q3, AS_OF, CONFIG)
    return result


def test_revoked_within_the_period_is_reported_as_revoked_outside_grading() -> None:
    result = _assess_one(delegation(revoked_on=date(2026, 8, 1)), months(*QUARTER, received=4))
    assert result.score.grade == "已收回" and result.score.score is None
    assert result.verdict.recommendation == "已收回"
    assert "评估期内已收回，不评定等次" in result.verdict.reasons


def test_a_hard_defect_caps_the_grade_with_its_reason() -> None:
    result = _assess_one(delegation(mode="委托", agreement=None), months(*QUARTER, received=9))
    assert result.score.score == 90.0  # the agreement's 10 points lost, otherwise perfect
    assert (result.score.grade, result.verdict.recommendation) == ("合格", "整改")
    assert any(r.startswith("等次封顶为合格：评分90本可评为优秀") for r in result.verdict.reasons)


def test_too_few_credentialed_staff_cap_the_grade() -> None:
    few = UnitStaffing(staff=4, credentialed=2, training_hours=(20.0, 20.0, 25.0, 30.0))
    result = _assess_one(delegation(category="行政处罚"), months(*QUARTER, received=9), few)
    assert result.score.score >= 90 and result.score.grade == "合格"
    assert result.verdict.recommendation == "整改"


def test_a_clean_delegation_keeps_its_grade() -> None:
    result = _assess_one(delegation(), months(*QUARTER, received=9))
    assert (result.score.grade, result.verdict.recommendation) == ("优秀", "继续")
