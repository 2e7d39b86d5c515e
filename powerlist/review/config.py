"""Review configuration (审核规则配置) read from powerlist/data/review.toml and validated at load.

Labels, severities and suggested decisions of every rule, and the table of which levels of
legal basis may create which kind of power (设定权), are data so the rule-of-law office can
adjust them without a code change.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from powerlist.vocab import BasisLevel, Decision

RULE_KEYS: tuple[str, ...] = (
    "basis_repealed",
    "basis_not_yet_effective",
    "basis_amended",
    "no_basis",
    "basis_level_too_low",
    "department_restructured",
    "catalog_cancelled",
    "catalog_delegated",
    "catalog_missing",
    "catalog_mismatch",
    "stale_review",
    "duplicate_code",
    "duplicate_name",
    "missing_responsibility",
    "poor_delegation",
    "basis_level_confirm",
    "procedural_basis_only",
    "delegation_unlawful",
    "entrustment_without_agreement",
    "delegation_without_decision",
    "overlapping_duty",
)
SEVERITIES: tuple[str, ...] = ("高", "中", "低")


class ReviewConfigError(ValueError):
    """The review configuration file is invalid; the message names the file and key."""


@dataclass(frozen=True)
class RuleSpec:
    """How one rule's findings read: label, severity, suggested decision and its article.

    `article` is the law or document the rule rests on; rules whose article depends on the
    finding (设定权, delegations) leave it empty and put the article in each message.
    """

    key: str
    label: str
    severity: str
    action: str
    article: str = ""


@dataclass(frozen=True)
class LevelLimit:
    """A basis level that may create a kind of power only within limits (有限设定)."""

    level: str
    law: str
    note: str
    scope: str = ""  # 省级 / 设区的市; empty: any issuer
    forbidden: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    confirm: bool = False
    severity: str = ""


@dataclass(frozen=True)
class ProceduralLaw:
    """A procedural law (程序性法律) that creates no power, save the few it names itself."""

    title: str
    law: str
    creates: tuple[str, ...] = ()
    creates_law: str = ""


@dataclass(frozen=True)
class LevelSpec:
    """Which basis levels may create a kind of power (fully, or only in a limited way)."""

    name: str
    category: str
    law: str
    full: frozenset[str]
    limits: tuple[LevelLimit, ...] = ()
    name_keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewConfig:
    """The whole review configuration."""

    rules: dict[str, RuleSpec]
    levels: tuple[LevelSpec, ...]
    stale_after_months: int
    poor_grades: frozenset[str]
    poor_recommendations: frozenset[str]
    procedural: dict[str, ProceduralLaw] = field(default_factory=dict)
    provincial_prefixes: tuple[str, ...] = ()

    def level_for(self, category: str, name: str) -> LevelSpec | None:
        """The level table entry for an item: a keyword-specific one first, else its category."""
        for spec in self.levels:
            keywords = spec.name_keywords
            if spec.category == category and keywords and any(w in name for w in keywords):
                return spec
        for spec in self.levels:
            if spec.category == category and not spec.name_keywords:
                return spec
        return None


def _fail(source: str, key: str, problem: str) -> ReviewConfigError:
    return ReviewConfigError(f"{source}：配置项 {key} 无效：{problem}")


def _rules(data: dict[str, Any], source: str) -> dict[str, RuleSpec]:
    raw = data.get("rules", {})
    rules: dict[str, RuleSpec] = {}
    for key in RULE_KEYS:
        entry = raw.get(key)
        if not isinstance(entry, dict):
            raise _fail(source, f"rules.{key}", "缺少该规则")
        severity, action = entry.get("severity"), entry.get("action")
        if severity not in SEVERITIES:
            raise _fail(source, f"rules.{key}.severity", f"应为 {'/'.join(SEVERITIES)}")
        if action not in {d.value for d in Decision}:
            raise _fail(source, f"rules.{key}.action", f"“{action}”不是允许的审核意见")
        label, article = str(entry.get("label") or key), str(entry.get("article", ""))
        rules[key] = RuleSpec(key, label, severity, action, article)
    unknown = sorted(set(raw) - set(RULE_KEYS))
    if unknown:
        raise _fail(source, "rules", f"未知规则 {', '.join(unknown)}")
    return rules


def _levels(data: dict[str, Any], source: str) -> tuple[LevelSpec, ...]:
    known = {level.value for level in BasisLevel}
    specs = []
    for name, entry in data.get("levels", {}).items():
        full = frozenset(entry.get("full", ()))
        where = f"levels.{name}.limits"
        limits = tuple(_limit(raw, source, where) for raw in entry.get("limits", ()))
        bad = sorted((full | {limit.level for limit in limits}) - known)
        if bad:
            raise _fail(source, f"levels.{name}", f"未知效力层级 {', '.join(bad)}")
        if not full:
            raise _fail(source, f"levels.{name}.full", "不能为空")
        if not entry.get("law"):
            raise _fail(source, f"levels.{name}.law", "须写明所依据的法律条款")
        specs.append(
            LevelSpec(
                name=name,
                category=str(entry.get("category", name)),
                law=str(entry["law"]),
                full=full,
                limits=limits,
                name_keywords=tuple(entry.get("name_keywords", ())),
            )
        )
    return tuple(specs)


def _limit(raw: dict[str, Any], source: str, key: str) -> LevelLimit:
    scope = str(raw.get("scope", ""))
    if scope not in ("", "省级", "设区的市"):
        raise _fail(source, f"{key}.scope", "应为 省级 或 设区的市")
    severity = str(raw.get("severity", ""))
    if severity and severity not in SEVERITIES:
        raise _fail(source, f"{key}.severity", f"应为 {'/'.join(SEVERITIES)}")
    if not raw.get("law"):
        raise _fail(source, f"{key}.law", "须写明所依据的法律条款")
    return LevelLimit(
        level=str(raw.get("level", "")),
        law=str(raw["law"]),
        note=str(raw.get("note", "")),
        scope=scope,
        forbidden=tuple(raw.get("forbidden", ())),
        allowed=tuple(raw.get("allowed", ())),
        ambiguous=tuple(raw.get("ambiguous", ())),
        confirm=bool(raw.get("confirm", False)),
        severity=severity,
    )


def _procedural(data: dict[str, Any], source: str) -> dict[str, ProceduralLaw]:
    laws = {}
    for title, entry in data.get("procedural", {}).items():
        if not entry.get("law"):
            raise _fail(source, f"procedural.{title}.law", "须说明该法律为何不设定权力")
        laws[title] = ProceduralLaw(
            title=title,
            law=str(entry["law"]),
            creates=tuple(entry.get("creates", ())),
            creates_law=str(entry.get("creates_law", "")),
        )
    return laws


def parse_config(text: str, source: str = "review.toml") -> ReviewConfig:
    """Parse and validate review configuration text (raises ReviewConfigError)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ReviewConfigError(f"{source}：TOML 格式错误：{error}") from error
    months = data.get("stale_after_months", 12)
    if not isinstance(months, int) or months < 1:
        raise _fail(source, "stale_after_months", "应为正整数")
    return ReviewConfig(
        rules=_rules(data, source),
        levels=_levels(data, source),
        stale_after_months=months,
        poor_grades=frozenset(data.get("poor_grades", ())),
        poor_recommendations=frozenset(data.get("poor_recommendations", ())),
        procedural=_procedural(data, source),
        provincial_prefixes=tuple(data.get("provincial_prefixes", ())),
    )


@lru_cache(maxsize=4)
def load_config(path: Path | None = None) -> ReviewConfig:
    """The packaged configuration, or the file at `path` when given."""
    if path is not None:
        return parse_config(path.read_text("utf-8"), str(path))
    text = resources.files("powerlist.data").joinpath("review.toml").read_text("utf-8")
    return parse_config(text, "powerlist/data/review.toml")
