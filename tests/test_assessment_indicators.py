"""Indicator arithmetic, scores and recommendations on small hand-made delegations."""

from __future__ import annotations

from datetime import date

import pytest

from powerlist.assessment.assess import assess_department
from powerlist.assessment.config import load_config
from powerlist.assessment.facts import DelegationFacts, MonthStat, UnitStaffing
from powerlist.assessment.indicators import Indicators, expected_months, measure
from powerlist.assessment.load import DepartmentFacts
from powerlist.assessment.scoring import Score, Verdict, recommend, score_delegation
from powerlist.periods import parse_period

CONFIG = load_config()
AS_OF = date(2026, 11, 26)
Q3 = parse_period("2026-Q3")
WELL_STAFFED = UnitStaffing(staff=4, credentialed=3, training_hours=(20.0, 20.0, 25.0, 30.0))


def delegation(**changes: object) -> DelegationFacts:
    values: dict[str, object] = {
        "id": 1,
        "item_code": "XK-1",
        "item_name": "林草种子生产经营许可",
        "category": "行政许可",
        "department_code": "d01",
        "department_name": "包头市林业和草原局",
        "unit_id": 7,
        "unit_code": "u-qingshan",
        "unit_name": "青山区林业和草原局",
        "district": "青山区",
        "mode": "下放",
        "since": date(2024, 1, 1),
        "revoked_on": None,
        "agreement": "包府发〔2024〕1号",
    }
    values.update(changes)
    return DelegationFacts(**values)  # type: ignore[arg-type]


def months(*firsts: tuple[int, int], **counts: int) -> list[MonthStat]:
    received = counts.get("received", 0)
    counts.setdefault("completed", received)
    counts.setdefault("on_time", counts["completed"] - counts.get("overdue", 0))
    return [MonthStat(month=date(y, m, 1), **counts) for y, m in firsts]


QUARTER = ((2026, 7), (2026, 8), (2026, 9))


def assess(
    facts: DelegationFacts,
    stats: list[MonthStat],
    staffing: UnitStaffing = WELL_STAFFED,
    period: str = "2026-Q3",
    previous_grade: str | None = None,
) -> tuple[Indicators, Score, Verdict]:
    parsed = parse_period(period)
    ind = measure(facts, stats, staffing, parsed, AS_OF, CONFIG)
    score = score_delegation(ind, CONFIG)
    verdict = recommend(
        ind,
        score,
        previous_grade,
        parsed.kind,
        CONFIG,
        mode=facts.mode,
        revoked_on=facts.revoked_on.isoformat() if facts.revoked_on else None,
    )
    return ind, score, verdict


def test_a_well_handled_delegation_scores_100_and_continues() -> None:
    ind, score, verdict = assess(delegation(), months(*QUARTER, received=10))
    assert (ind.months_expected, ind.months_reported, ind.received) == (3, 3, 30)
    assert ind.on_time_rate == 1.0
    assert ind.complaint_rate == 0.0
    assert score.score == 100.0
    assert score.grade == "优秀"
    assert verdict == Verdict("继续", ["各项指标达标"])


