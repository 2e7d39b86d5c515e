"""Assessment configuration (评估配置): weights, targets, grade thresholds, recommendations.

Read from `powerlist/data/assessment.toml` (or POWERLIST_ASSESSMENT_FILE) and validated at
load: every error names the file and the key, so a bad edit never scores silently.
"""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from powerlist.errors import UserError
from powerlist.settings import get_settings

INDICATORS = ("on_time", "complaints", "returned", "credentialed_staff", "training", "agreement")
"""The scored indicators, in the order workbooks show them."""

GRADES = ("优秀", "良好", "合格")
FAILING_GRADE = "不合格"
RECOMMENDATIONS = ("继续", "整改", "收回")


class BadAssessmentConfig(UserError):
    """The assessment configuration file is invalid; the message names file and key."""


@dataclass(frozen=True)
class Targets:
    """What good handling looks like: the ends of each linear scale and staffing needs."""

    on_time_full: float
    on_time_zero: float
    complaint_rate_zero: float
    returned_rate_zero: float
    training_hours_per_year: float
    training_requirement: str
    credentialed_staff_strong: int
    credentialed_staff_other: int
    strong_powers: tuple[str, ...]
    min_scored_weight: float
    min_reported_share: float


@dataclass(frozen=True)
class Recommendations:
    """Which recommendation (建议) each situation leads to."""

    zero_case_year: str
    zero_case_quarter: str
    failing: str
    failing_twice: str
    weak: str


@dataclass(frozen=True)
class AssessmentConfig:
    """The whole validated configuration."""

    weights: dict[str, float]
    targets: Targets
    grades: tuple[tuple[str, float], ...]  # (grade, lowest score), best first
    recommendations: Recommendations
    source: str

    def grade_of(self, score: float) -> str:
        """The grade (等次) a score earns."""
        for grade, lowest in self.grades:
            if score >= lowest:
                return grade
        return FAILING_GRADE


def load_config(path: Path | None = None) -> AssessmentConfig:
    """Load and validate the configuration: `path`, else the settings' file, else the default."""
    path = path or get_settings().assessment_file
    if path is None:
        resource = resources.files("powerlist.data") / "assessment.toml"
        return parse_config(resource.read_text(encoding="utf-8"), "powerlist/data/assessment.toml")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise BadAssessmentConfig(f"{path}: cannot read ({error.strerror})") from error
    return parse_config(text, str(path))


def parse_config(text: str, source: str) -> AssessmentConfig:
    """Validate TOML text; `source` names the file in every error message."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BadAssessmentConfig(f"{source}: not valid TOML ({error})") from error
    reader = _Reader(data, source)
    return AssessmentConfig(
        weights=_weights(reader),
        targets=_targets(reader),
        grades=_grades(reader),
        recommendations=_recommendations(reader),
        source=source,
    )


class _Reader:
    """Typed access to the TOML tables with errors naming file and key."""

    def __init__(self, data: dict[str, Any], source: str):
        self.data = data
        self.source = source

    def fail(self, key: str, problem: str) -> BadAssessmentConfig:
        return BadAssessmentConfig(f"{self.source}: {key}: {problem}")

    def table(self, name: str) -> dict[str, Any]:
        value = self.data.get(name)
        if not isinstance(value, dict):
            raise self.fail(f"[{name}]", "table missing")
        return value

    def number(self, table: str, key: str, low: float, high: float) -> float:
        value = self.table(table).get(key)
        if value is None:
            raise self.fail(f"{table}.{key}", "missing")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{table}.{key}", f"must be a number, got {value!r}")
        if not low <= value <= high:
            raise self.fail(f"{table}.{key}", f"must be between {low} and {high}, got {value}")
        return float(value)

    def choice(self, table: str, key: str, allowed: tuple[str, ...]) -> str:
        value = self.table(table).get(key)
        if value not in allowed:
            raise self.fail(f"{table}.{key}", f"must be one of {'/'.join(allowed)}, got {value!r}")
        return str(value)


def _weights(reader: _Reader) -> dict[str, float]:
    table = reader.table("weights")
    unknown = sorted(set(table) - set(INDICATORS))
    if unknown:
        raise reader.fail("weights", f"unknown indicator(s) {', '.join(unknown)}")
    weights = {name: reader.number("weights", name, 0, 100) for name in INDICATORS}
    total = sum(weights.values())
    if abs(total - 100) > 1e-9:
        raise reader.fail("weights", f"must sum to 100, they sum to {total:g}")
    return weights


def _targets(reader: _Reader) -> Targets:
    number = reader.number
    table = reader.table("targets")
    requirement = table.get("training_requirement")
    if not isinstance(requirement, str) or not requirement:
        raise reader.fail("targets.training_requirement", "must be a requirement code")
    strong = table.get("strong_powers")
    if not isinstance(strong, list) or not all(isinstance(s, str) for s in strong):
        raise reader.fail("targets.strong_powers", "must be a list of power types")
    targets = Targets(
        on_time_full=number("targets", "on_time_full", 0, 1),
        on_time_zero=number("targets", "on_time_zero", 0, 1),
        complaint_rate_zero=number("targets", "complaint_rate_zero", 1e-9, 10),
        returned_rate_zero=number("targets", "returned_rate_zero", 1e-9, 10),
        training_hours_per_year=number("targets", "training_hours_per_year", 1e-9, 1000),
        training_requirement=requirement,
        credentialed_staff_strong=int(number("targets", "credentialed_staff_strong", 0, 1000)),
        credentialed_staff_other=int(number("targets", "credentialed_staff_other", 0, 1000)),
        strong_powers=tuple(strong),
        min_scored_weight=number("targets", "min_scored_weight", 0, 100),
        min_reported_share=number("targets", "min_reported_share", 0, 1),
    )
    if targets.on_time_zero >= targets.on_time_full:
        raise reader.fail("targets.on_time_zero", "must be below targets.on_time_full")
    return targets


def _grades(reader: _Reader) -> tuple[tuple[str, float], ...]:
    table = reader.table("grades")
    if set(table) != set(GRADES):
        raise reader.fail("grades", f"must give exactly {'、'.join(GRADES)}")
    grades = tuple((grade, reader.number("grades", grade, 0, 100)) for grade in GRADES)
    for (better, high), (worse, low) in itertools.pairwise(grades):
        if not high > low:
            raise reader.fail("grades", f"{better} ({high:g}) must be above {worse} ({low:g})")
    return grades


def _recommendations(reader: _Reader) -> Recommendations:
    keys = ("zero_case_year", "zero_case_quarter", "failing", "failing_twice", "weak")
    values = {key: reader.choice("recommendations", key, RECOMMENDATIONS) for key in keys}
    return Recommendations(**values)
