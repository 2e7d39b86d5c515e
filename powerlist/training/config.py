"""The training configuration: requirements (培训要求) and reminder stages, from TOML.

The packaged powerlist/data/training.toml is used unless POWERLIST_TRAINING_FILE names
another; every error names the file, the requirement and the field.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from powerlist.settings import get_settings

DEFAULT_FILE = Path(__file__).parent.parent / "data" / "training.toml"
KINDS = ("培训", "证件", "考试")
COUNTS_FROM = ("last_completion", "previous_due", "fixed", "exam_sessions")


class BadTrainingConfig(ValueError):
    """The training TOML is malformed."""


@dataclass(frozen=True)
class Requirement:
    """What staff must do, who must do it, how often, and from what the next due date counts."""

    code: str
    name: str
    kind: str
    roles: tuple[str, ...]
    unit_kinds: tuple[str, ...]
    every_months: int
    counts_from: str
    first_due: date
    hours_per_year: float | None = None
    anchor: date | None = None
    source: str | None = None  # the document the figures (hours, period) come from

    def applies_to(self, role: str, unit_kind: str) -> bool:
        """Whether a person of `role` in a unit of `unit_kind` must meet this requirement."""
        return (not self.roles or role in self.roles) and (
            not self.unit_kinds or unit_kind in self.unit_kinds
        )


@dataclass(frozen=True)
class Stages:
    """When reminders go out, relative to the due date."""

    before: tuple[int, ...] = (30, 7)
    on_due: bool = True
    overdue_every_days: int = 7
    escalate_after_days: int = 14
    due_soon_days: int = 30


@dataclass(frozen=True)
class TrainingConfig:
    """The requirements and the stages."""

    requirements: tuple[Requirement, ...]
    stages: Stages

    def requirement(self, code: str) -> Requirement:
        """The requirement with this code (KeyError when unknown)."""
        for requirement in self.requirements:
            if requirement.code == code:
                return requirement
        raise KeyError(code)


def parse_training_config(text: str, origin: Path) -> TrainingConfig:
    """Parse and validate the training TOML."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BadTrainingConfig(f"{origin}: 不是有效的 TOML（{error}）") from error
    raw_requirements = data.get("requirement")
    if not isinstance(raw_requirements, list) or not raw_requirements:
        raise BadTrainingConfig(f"{origin}: 至少需要一个 [[requirement]]")
    requirements = tuple(
        _requirement(raw, index, origin) for index, raw in enumerate(raw_requirements, 1)
    )
    codes = [r.code for r in requirements]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise BadTrainingConfig(f"{origin}: 要求编码重复：{', '.join(duplicates)}")
    return TrainingConfig(requirements, _stages(data.get("stages", {}), origin))


def _requirement(raw: dict[str, Any], index: int, origin: Path) -> Requirement:
    where = f"{origin}: 第 {index} 个 [[requirement]]（{raw.get('code', '无编码')}）"

    def need(field: str, kind: type | tuple[type, ...]) -> Any:
        value = raw.get(field)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise BadTrainingConfig(f"{where} 的 {field} 缺失或类型错误：{value!r}")
        return value

    kind = need("kind", str)
    counts_from = need("counts_from", str)
    if kind not in KINDS:
        raise BadTrainingConfig(f"{where} 的 kind 应为 {'/'.join(KINDS)}，而不是 {kind!r}")
    if counts_from not in COUNTS_FROM:
        raise BadTrainingConfig(f"{where} 的 counts_from 应为 {'/'.join(COUNTS_FROM)}")
    every = need("every_months", int)
    if every < 1:
        raise BadTrainingConfig(f"{where} 的 every_months 应为正整数")
    anchor = raw.get("anchor")
    if counts_from == "fixed" and not isinstance(anchor, date):
        raise BadTrainingConfig(f"{where} counts_from = fixed 需要 anchor 日期")
    source = raw.get("source")
    if source is not None and not isinstance(source, str):
        raise BadTrainingConfig(f"{where} 的 source 应为文字（要求出处）")
    hours = raw.get("hours_per_year")
    if hours is not None and (not isinstance(hours, int | float) or hours < 0):
        raise BadTrainingConfig(f"{where} 的 hours_per_year 应为非负数")
    return Requirement(
        code=need("code", str),
        name=need("name", str),
        kind=kind,
        roles=tuple(need("roles", list)) if "roles" in raw else (),
        unit_kinds=tuple(need("unit_kinds", list)) if "unit_kinds" in raw else (),
        every_months=every,
        counts_from=counts_from,
        first_due=need("first_due", date),
        hours_per_year=float(hours) if hours is not None else None,
        anchor=anchor if isinstance(anchor, date) else None,
        source=source,
    )


def _stages(raw: dict[str, Any], origin: Path) -> Stages:
    defaults = Stages()
    before = raw.get("before", list(defaults.before))
    if not isinstance(before, list) or not all(isinstance(d, int) and d > 0 for d in before):
        raise BadTrainingConfig(f"{origin}: [stages] before 应为正整数列表（到期前天数）")
    numbers = {}
    for field in ("overdue_every_days", "escalate_after_days", "due_soon_days"):
        value = raw.get(field, getattr(defaults, field))
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise BadTrainingConfig(f"{origin}: [stages] {field} 应为正整数")
        numbers[field] = value
    on_due = raw.get("on_due", True)
    if not isinstance(on_due, bool):
        raise BadTrainingConfig(f"{origin}: [stages] on_due 应为 true/false")
    return Stages(before=tuple(sorted(set(before), reverse=True)), on_due=on_due, **numbers)


@lru_cache(maxsize=4)
def _load(path: Path) -> TrainingConfig:
    return parse_training_config(path.read_text(encoding="utf-8"), path)


def training_config() -> TrainingConfig:
    """The configuration in force (POWERLIST_TRAINING_FILE or the packaged file)."""
    return _load(get_settings().training_file or DEFAULT_FILE)
