"""Decisions back in (审核意见导入): validate a returned department workbook, apply all or nothing.

The workbook must carry the identity of a review run and department; every decided row must
match one of the items sent, by code; decisions must be allowed and 取消/收回/下放 need a
reason. The same file twice is a no-op; a second, different file for the department fills
undecided items only and reports the rows whose decision differs (conflicts).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.artifacts import sha256_of
from powerlist.excel import MetadataError, read_metadata
from powerlist.excel.reading import UnsafeFile, open_workbook
from powerlist.models import (
    AuditEvent,
    Department,
    ImportRecord,
    ItemDecision,
    PowerItem,
    Report,
    Run,
)
from powerlist.review.identity import IdentityError, identity_from_metadata
from powerlist.review.job import DEPARTMENT_REPORT, JOB_NAME
from powerlist.review.workbooks import DECISIONS, MISSING_STATUS, NEEDS_REASON, REVIEW_SHEET
from powerlist.settings import get_settings

IMPORT_KIND = "review_decisions"
SHEET = REVIEW_SHEET
MAX_PROBLEMS = 200  # problems listed in an answer; the rest are counted
ROW_MARGIN = 2_000  # rows beyond the items sent: the list's missing catalog items, blank lines
REQUIRED_HEADERS = ("项目编码", "状态", "审核意见", "说明", "事项ID")
STATUS_AFTER = {"取消": "取消", "下放": "下放", "委托": "委托", "收回": "保留"}
"""Item status after a decision; 保留 and 修改 keep the status the item has."""


class DecisionImportError(ValueError):
    """The returned workbook was refused; `problems` names sheet, row and column of each."""

    def __init__(self, file_name: str, problems: Sequence[str]):
        self.file_name = file_name
        self.problems = listed_problems(problems)
        listed = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = f"\n  …共 {len(problems)} 处问题" if len(problems) > 50 else ""
        super().__init__(f"{file_name}：未导入任何审核意见：\n{listed}{more}")


def listed_problems(problems: Sequence[str]) -> list[str]:
    """The first MAX_PROBLEMS problems and a line counting the rest (a bounded answer)."""
    shown = list(problems[:MAX_PROBLEMS])
    if len(problems) > MAX_PROBLEMS:
        shown.append(f"…另有 {len(problems) - MAX_PROBLEMS} 处问题未列出，请先改正以上问题")
    return shown


def capped_rows(
    name: str, lines: Iterator[tuple[Any, ...]], item_count: int
) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows, refused past the workbook's own item count plus ROW_MARGIN filled rows
    (or past the importer's row cap counting blank ones), so a million pasted rows are not read."""
    filled_cap = item_count + ROW_MARGIN
    total_cap = get_settings().import_max_rows + ROW_MARGIN
    filled = 0
    for total, values in enumerate(lines, start=1):
        if any(v is not None and v != "" for v in values):
            filled += 1
        if filled > filled_cap or total > total_cap:
            raise DecisionImportError(
                name,
                [f"工作表“{SHEET}”行数过多：本工作簿下发 {item_count} 项，最多读取 "
                 f"{filled_cap} 行；请使用下发的工作簿，勿粘贴其他数据"],
            )  # fmt: skip
        yield values


@dataclass(frozen=True)
class ReturnedRow:
    """One decided row of the returned sheet."""

    row: int
    code: str
    item_id: int | None
    decision: str
    reason: str


@dataclass(frozen=True)
class Conflict:
    """A row whose decision differs from one already imported for the item."""

    row: int
    code: str
    existing: str
    returned: str