def test_each_indicator_is_weighted_as_configured() -> None:
    # 30 received: 24 on time (80%), 3 complaints (10% → 0 of 20), 1 returned,
    # 2 of 3 credentials for a penalty, half the training target, agreement present.
    stats = [
        MonthStat(date(2026, 7, 1), received=10, completed=10, on_time=8, overdue=2, complaints=1),
        MonthStat(date(2026, 8, 1), received=10, completed=10, on_time=8, overdue=2, complaints=2),
        MonthStat(date(2026, 9, 1), received=10, completed=10, on_time=8, overdue=2, returned=1),
    ]
    staffing = UnitStaffing(staff=2, credentialed=2, training_hours=(10.0, 10.0))
    ind, score, verdict = assess(delegation(category="行政处罚"), stats, staffing)
    assert ind.on_time_rate == pytest.approx(0.8)
    assert ind.complaint_rate == pytest.approx(0.1)
    assert ind.returned_rate == pytest.approx(1 / 30)
    assert ind.credentialed_required == 3
    assert ind.training_share == 0.5
    assert score.points == {
        "on_time": pytest.approx(30 * 0.2 / 0.35, abs=0.01),
        "complaints": 0.0,
        "returned": pytest.approx(10 * (1 - (1 / 30) / 0.1), abs=0.01),
        "credentialed_staff": 10.0,
        "training": 7.5,
        "agreement": 10.0,
    }
    assert score.score == pytest.approx(17.14 + 0 + 6.67 + 10 + 7.5 + 10, abs=0.06)
    assert score.grade == "不合格"
    assert verdict.recommendation == "整改"
    assert "持证执法人员2人，少于3人" in verdict.reasons
    assert "按时办结率80.0%（目标95%）" in verdict.reasons


def test_zero_cases_are_flagged_not_scored() -> None:
    ind, score, verdict = assess(delegation(), months(*QUARTER, received=0))
    assert ind.zero_case and ind.received == 0
    assert ind.on_time_rate is None and ind.complaint_rate is None
    assert score.score is None and score.grade is None
    assert verdict.recommendation == "整改"
    assert "零办件：3个月内未受理任何办件" in verdict.reasons


def test_zero_cases_for_a_whole_year_recommend_taking_the_power_back() -> None:
    year = [(2026, m) for m in range(1, 11)]
    ind, score, verdict = assess(delegation(), months(*year, received=0), period="2026")
    assert ind.months_expected == 10  # November has not ended on 2026-11-26
    assert score.score is None
    assert verdict.recommendation == "收回"


def test_missing_months_are_missing_not_zero() -> None:
    ind, score, verdict = assess(delegation(), months((2026, 7), (2026, 9), received=5))
    assert (ind.months_expected, ind.months_reported) == (3, 2)
    assert ind.missing_months == ["2026-08"]
    assert ind.received == 10 and not ind.zero_case
    assert score.score == 100.0  # two of three reports are enough to score (share ≥ 0.5)
    assert "办件统计缺报1/3个月（2026-08）" in verdict.reasons
    assert verdict.recommendation == "继续"


def test_too_few_reports_leave_the_score_missing_and_ask_for_rectification() -> None:
    ind, score, verdict = assess(delegation(), months((2026, 9), received=5))
    assert ind.missing_months == ["2026-07", "2026-08"]
    assert score.score is None and score.grade is None
    assert verdict.recommendation == "整改"
    assert any(reason.startswith("办件统计缺报2/3个月") for reason in verdict.reasons)


def test_no_report_at_all_is_not_a_zero_case() -> None:
    ind, score, verdict = assess(delegation(), [])
    assert ind.received is None and not ind.zero_case
    assert score.score is None
    assert verdict.recommendation == "整改"


def test_a_delegation_started_mid_quarter_is_assessed_pro_rata() -> None:
    facts = delegation(since=date(2026, 8, 15))
    assert expected_months(facts, Q3, AS_OF) == [date(2026, 8, 1), date(2026, 9, 1)]
    # a stray July report (before the delegation) does not count
    ind, score, _ = assess(facts, months(*QUARTER, received=4))
    assert (ind.months_expected, ind.months_reported, ind.received) == (2, 2, 8)
    # training target pro rata: 2 months of 20 h a year
    assert ind.training_target_hours == pytest.approx(3.3)
    assert score.score == 100.0


def test_a_delegation_revoked_mid_quarter_is_assessed_until_revoked() -> None:
    facts = delegation(revoked_on=date(2026, 8, 1))
    ind, score, verdict = assess(facts, months(*QUARTER, received=4))
    assert (ind.months_expected, ind.received) == (1, 4)
    assert ind.revoked_in_period
    assert score.score == 100.0
    assert verdict.recommendation == "收回"
    assert verdict.reasons[0] == "已于2026-08-01收回，评估至收回前"


