"""The adjusted list (动态调整公布): the published layout, three catalogues and a diff.

Each export stores a compact snapshot of the list it published (an AuditEvent with action
`publish_list`), so next year's export diffs against it. Without a snapshot of the previous
year, the baseline is rebuilt from this year's decision audit events (the state before each
item's first decision), so status changes still show.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.excel import Column, TableSheet, WorkbookInfo, WrittenWorkbook, build_workbook
from powerlist.models import (
    AuditEvent,
    Delegation,
    Department,
    ItemDecision,
    PowerItem,
    ReceivingUnit,
)
from powerlist.review.load import bases_by_item
from powerlist.vocab import ProposalState

PUBLISHED_HEADERS = ("序号", "权力类型", "项目编码", "项目名称", "子项", "实施依据", "实施主体",
                     "承办机构", "责任事项", "追责情形", "备注")  # fmt: skip
# One page across on A4 landscape (<= 228 width units at 60 %): two pages across printed each
# row at the height of its taller half, 责任事项 on one page and 追责情形 on the other.
PUBLISHED_COLUMNS = (
    Column("序号", 5, kind="int"), Column("权力类型", 10, wrap=True), Column("项目编码", 15),
    Column("项目名称", 24, wrap=True), Column("子项", 12, wrap=True),
    Column("实施依据", 30, wrap=True), Column("实施主体", 16, wrap=True),
    Column("承办机构", 10, wrap=True), Column("责任事项", 44, wrap=True),
    Column("追责情形", 44, wrap=True), Column("备注", 14, wrap=True),
)  # fmt: skip
ELEMENTS = (("name", "项目名称"), ("sub_item", "子项"), ("category", "权力类型"),
            ("department", "实施主体"), ("unit", "承办机构"), ("bases", "实施依据"),
            ("responsibilities", "责任事项"), ("accountability", "追责情形"))  # fmt: skip
HASHED = ("responsibilities", "accountability")
IN_FORCE = ("保留", "下放", "委托", "暂停")
SNAPSHOT_ACTION = "publish_list"
LIST_SHEET = "权责清单"


@dataclass(frozen=True)
class ListedItem:
    """One item as published."""

    id: int
    code: str
    name: str
    sub_item: str | None
    category: str
    department: str
    unit: str | None
    bases: str
    responsibilities: str | None
    accountability: str | None
    status: str
    remarks: str | None
    handed_to: str | None = None
    cancellation: str | None = None

    def row(self, number: int, *, catalogue: bool = False) -> tuple[object, ...]:
        """The published-layout row; in a catalogue 备注 also says where the item went and why."""
        remark = self.remarks
        if catalogue:
            why = self.cancellation if self.status == "取消" else None
            remark = "；".join(p for p in (self.remarks, why or self.handed_to) if p) or None
        return (number, self.category, self.code, self.name, self.sub_item, self.bases,
                self.department, self.unit, self.responsibilities, self.accountability,
                remark)  # fmt: skip

    def snapshot(self) -> dict[str, Any]:
        """The compact state kept to diff next year's list (long texts as hashes)."""
        state: dict[str, Any] = {k: getattr(self, k) for k, _ in ELEMENTS}
        for key in HASHED:
            state[key] = _digest(state[key])
        state["code"], state["status"] = self.code, self.status
        return state


def _digest(text: str | None) -> str | None:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16] if text else None


