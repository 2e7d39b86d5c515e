"""Assess a department's delegations for a period, beside the previous period (趋势)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from powerlist.assessment.config import AssessmentConfig
from powerlist.assessment.facts import DelegationFacts, UnitStaffing
from powerlist.assessment.indicators import Indicators, measure
from powerlist.assessment.load import DepartmentFacts
from powerlist.assessment.scoring import Score, Verdict, recommend, score_delegation, settle
from powerlist.periods import Period

_INDICATOR_FIELDS = tuple(field.name for field in fields(Indicators))  # flat: no nested dataclass


@dataclass(frozen=True)
class Assessment:
    """One delegation's result for a period, with the previous period's score for the trend."""

    delegation: DelegationFacts
    indicators: Indicators
    score: Score
    verdict: Verdict
    previous_score: float | None
    previous_grade: str | None

    @property
    def change(self) -> float | None:
        """Score change against the previous period (None when either is missing)."""
        if self.score.score is None or self.previous_score is None:
            return None
        return round(self.score.score - self.previous_score, 1)

    def as_json(self) -> dict[str, Any]:
        """The indicators, points and trend as stored on the assessment row."""
        return {
            **{name: _copied(getattr(self.indicators, name)) for name in _INDICATOR_FIELDS},
            "points": self.score.points,
            "previous_score": self.previous_score,
            "previous_grade": self.previous_grade,
            "change": self.change,
        }


def assess_department(
    facts: DepartmentFacts, period: Period, as_of: date, config: AssessmentConfig
) -> list[Assessment]:
    """Assess every delegation of `facts` in force during `period` (the previous one for trend)."""
    previous = period.previous()
    results: list[Assessment] = []
    for delegation in facts.delegations:
        if not _in_force(delegation, period):
            continue
        prior = _score(facts, delegation, previous, as_of, config)
        indicators = _measure(facts, delegation, period, as_of, config)
        score = score_delegation(indicators, config)
        verdict = recommend(
            indicators,
            score,
            prior.grade if prior else None,
            period.kind,
            config,
            mode=delegation.mode,
            revoked_on=delegation.revoked_on.isoformat() if delegation.revoked_on else None,
        )
        score, verdict = settle(indicators, score, verdict, config)
        results.append(
            Assessment(
                delegation=delegation,
                indicators=indicators,
                score=score,
                verdict=verdict,
                previous_score=prior.score if prior else None,
                previous_grade=prior.grade if prior else None,
            )
        )
    return results


def _in_force(delegation: DelegationFacts, period: Period) -> bool:
    return delegation.since <= period.end and (
        delegation.revoked_on is None or delegation.revoked_on > period.start
    )


def _measure(
    facts: DepartmentFacts,
    delegation: DelegationFacts,
    period: Period,
    as_of: date,
    config: AssessmentConfig,
) -> Indicators:
    staffing = facts.staffing.get(
        (delegation.unit_id, period.label), UnitStaffing(staff=0, credentialed=0, training_hours=())
    )
    stats = facts.stats.get(delegation.id, [])
    return measure(delegation, stats, staffing, period, as_of, config)


def _score(
    facts: DepartmentFacts,
    delegation: DelegationFacts,
    period: Period,
    as_of: date,
    config: AssessmentConfig,
) -> Score | None:
    if not _in_force(delegation, period):
        return None
    return score_delegation(_measure(facts, delegation, period, as_of, config), config)


def _copied(value: Any) -> Any:
    """An indicator value as stored: lists copied (as `asdict` did), the rest as they are."""
    return list(value) if isinstance(value, list) else value
