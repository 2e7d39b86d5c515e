"""What every review rule shares: the items still on the list and how a finding is drafted."""

from __future__ import annotations

from powerlist.review.config import ReviewConfig
from powerlist.review.facts import DepartmentFacts, FindingDraft, ItemFacts

REVIEWED_STATUSES = frozenset({"保留", "下放", "委托", "暂停"})
"""Items still on the list; cancelled items (已取消) are history and are not reviewed."""


def reviewed_items(facts: DepartmentFacts) -> list[ItemFacts]:
    """The department's items that are still on the list."""
    return [item for item in facts.items if item.status in REVIEWED_STATUSES]


def draft(
    config: ReviewConfig,
    rule: str,
    item: ItemFacts | None,
    message: str,
    *,
    code: str = "",
    severity: str = "",
) -> FindingDraft:
    """A finding of `rule`; the message ends with the article the rule rests on (依据)."""
    spec = config.rules[rule]
    if spec.article:
        message = f"{message}（依据：{spec.article}）"
    return FindingDraft(
        item_id=item.id if item else None,
        code=item.code if item else code,
        rule=rule,
        severity=severity or spec.severity,
        message=message,
        action=spec.action,
    )