@dataclass
class ImportOutcome:
    """What an import did."""

    status: str  # applied | already_imported
    file_name: str
    run_id: int | None = None
    department: str | None = None
    applied: int = 0
    unchanged: int = 0
    undecided: int = 0
    conflicts: list[Conflict] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form for the CLI."""
        return {
            "status": self.status,
            "file": self.file_name,
            "run_id": self.run_id,
            "department": self.department,
            "applied": self.applied,
            "unchanged": self.unchanged,
            "undecided": self.undecided,
            "conflicts": [c.__dict__ for c in self.conflicts],
        }


@dataclass(frozen=True)
class ReturnedWorkbook:
    """What was read from the file: identity cells and decided rows."""

    identity: dict[str, str]
    rows: list[ReturnedRow]
    undecided: int
    problems: list[str]


def read_returned_workbook(path: Path) -> ReturnedWorkbook:
    """Read the identity and the decided rows of 审核事项; raise if the file is not one of ours.

    The file is opened with the shared safe reader (size, zip-bomb and macro checks first).
    Row-level problems are returned (not raised) so the importer can list them all at once.
    """
    name = path.name
    try:
        identity = read_metadata(path)
        workbook = open_workbook(path)
    except MetadataError as error:
        raise DecisionImportError(
            name, [f"不是本系统生成的审核工作簿，或审核标识已被改动（{error}）"]
        ) from error
    except (UnsafeFile, OSError, ValueError, KeyError) as error:
        raise DecisionImportError(name, [f"无法作为 Excel 工作簿打开（{error}）"]) from error
    try:
        if SHEET not in workbook.sheetnames:
            raise DecisionImportError(name, [f"缺少工作表“{SHEET}”"])
        item_count = len(_item_ids(identity))
        lines = capped_rows(name, workbook[SHEET].iter_rows(values_only=True), item_count)
        rows, undecided, problems = _read_rows(lines)
    finally:
        workbook.close()
    return ReturnedWorkbook(identity, rows, undecided, problems)


def _item_ids(identity: dict[str, str]) -> list[str]:
    return [x for x in identity.get("item_ids", "").split(",") if x.strip()]


def _read_rows(lines: Any) -> tuple[list[ReturnedRow], int, list[str]]:
    header = [str(h).strip() if h is not None else "" for h in next(lines, ())]
    missing = [h for h in REQUIRED_HEADERS if h not in header]
    if missing:
        return [], 0, [f"工作表“{SHEET}”第1行缺少列：{'、'.join(missing)}"]
    at = {h: header.index(h) for h in REQUIRED_HEADERS}
    rows: list[ReturnedRow] = []
    problems: list[str] = []
    undecided = 0
    for number, values in enumerate(lines, start=2):
        cells = [_text(v) for v in values] + [""] * len(header)
        code, decision, reason = cells[at["项目编码"]], cells[at["审核意见"]], cells[at["说明"]]
        where = f"工作表“{SHEET}”第{number}行"
        if not code and not decision:
            continue
        if cells[at["状态"]] == MISSING_STATUS:
            continue  # a catalog item the list lacks: added through the item importer
        if not decision:
            undecided += 1
            continue
        if decision not in DECISIONS:
            problems.append(
                f"{where}“审核意见”列：“{decision}”不是允许的选项（{'/'.join(DECISIONS)}）"
            )
        elif decision in NEEDS_REASON and not reason:
            problems.append(f"{where}“说明”列：审核意见为{decision}时必须填写理由")
        raw_id = cells[at["事项ID"]]
        if raw_id and not raw_id.isdigit():
            problems.append(f"{where}“事项ID”列：“{raw_id}”不是有效的事项ID，请勿修改该列")
            continue
        rows.append(ReturnedRow(number, code, int(raw_id) if raw_id else None, decision, reason))
    return rows, undecided, problems


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def import_decisions(session: Session, path: Path, actor: str = "cli") -> ImportOutcome:
    """Validate and apply a returned review workbook in the caller's transaction."""
    digest = sha256_of(path)
    returned = read_returned_workbook(path)
    run, department = _run_and_department(session, path.name, returned.identity)
    done = session.scalar(
        select(ImportRecord).where(ImportRecord.kind == IMPORT_KIND, ImportRecord.sha256 == digest)
    )
    if done is not None:  # checked under the department lock, so a double upload is a no-op
        return ImportOutcome("already_imported", path.name, run.id, department.name)
    identity = identity_from_metadata(returned.identity)
    owners = select(Department.id).where(
        (Department.id == department.id) | (Department.merged_into_id == department.id)
    )
    items = {
        i.id: i
        for i in session.scalars(
            select(PowerItem).where(
                PowerItem.id.in_(identity.item_ids), PowerItem.department_id.in_(owners)
            )
        )
    }
    matched = _match_rows(path.name, returned.rows, items, returned.problems)
    outcome = ImportOutcome("applied", path.name, run.id, department.name)
    outcome.undecided = returned.undecided
    _apply(session, run.id, department.id, matched, digest, actor, outcome)
    session.add(ImportRecord(kind=IMPORT_KIND, file_name=path.name, sha256=digest,
                             rows=len(matched), actor=actor))  # fmt: skip
    session.add(AuditEvent(
        actor=actor, action="import_decisions", entity="department", entity_id=department.code,
        before=None,
        after={"file": path.name, "sha256": digest, "run_id": run.id, "applied": outcome.applied,
               "unchanged": outcome.unchanged, "conflicts": len(outcome.conflicts)},
    ))  # fmt: skip
    session.flush()
    return outcome


