"""Scoring (评分), grades (等次) and recommendations (处理建议) of one delegation's indicators.

Points are linear between configured ends; an indicator without data scores None and the
score is rescaled over what could be scored, or is None itself when too little could be.
"""

from __future__ import annotations

from dataclasses import dataclass

from powerlist.assessment.config import FAILING_GRADE, RECOMMENDATIONS, AssessmentConfig
from powerlist.assessment.indicators import Indicators
from powerlist.periods import PeriodKind

INDICATOR_NAMES = {
    "on_time": "按时办结率",
    "complaints": "投诉率",
    "returned": "退回纠错率",
    "credentialed_staff": "持证执法人员",
    "training": "业务培训",
    "agreement": "委托协议/下放文件",
}


REVOKED = "已收回"
"""Grade and recommendation of a delegation revoked within the period: outside the grading."""


@dataclass(frozen=True)
class Score:
    """Points per indicator (None: no data), the 100-point score and the grade (None: missing)."""

    points: dict[str, float | None]
    score: float | None
    grade: str | None


@dataclass(frozen=True)
class Verdict:
    """The recommendation (继续/整改/收回) with every reason in words."""

    recommendation: str
    reasons: list[str]


def score_delegation(ind: Indicators, config: AssessmentConfig) -> Score:
    """Weight the indicators to a 100-point score and grade; missing data is never 0 or 100."""
    w = config.weights
    t = config.targets
    points: dict[str, float | None] = {
        "on_time": _scaled(ind.on_time_rate, t.on_time_zero, t.on_time_full, w["on_time"]),
        "complaints": _falling(ind.complaint_rate, t.complaint_rate_zero, w["complaints"]),
        "returned": _falling(ind.returned_rate, t.returned_rate_zero, w["returned"]),
        "credentialed_staff": w["credentialed_staff"]
        * (min(1.0, ind.credentialed_staff / ind.credentialed_required)
           if ind.credentialed_required else 1.0),
        "training": None if ind.training_share is None else w["training"] * ind.training_share,
        "agreement": w["agreement"] if ind.has_agreement else 0.0,
    }  # fmt: skip
    share = ind.reported_share
    scorable = sum(w[name] for name, value in points.items() if value is not None)
    if share is None or share < t.min_reported_share or scorable < t.min_scored_weight:
        return Score(points=_rounded(points), score=None, grade=None)
    total = sum(value for value in points.values() if value is not None)
    score = round(total * 100 / scorable, 1)
    return Score(points=_rounded(points), score=score, grade=config.grade_of(score))


def recommend(
    ind: Indicators,
    score: Score,
    previous_grade: str | None,
    kind: PeriodKind,
    config: AssessmentConfig,
    *,
    mode: str,
    revoked_on: str | None = None,
) -> Verdict:
    """Recommend 继续, 整改 or 收回, the most severe of every rule that applies, with reasons."""
    rules = config.recommendations
    found: list[tuple[str, str]] = []
    if ind.revoked_in_period:
        found.append(("收回", f"已于{revoked_on}收回，评估至收回前"))
    if ind.months_expected == 0:  # nothing to measure yet, but a missing 委托协议 is a defect now
        found += [(rules.weak, reason) for reason in _defects(ind, config, mode)]
        if not found:
            return Verdict("继续", ["评估期内尚无已结束的完整月份"])
        worst = max(RECOMMENDATIONS.index(action) for action, _ in found)
        return Verdict(RECOMMENDATIONS[worst], [reason for _, reason in found])
    found += _data_reasons(ind, score, config)
    if ind.zero_case:
        action = rules.zero_case_year if kind is PeriodKind.YEAR else rules.zero_case_quarter
        found.append((action, f"零办件：{ind.months_reported}个月内未受理任何办件"))
    if score.grade == FAILING_GRADE:
        if previous_grade == FAILING_GRADE:
            found.append((rules.failing_twice, "连续两期评为不合格"))
        else:
            found.append((rules.failing, f"评分{score.score:g}，等次不合格"))
    elif score.grade == config.grades[-1][0]:
        found.append((rules.weak, f"评分{score.score:g}，等次{score.grade}"))
    found += [(rules.weak, reason) for reason in _defects(ind, config, mode)]
    found += [("继续", reason) for reason in _shortfalls(ind, config)]
    if not found:
        return Verdict("继续", ["各项指标达标"])
    worst = max(RECOMMENDATIONS.index(action) for action, _ in found)
    return Verdict(RECOMMENDATIONS[worst], [reason for _, reason in found])


