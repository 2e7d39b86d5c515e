"""The review rules (审核规则): pure functions from a department's facts to findings.

Each rule reads plain records (see facts.py) and the configuration, so it runs the same
on a loaded department or on a hand-built one in a test.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date

from powerlist.review.config import ReviewConfig
from powerlist.review.drafts import REVIEWED_STATUSES, draft, reviewed_items
from powerlist.review.facts import CatalogFacts, DepartmentFacts, FindingDraft, ItemFacts
from powerlist.review.legal import (
    basis_level,
    delegation_lawfulness,
    overlapping_duties,
    procedural_basis_only,
)

Rule = Callable[[DepartmentFacts, ReviewConfig, date], Iterator[FindingDraft]]
_draft = draft


def basis_not_in_force(
    facts: DepartmentFacts, config: ReviewConfig, as_of: date
) -> Iterator[FindingDraft]:
    """Rule 1: a cited basis is repealed (已废止) or not yet in force (尚未生效)."""
    for item in reviewed_items(facts):
        for basis in item.bases:
            repealed = basis.status == "已废止" or (
                basis.repealed_on and basis.repealed_on <= as_of
            )
            if repealed:
                successor = f"，已由{basis.successor}替代" if basis.successor else ""
                when = f"于{basis.repealed_on}" if basis.repealed_on else ""
                yield _draft(
                    config,
                    "basis_repealed",
                    item,
                    f"{basis.title}已{when}废止{successor}，请更新实施依据",
                )
            elif basis.status == "尚未生效" or (basis.effective_on and basis.effective_on > as_of):
                yield _draft(
                    config,
                    "basis_not_yet_effective",
                    item,
                    f"{basis.title}尚未生效（{basis.effective_on or '日期未定'}施行）",
                )


def basis_amended(
    facts: DepartmentFacts, config: ReviewConfig, as_of: date
) -> Iterator[FindingDraft]:
    """Rule 2: a basis amended (已修改) after the item was last reviewed; check its articles."""
    for item in reviewed_items(facts):
        for basis in item.bases:
            if basis.status != "已修改" or basis.amended_on is None:
                continue
            if item.last_reviewed_on is None or item.last_reviewed_on < basis.amended_on:
                articles = basis.articles or "（未注明条款）"
                yield _draft(
                    config,
                    "basis_amended",
                    item,
                    f"{basis.title}已于{basis.amended_on}修改，晚于上次审核"
                    f"（{item.last_reviewed_on or '从未审核'}），"
                    f"请核对所引{articles}",
                )


def no_basis(facts: DepartmentFacts, config: ReviewConfig, as_of: date) -> Iterator[FindingDraft]:
    """Rule 3: the item cites no legal basis at all."""
    for item in reviewed_items(facts):
        if not item.bases:
            yield _draft(config, "no_basis", item, "未载明任何实施依据")


def department_restructured(
    facts: DepartmentFacts, config: ReviewConfig, as_of: date
) -> Iterator[FindingDraft]:
    """Rule 5: the implementing department was merged or abolished; suggest the successor.

    Items of a department merged into this one are reviewed here, the successor's workbook.
    """
    merged = {p.id: p for p in facts.predecessors}
    for item in reviewed_items(facts):
        if item.department_id in merged:
            old = merged[item.department_id]
            when = f"于{old.abolished_on}" if old.abolished_on else ""
            yield _draft(config, "department_restructured", item,
                         f"原实施主体{old.name}已{when}并入{facts.name}（机构改革），"
                         f"建议将实施主体调整为{facts.name}")  # fmt: skip
        elif not facts.active:
            target = f"，建议调整为{facts.successor}" if facts.successor else "，请明确承接部门"
            yield _draft(config, "department_restructured", item,
                         f"实施主体{facts.name}已撤销{target}")  # fmt: skip


def catalog(facts: DepartmentFacts, config: ReviewConfig, as_of: date) -> Iterator[FindingDraft]:
    """Rule 6: the upper catalog cancelled/delegated an item still held, or requires one."""
    items = reviewed_items(facts)
    by_code: dict[str, list[ItemFacts]] = defaultdict(list)
    for item in items:
        by_code[item.code].append(item)
    entries_by_code: dict[str, list[str]] = defaultdict(list)
    for entry in facts.catalog:
        entries_by_code[entry.code].append(entry.name)
    for entry in facts.catalog:
        held = [i for i in by_code.get(entry.code, []) if i.status in ("保留", "暂停")]
        source = f"{entry.document or '上级决定'}（{entry.decided_on or '日期不详'}）"
        if entry.decision == "取消":
            for item in held:
                yield _draft(config, "catalog_cancelled", item, f"{source}已取消该事项，本级仍保留")
        elif entry.decision == "下放":
            for item in held:
                yield _draft(
                    config, "catalog_delegated", item, f"{source}已将该事项下放，本级仍保留"
                )
        elif entry.decision == "保留":
            yield from _catalog_required(facts, config, entry, by_code, entries_by_code)


def _catalog_required(
    facts: DepartmentFacts,
    config: ReviewConfig,
    entry: CatalogFacts,
    by_code: dict[str, list[ItemFacts]],
    entries_by_code: dict[str, list[str]],
) -> Iterator[FindingDraft]:
    matches = by_code.get(entry.code, [])
    if not matches:
        if entry.department_name in (None, facts.name):
            yield _draft(
                config,
                "catalog_missing",
                None,
                f"上级目录（{entry.document or '全国一张清单'}）要求本级实施“{entry.name}”"
                f"（{entry.category}，编码{entry.code}），本级清单缺少该事项",
                code=entry.code,
            )
        return
    for item in matches:
        if item.sub_item is not None:
            continue
        problems = []
        if item.name not in entries_by_code[entry.code]:
            problems.append(f"名称（目录为“{entry.name}”）")
        if item.category != entry.category:
            problems.append(f"权力类型（目录为{entry.category}）")
        if entry.basis and not any(b.title.strip("《》") in entry.basis for b in item.bases):
            problems.append(f"实施依据（目录为{entry.basis}）")
        # several entries may share a code: report an item once, against the first entry
        if problems and entry.name == entries_by_code[entry.code][0]:
            yield _draft(
                config,
                "catalog_mismatch",
                item,
                "与上级目录同编码事项的" + "、".join(problems) + "不一致",
            )


def stale_review(
    facts: DepartmentFacts, config: ReviewConfig, as_of: date
) -> Iterator[FindingDraft]:
    """Rule 7: not reviewed for more than a year (configurable in months)."""
    months = config.stale_after_months
    year, month = divmod(as_of.year * 12 + as_of.month - 1 - months, 12)
    cutoff = as_of.replace(year=year, month=month + 1, day=min(as_of.day, 28))
    for item in reviewed_items(facts):
        if item.last_reviewed_on is None:
            yield _draft(config, "stale_review", item, "从未审核")
        elif item.last_reviewed_on < cutoff:
            yield _draft(
                config,
                "stale_review",
                item,
                f"上次审核于{item.last_reviewed_on}，已超过{months}个月",
            )


def duplicates(facts: DepartmentFacts, config: ReviewConfig, as_of: date) -> Iterator[FindingDraft]:
    """Rule 8: duplicate codes, or duplicate names (same name and sub-item), in one department."""
    items = reviewed_items(facts)
    yield from _duplicates_by(items, config, "duplicate_code", lambda i: (i.code,), "编码")
    yield from _duplicates_by(
        items, config, "duplicate_name", lambda i: (i.name, i.sub_item or ""), "名称"
    )


def _duplicates_by(
    items: Iterable[ItemFacts],
    config: ReviewConfig,
    rule: str,
    key: Callable[[ItemFacts], tuple[str, ...]],
    what: str,
) -> Iterator[FindingDraft]:
    groups: dict[tuple[str, ...], list[ItemFacts]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    for group in groups.values():
        if len(group) < 2:
            continue
        for item in group:
            others = "、".join(f"{o.code}“{o.name}”" for o in group if o is not item)
            yield _draft(config, rule, item, f"与本部门事项 {others} {what}重复")


def missing_responsibility(
    facts: DepartmentFacts, config: ReviewConfig, as_of: date
) -> Iterator[FindingDraft]:
    """Rule 9: 责任事项 or 追责情形 is missing."""
    for item in reviewed_items(facts):
        missing = [
            label
            for label, value in (
                ("责任事项", item.responsibilities),
                ("追责情形", item.accountability),
            )
            if not (value or "").strip()
        ]
        if missing:
            yield _draft(config, "missing_responsibility", item, f"缺少{'和'.join(missing)}")


def poor_delegation(
    facts: DepartmentFacts, config: ReviewConfig, as_of: date
) -> Iterator[FindingDraft]:
    """Rule 10: a delegated/entrusted item rated poorly in its latest yearly assessment."""
    items = {item.id: item for item in reviewed_items(facts) if item.status in ("下放", "委托")}
    for assessment in facts.assessments:
        item = items.get(assessment.item_id)
        if item is None:
            continue
        poor = assessment.grade in config.poor_grades or (
            assessment.recommendation in config.poor_recommendations
        )
        if poor:
            score = "无得分" if assessment.score is None else f"{assessment.score:.1f}分"
            yield _draft(
                config,
                "poor_delegation",
                item,
                f"{assessment.mode}至{assessment.unit_name}，{assessment.period}年度评估"
                f"{assessment.grade or '无等级'}（{score}），"
                f"建议{assessment.recommendation}",
            )


RULES: tuple[Rule, ...] = (
    basis_not_in_force,
    basis_amended,
    no_basis,
    basis_level,
    department_restructured,
    catalog,
    stale_review,
    duplicates,
    missing_responsibility,
    poor_delegation,
    procedural_basis_only,
    delegation_lawfulness,
    overlapping_duties,
)

__all__ = ["REVIEWED_STATUSES", "RULES", "basis_level", "review_department", "reviewed_items"]


def review_department(
    facts: DepartmentFacts, config: ReviewConfig, as_of: date
) -> list[FindingDraft]:
    """Every finding of every rule for one department, in a stable order."""
    found: list[FindingDraft] = []
    for rule in RULES:
        found.extend(rule(facts, config, as_of))
    return found