def load_listed_items(session: Session) -> list[ListedItem]:
    """Every item with its department, bases text and delegation remark, in list order."""
    rows = session.execute(
        select(PowerItem, Department.name)
        .join(Department, PowerItem.department_id == Department.id)
        .order_by(Department.id, PowerItem.code, PowerItem.id)
    ).all()
    departments = sorted({item.department_id for item, _ in rows})
    bases = bases_by_item(session, departments)
    receivers: dict[int, list[str]] = {}
    for item_id, unit in session.execute(
        select(Delegation.item_id, ReceivingUnit.name)
        .join(ReceivingUnit, Delegation.unit_id == ReceivingUnit.id)
        .where(Delegation.revoked_on.is_(None))
        .order_by(Delegation.id)
    ):
        receivers.setdefault(item_id, []).append(unit)
    cancellations = approved_cancellations(session)
    return [
        ListedItem(
            id=item.id, code=item.code, name=item.name, sub_item=item.sub_item,
            category=item.category, department=department, unit=item.unit,
            bases="\n".join(f"{b.title}{b.articles or ''}" for b in bases.get(item.id, [])),
            responsibilities=item.responsibilities, accountability=item.accountability,
            status=item.status, remarks=item.remarks,
            handed_to=_handed_to(item, receivers.get(item.id, [])),
            cancellation=cancellations.get(item.id),
        )
        for item, department in rows
    ]  # fmt: skip


def _lineage_remark(p: ItemDecision) -> str | None:
    details = p.details or {}
    if details.get("merge_into"):
        return f"并入{details['merge_into']}"
    if details.get("split_into"):
        return "拆分为" + "、".join(x["code"] for x in details["split_into"])
    return None


def approved_cancellations(session: Session) -> dict[int, str]:
    """Item id → 取消理由, 依据/文件 and date of its approved (同意) 取消, the latest winning."""
    found: dict[int, str] = {}
    for p in session.scalars(
        select(ItemDecision)
        .where(
            ItemDecision.decision.in_(("取消", "合并", "拆分")),
            ItemDecision.state == ProposalState.APPROVED.value,
        )
        .order_by(ItemDecision.reviewed_on, ItemDecision.id)
    ):
        parts = [_lineage_remark(p),
                 f"{'取消' if p.decision == '取消' else p.decision}理由：{p.reason}"
                 if p.reason else None,
                 f"依据：{p.basis_document}" if p.basis_document else None,
                 f"取消日期：{p.reviewed_on.isoformat()}" if p.reviewed_on else None]  # fmt: skip
        found[p.item_id] = "；".join(x for x in parts if x) or "取消"
    return found


def _handed_to(item: PowerItem, receivers: list[str]) -> str | None:
    if item.status in ("下放", "委托"):
        return f"{item.status}至{'、'.join(receivers) if receivers else '承接单位待定'}"
    return None if item.status == "保留" else item.status


@dataclass(frozen=True)
class Change:
    """One line of the diff against the previous year's list."""

    kind: str  # 新增 取消 下放 委托 收回 要素变更 删除
    code: str
    name: str
    sub_item: str | None
    department: str
    elements: str
    before: str
    after: str

    def row(self) -> tuple[object, ...]:
        """The 调整对照 row."""
        return (self.kind, self.code, self.name, self.sub_item, self.department,
                self.elements, self.before, self.after)  # fmt: skip


def diff_lists(previous: dict[str, dict[str, Any]], current: Sequence[ListedItem]) -> list[Change]:
    """Added, cancelled, delegated/entrusted, taken back and changed items, by item id."""
    changes: list[Change] = []
    seen: set[str] = set()
    for item in current:
        key = str(item.id)
        seen.add(key)
        old = previous.get(key)
        if old is None:
            if item.status in IN_FORCE:
                changes.append(_change("新增", item, "", "", item.status))
            continue
        kind = _status_change(old["status"], item.status)
        if kind:
            changes.append(_change(kind, item, "状态", old["status"], item.status))
        now = item.snapshot()
        changed = [label for key2, label in ELEMENTS if now.get(key2) != old.get(key2)]
        if changed:
            before = "；".join(_show(key2, old) for key2, lbl in ELEMENTS if lbl in changed)
            after = "；".join(_show(key2, now) for key2, lbl in ELEMENTS if lbl in changed)
            changes.append(_change("要素变更", item, "、".join(changed), before, after))
    for key, old in previous.items():
        if key not in seen and old.get("status") in IN_FORCE:
            changes.append(Change("删除", old["code"], old.get("name") or "", old.get("sub_item"),
                                  old.get("department") or "", "", old["status"], ""))  # fmt: skip
    return changes