def _run_and_department(
    session: Session, file_name: str, metadata: dict[str, str]
) -> tuple[Run, Department]:
    """The run and department a returned workbook was written for (raises when unknown)."""
    try:
        identity = identity_from_metadata(metadata)
    except IdentityError as error:
        raise DecisionImportError(file_name, [f"审核标识无效：{error}"]) from error
    run = session.get(Run, identity.run_id)
    if run is None or run.job != JOB_NAME or run.period != str(identity.year):
        raise DecisionImportError(
            file_name, [f"找不到该工作簿对应的审核运行（编号 {identity.run_id}）"]
        )
    department = session.scalar(
        select(Department).where(Department.code == identity.department_code).with_for_update()
    )  # two uploads for one department are applied one after the other
    sent = department is not None and session.scalar(
        select(Report.id).where(
            Report.run_id == run.id,
            Report.department_id == department.id,
            Report.kind == DEPARTMENT_REPORT,
        )
    )
    if department is None or not sent:
        raise DecisionImportError(
            file_name,
            [f"审核运行（编号 {run.id}）没有为部门“{identity.department_code}”生成工作簿"],
        )
    return run, department


def _match_rows(
    file_name: str,
    rows: Sequence[ReturnedRow],
    items: dict[int, PowerItem],
    earlier: Sequence[str],
) -> list[tuple[ReturnedRow, PowerItem]]:
    by_code: dict[str, list[PowerItem]] = {}
    for item in items.values():
        by_code.setdefault(item.code, []).append(item)
    problems: list[str] = list(earlier)
    matched: list[tuple[ReturnedRow, PowerItem]] = []
    seen: dict[int, int] = {}
    for row in rows:
        where = f"工作表“{SHEET}”第{row.row}行"
        item = items.get(row.item_id) if row.item_id is not None else None
        if row.item_id is not None and item is None:
            problems.append(f"{where}“事项ID”列：{row.item_id} 不是本工作簿下发的事项")
            continue
        if item is None:
            candidates = by_code.get(row.code, [])
            if len(candidates) != 1:
                why = (
                    "不是本部门下发的事项" if not candidates else "对应多个事项，请勿删除“事项ID”列"
                )
                problems.append(f"{where}“项目编码”列：{row.code} {why}")
                continue
            item = candidates[0]
        if item.code != row.code:
            problems.append(f"{where}“项目编码”列：{row.code} 与下发时的编码 {item.code} 不符")
            continue
        if item.id in seen:
            problems.append(f"{where}：与第{seen[item.id]}行是同一事项（{item.code}）")
            continue
        if row.decision == "收回" and item.status not in ("下放", "委托"):
            problems.append(f"{where}“审核意见”列：事项状态为{item.status}，不能收回")
            continue
        seen[item.id] = row.row
        matched.append((row, item))
    if problems:
        raise DecisionImportError(file_name, problems)
    return matched


def _apply(
    session: Session,
    run_id: int,
    department_id: int,
    matched: Sequence[tuple[ReturnedRow, PowerItem]],
    digest: str,
    actor: str,
    outcome: ImportOutcome,
) -> None:
    existing = {
        d.item_id: d
        for d in session.scalars(
            select(ItemDecision).where(
                ItemDecision.run_id == run_id,
                ItemDecision.item_id.in_([item.id for _, item in matched]),
            )
        )
    }
    reviewed_on = _today()
    for row, item in matched:
        known = existing.get(item.id)
        if known is not None:
            if known.decision == row.decision:
                outcome.unchanged += 1
            else:
                outcome.conflicts.append(Conflict(row.row, item.code, known.decision, row.decision))
            continue
        before = _state(item)
        item.status = STATUS_AFTER.get(row.decision, item.status)
        item.version = (item.version or 1) + 1
        item.last_reviewed_on = reviewed_on
        session.add(ItemDecision(run_id=run_id, department_id=department_id, item_id=item.id,
                                 decision=row.decision, reason=row.reason or None,
                                 source_sha256=digest))  # fmt: skip
        session.add(AuditEvent(
            actor=actor, action="review_decision", entity="power_item", entity_id=str(item.id),
            before=before,
            after={**_state(item), "decision": row.decision, "reason": row.reason,
                   "run_id": run_id},
        ))  # fmt: skip
        outcome.applied += 1


def _state(item: PowerItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "status": item.status,
        "version": item.version,
        "last_reviewed_on": item.last_reviewed_on.isoformat() if item.last_reviewed_on else None,
    }


def _today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()