def test_a_delegation_revoked_before_the_period_is_not_assessed() -> None:
    kept = delegation(id=1)
    gone = delegation(id=2, revoked_on=date(2026, 6, 1))
    facts = DepartmentFacts(
        department_id=1,
        department_code="d01",
        department_name="包头市林业和草原局",
        delegations=[kept, gone],
        stats={1: months(*QUARTER, received=3), 2: months((2026, 5), received=3)},
        staffing={(7, "2026-Q3"): WELL_STAFFED, (7, "2026-Q2"): WELL_STAFFED},
    )
    results = assess_department(facts, Q3, AS_OF, CONFIG)
    assert [r.delegation.id for r in results] == [1]


def test_trend_compares_with_the_previous_quarter() -> None:
    stats = months((2026, 4), (2026, 5), (2026, 6), received=10, overdue=3)
    stats += months(*QUARTER, received=10)
    facts = DepartmentFacts(
        department_id=1,
        department_code="d01",
        department_name="包头市林业和草原局",
        delegations=[delegation()],
        stats={1: stats},
        staffing={(7, "2026-Q3"): WELL_STAFFED, (7, "2026-Q2"): WELL_STAFFED},
    )
    [result] = assess_department(facts, Q3, AS_OF, CONFIG)
    # Q2: 70% on time → 30 × 0.1/0.35 = 8.57 points, 78.6 in all (合格)
    assert result.previous_score == pytest.approx(78.6)
    assert result.previous_grade == "合格"
    assert result.score.score == 100.0
    assert result.change == pytest.approx(21.4)
    assert result.as_json()["change"] == pytest.approx(21.4)


def test_failing_twice_in_a_row_recommends_taking_the_power_back() -> None:
    poor = months(*QUARTER, received=10, completed=5, overdue=3, complaints=2)
    _, score, first = assess(delegation(), poor)
    assert score.grade == "不合格"
    assert first.recommendation == "整改"
    _, _, second = assess(delegation(), poor, previous_grade="不合格")
    assert second.recommendation == "收回"
    assert "连续两期评为不合格" in second.reasons


def test_an_entrustment_without_agreement_must_be_rectified() -> None:
    facts = delegation(mode="委托", agreement=None)
    _, score, verdict = assess(facts, months(*QUARTER, received=10))
    assert score.points["agreement"] == 0.0
    assert score.score == 90.0
    assert verdict.recommendation == "整改"
    assert "委托未签订委托协议" in verdict.reasons


def test_a_unit_without_staff_has_missing_training_and_no_credentials() -> None:
    empty = UnitStaffing(staff=0, credentialed=0, training_hours=())
    ind, score, verdict = assess(
        delegation(category="行政强制"), months(*QUARTER, received=2), empty
    )
    assert ind.training_share is None and ind.training_hours_avg is None
    assert score.points["training"] is None
    assert score.points["credentialed_staff"] == 0.0
    # rescaled over the 85 scorable points: (30 + 20 + 10 + 0 + 10) / 85
    assert score.score == pytest.approx(82.4)
    assert verdict.recommendation == "整改"
    assert "承接单位无在岗人员记录，培训无法评估" in verdict.reasons


def test_a_period_with_no_finished_month_is_not_scored() -> None:
    facts = delegation(since=date(2026, 11, 1))
    ind, score, verdict = assess(facts, [], period="2026-Q4")
    assert ind.months_expected == 0
    assert score.score is None
    assert verdict.recommendation == "继续"


def test_a_report_dated_inside_its_month_counts_for_that_month() -> None:
    stats = [MonthStat(date(2026, 7, 1), received=2), MonthStat(date(2026, 8, 15), received=3)]
    stats += [MonthStat(date(2026, 9, 30), received=4)]
    ind, _, _ = assess(delegation(), stats)
    assert (ind.months_reported, ind.missing_months, ind.received) == (3, [], 9)