def _show(key: str, state: dict[str, Any]) -> str:
    label = dict(ELEMENTS)[key]
    value = state.get(key)
    if key in HASHED:
        return f"{label}（内容校验码 {value or '空'}）"
    return f"{label}：{value or '空'}"


def _status_change(before: str, after: str) -> str | None:
    if before == after:
        return None
    if after == "取消":
        return "取消"
    if after in ("下放", "委托"):
        return after
    if before in ("下放", "委托") and after == "保留":
        return "收回"
    if before == "取消" and after in IN_FORCE:
        return "新增"
    return "状态变更"


def _change(kind: str, item: ListedItem, elements: str, before: str, after: str) -> Change:
    return Change(kind, item.code, item.name, item.sub_item, item.department, elements,
                  before, after)  # fmt: skip


def unit_changes(session: Session, year: int, items: Sequence[ListedItem]) -> list[Change]:
    """调整对照 rows for approved 收回/下放/委托 of single receiving units in `year`.

    Ending one of several delegations leaves the item's status as it was, so the status diff
    alone would not show it; each approved per-unit decision is a line of its own.
    """
    by_id = {str(i.id): i for i in items}
    changes: list[Change] = []
    for event in session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "review_decision",
               AuditEvent.at >= datetime(year, 1, 1, tzinfo=UTC),
               AuditEvent.at < datetime(year + 1, 1, 1, tzinfo=UTC))
        .order_by(AuditEvent.id)
    ):  # fmt: skip
        after = event.after or {}
        item = by_id.get(event.entity_id or "")
        if item is not None and after.get("lineage"):
            kind = after.get("decision") or ""
            changes.append(_change(kind, item, "事项沿革", item.name, after["lineage"]))
            continue
        if item is None or not after.get("unit"):
            continue
        kind = after.get("decision") or ""
        before = f"{kind}前：{after['unit']}承接" if kind == "收回" else ""
        now = f"{kind}：{after['unit']}（{after.get('approved_on')}）"
        changes.append(_change(kind, item, "承接单位", before, now))
    return changes


def previous_snapshot(
    session: Session, year: int, current: Sequence[ListedItem]
) -> tuple[dict[str, dict[str, Any]], str]:
    """The baseline to diff against and a sentence saying where it came from."""
    stored = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == SNAPSHOT_ACTION, AuditEvent.entity_id == str(year - 1))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    if stored is not None and stored.after:
        return dict(stored.after["items"]), f"{year - 1}年度公布清单（{stored.at:%Y-%m-%d}导出）"
    baseline = {str(item.id): item.snapshot() for item in current}
    start = datetime(year, 1, 1, tzinfo=UTC)
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "review_decision", AuditEvent.at >= start)
        .order_by(AuditEvent.id)
    )
    restored: set[str] = set()
    for event in events:
        key = event.entity_id or ""
        if key in baseline and key not in restored and event.before is None:
            del baseline[key]  # an item added (新增) this year was not on last year's list
            continue
        if key in baseline and key not in restored and event.before:
            old = {k: event.before[k] for k in ("status", "name", "category") if k in event.before}
            baseline[key] = {**baseline[key], **old}
            restored.add(key)
    return baseline, f"无{year - 1}年度公布快照，按{year}年度审核意见导入记录还原调整前状态"


@dataclass(frozen=True)
class ExportResult:
    """The two workbooks written and their counts.

    The list (权责清单) holds only the published layout, so it imports back unchanged through
    `powerlist import items`; the catalogues and the diff are a second workbook.
    """

    workbook: WrittenWorkbook
    catalogues: WrittenWorkbook
    counts: dict[str, int]
    baseline: str