def settle(
    ind: Indicators, score: Score, verdict: Verdict, config: AssessmentConfig
) -> tuple[Score, Verdict]:
    """The reported grade and recommendation: revoked ones are 已收回 and not graded, and a
    grade above the lowest passing one is capped when anything must be rectified.

    So 优秀/良好 never comes with 整改 or 收回 (hard defects such as no 委托协议, too few
    credentialed staff or a 零办件 period cap the grade), and the cap and its reason are shown.
    """
    if ind.revoked_in_period:
        note = "评估期内已收回，不评定等次"
        return (
            Score(points=score.points, score=None, grade=REVOKED),
            Verdict(REVOKED, [*verdict.reasons, note]),
        )
    passing = config.grades[-1][0]
    better = [grade for grade, _ in config.grades[:-1]]
    if score.grade in better and verdict.recommendation != "继续":
        note = (
            f"等次封顶为{passing}：评分{score.score:g}本可评为{score.grade}，"
            f"但存在须{verdict.recommendation}的问题"
        )
        return (
            Score(points=score.points, score=score.score, grade=passing),
            Verdict(verdict.recommendation, [*verdict.reasons, note]),
        )
    return score, verdict


def _data_reasons(ind: Indicators, score: Score, config: AssessmentConfig) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    share = ind.reported_share or 0.0
    if ind.missing_months:
        action = "整改" if share < config.targets.min_reported_share else "继续"
        found.append(
            (action, f"办件统计缺报{len(ind.missing_months)}/{ind.months_expected}个月"
                     f"（{'、'.join(ind.missing_months)}）")
        )  # fmt: skip
    if score.score is None and not ind.zero_case:
        found.append(("整改", "可评分数据不足，不予评分"))
    return found


def _defects(ind: Indicators, config: AssessmentConfig, mode: str) -> list[str]:
    """Hard defects that need rectifying whatever the score."""
    defects: list[str] = []
    if not ind.has_agreement:
        defects.append("委托未签订委托协议" if mode == "委托" else "缺少下放文件")
    if ind.credentialed_staff < ind.credentialed_required:
        defects.append(f"持证执法人员{ind.credentialed_staff}人，少于{ind.credentialed_required}人")
    return defects


def _shortfalls(ind: Indicators, config: AssessmentConfig) -> list[str]:
    """Indicators below target that the score already reflects; named so users see why."""
    t = config.targets
    notes: list[str] = []
    if ind.on_time_rate is not None and ind.on_time_rate < t.on_time_full:
        notes.append(f"按时办结率{ind.on_time_rate:.1%}（目标{t.on_time_full:.0%}）")
    if ind.complaint_rate:
        notes.append(f"投诉率{ind.complaint_rate:.1%}")
    if ind.returned_rate:
        notes.append(f"退回纠错率{ind.returned_rate:.1%}")
    if ind.training_share is not None and ind.training_share < 1:
        notes.append(
            f"培训达标率{ind.training_share:.0%}（人均{ind.training_hours_avg:g}学时，"
            f"目标{ind.training_target_hours:g}学时）"
        )
    elif ind.training_share is None:
        notes.append("承接单位无在岗人员记录，培训无法评估")
    return notes


def _scaled(value: float | None, zero: float, full: float, weight: float) -> float | None:
    if value is None:
        return None
    return weight * min(1.0, max(0.0, (value - zero) / (full - zero)))


def _falling(value: float | None, zero: float, weight: float) -> float | None:
    if value is None:
        return None
    return weight * max(0.0, 1 - value / zero)


def _rounded(points: dict[str, float | None]) -> dict[str, float | None]:
    return {k: None if v is None else round(v, 2) for k, v in points.items()}