def list_file_name(year: int) -> str:
    """E.g. 2026年度权责清单（动态调整后）.xlsx."""
    return f"{year}年度权责清单（动态调整后）.xlsx"


def catalogues_file_name(year: int) -> str:
    """E.g. 2026年度权责清单调整目录及对照.xlsx."""
    return f"{year}年度权责清单调整目录及对照.xlsx"


DIFF_COLUMNS = (
    Column("调整类型", 10), Column("项目编码", 22), Column("项目名称", 36, wrap=True),
    Column("子项", 20), Column("实施主体", 24), Column("调整要素", 20, wrap=True),
    Column("调整前", 40, wrap=True), Column("调整后", 40, wrap=True),
)  # fmt: skip


def export_list(session: Session, year: int, folder: Path, actor: str = "cli") -> ExportResult:
    """Write the adjusted list for `year` and record its snapshot for next year's diff."""
    items = load_listed_items(session)
    previous, baseline = previous_snapshot(session, year, items)
    per_unit = unit_changes(session, year, items)
    told = {(c.kind, c.code) for c in per_unit}  # the per-unit line says more than the status
    told |= {("取消", c.code) for c in per_unit if c.kind in ("合并", "拆分")}
    changes = [c for c in diff_lists(previous, items) if (c.kind, c.code) not in told] + per_unit
    in_force = [i for i in items if i.status in IN_FORCE]
    retained = [i for i in items if i.status in ("保留", "暂停")]
    cancelled = [i for i in items if i.status == "取消"]
    handed = [i for i in items if i.status in ("下放", "委托")]
    kinds: dict[str, int] = {}
    for change in changes:
        kinds[change.kind] = kinds.get(change.kind, 0) + 1
    counts = {"in_force": len(in_force), "retained": len(retained),
              "cancelled": len(cancelled), "delegated_or_entrusted": len(handed),
              "changes": len(changes), **{f"changes_{k}": v for k, v in kinds.items()}}  # fmt: skip
    notes = [
        f"在列事项 {len(in_force)} 项（保留 {len(retained)}，下放和委托 {len(handed)}），"
        f"取消 {len(cancelled)} 项",
        f"调整对照基准：{baseline}",
        "调整情况：" + ("；".join(f"{k} {v}" for k, v in kinds.items()) or "无调整"),
    ]
    info = WorkbookInfo(job="权责清单动态调整公布", period=f"{year}年度", department="全市",
                        sources=("权责清单事项库", "年度审核意见"), notes=notes)  # fmt: skip
    written = build_workbook(folder / list_file_name(year), info, [
        TableSheet(LIST_SHEET, PUBLISHED_COLUMNS, _numbered(in_force), one_row_per_record=True),
    ])  # fmt: skip
    catalogues = build_workbook(folder / catalogues_file_name(year), info, [
        TableSheet(title, PUBLISHED_COLUMNS, _numbered(part, catalogue=True), title_row=True)
        for title, part in (("保留事项目录", retained), ("取消事项目录", cancelled),
                            ("下放和委托事项目录", handed))
    ] + [TableSheet("调整对照", DIFF_COLUMNS, [c.row() for c in changes],
                    title_row=True)])  # fmt: skip
    session.add(AuditEvent(actor=actor, action=SNAPSHOT_ACTION, entity="power_list",
                           entity_id=str(year), before=None,
                           after={"items": {str(i.id): i.snapshot() for i in items},
                                  "files": [written.artifact.path.name,
                                            catalogues.artifact.path.name],
                                  "sha256": written.artifact.sha256}))  # fmt: skip
    session.flush()
    return ExportResult(written, catalogues, counts, baseline)


def _numbered(
    items: Sequence[ListedItem], *, catalogue: bool = False
) -> Iterator[tuple[object, ...]]:
    return (item.row(n, catalogue=catalogue) for n, item in enumerate(items, start=1))
