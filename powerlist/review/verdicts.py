"""The reviewing office's 审核意见: a workbook of every pending proposal, and its import.

The office (法治办/司法局) gets one workbook per round (run) listing each department's 部门意见
with the finding that prompted it, fills 同意/不同意/退回修改 and 审核说明, and returns it. Only
同意 changes the list (see `powerlist.review.approval`). 不同意 closes the proposal; 退回修改
sends it back to the department's next workbook. The whole file is validated before anything
is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.artifacts import sha256_of
from powerlist.excel import (
    BAD,
    GOOD,
    WARN,
    Column,
    MetadataError,
    TableSheet,
    WorkbookInfo,
    WrittenWorkbook,
    build_workbook,
    read_metadata,
)
from powerlist.excel.headers import find_header
from powerlist.excel.reading import UnsafeFile, open_workbook
from powerlist.models import (
    AuditEvent,
    Delegation,
    Department,
    Finding,
    ImportRecord,
    ItemDecision,
    PowerItem,
    ReceivingUnit,
    Run,
)
from powerlist.review.approval import add_approved_item, apply_approved, cannot_apply
from powerlist.review.config import load_config
from powerlist.review.workbooks import CHANGE_FIELDS
from powerlist.settings import get_settings
from powerlist.vocab import ProposalState, Verdict

FORMAT = "powerlist-verdicts/1"
SHEET = "审核意见"
IMPORT_KIND = "review_verdicts"
VERDICTS = tuple(v.value for v in Verdict)
STATE_AFTER = {
    Verdict.APPROVE.value: ProposalState.APPROVED.value,
    Verdict.REJECT.value: ProposalState.REJECTED.value,
    Verdict.RETURN.value: ProposalState.RETURNED.value,
}
NEEDS_NOTE = (Verdict.REJECT.value, Verdict.RETURN.value)
HOW_TO_FILL = (
    "填写方法：在“审核意见”列逐条选择 同意/不同意/退回修改；不同意和退回修改须在“审核说明”列写明"
    "理由。只有“同意”的部门意见调整清单；退回修改的意见回到该部门下一次下发的工作簿。请勿修改"
    "“意见ID”列。导入时整表校验，全部通过才生效；同一文件重复导入不会重复生效。"
)
# One page across on A4 landscape (205 width units print at 68 %, 7.5 pt): a row never shares
# its height with a second page across, so long findings make their own row tall and nothing
# else; 审核发现, the longest text, gets the widest column.
COLUMNS = (
    Column("序号", 5, kind="int"), Column("部门", 14, wrap=True), Column("项目编码", 14),
    Column("项目名称", 24, wrap=True), Column("承接单位", 12, wrap=True), Column("事项状态", 6),
    Column("部门意见", 6), Column("说明/理由", 22, wrap=True), Column("依据/文件", 14, wrap=True),
    Column("调整内容", 14, wrap=True), Column("审核发现", 40, wrap=True),
    Column("审核意见", 8, choices=VERDICTS,
           colors={"同意": GOOD, "不同意": BAD, "退回修改": WARN}),
    Column("审核说明", 20, wrap=True), Column("意见ID", 6, kind="int", printed=False),
)  # fmt: skip
REQUIRED_HEADERS = ("项目编码", "审核意见", "审核说明", "意见ID")


class VerdictImportError(ValueError):
    """The 审核意见 workbook was refused; `problems` names sheet, row and column of each."""

    def __init__(self, file_name: str, problems: Sequence[str]):
        self.file_name = file_name
        self.problems = list(problems)
        listed = "\n".join(f"  - {p}" for p in self.problems[:50])
        super().__init__(f"{file_name}：未导入任何审核意见：\n{listed}")


def verdict_file_name(period: str, run_id: int) -> str:
    """E.g. 2026年度权责清单调整审核意见-第3轮.xlsx (the round is the run)."""
    return f"{period}年度权责清单调整审核意见-运行{run_id}.xlsx"


def latest_round(session: Session, year: int) -> int | None:
    """The id of the year's latest run that holds 部门意见 (a round), else its latest run."""
    with_proposals = session.scalar(
        select(ItemDecision.run_id)
        .join(Run, Run.id == ItemDecision.run_id)
        .where(Run.period == str(year))
        .order_by(ItemDecision.run_id.desc())
        .limit(1)
    )
    return with_proposals or session.scalar(
        select(Run.id).where(Run.period == str(year)).order_by(Run.id.desc()).limit(1)
    )


def pending_proposals(session: Session, run_id: int) -> list[ItemDecision]:
    """The run's proposals still waiting for the office (待审核), by department and item."""
    return list(
        session.scalars(
            select(ItemDecision)
            .where(ItemDecision.run_id == run_id, ItemDecision.state == ProposalState.PENDING.value)
            .order_by(ItemDecision.department_id, ItemDecision.item_id, ItemDecision.id)
        )
    )


def write_verdict_workbook(session: Session, run_id: int, folder: Path) -> WrittenWorkbook:
    """Write the office's 审核意见 workbook for one round: every pending proposal, with findings."""
    run = session.get_one(Run, run_id)
    proposals = pending_proposals(session, run_id)
    wanted = {p.item_id for p in proposals}
    items = {i.id: i for i in session.scalars(select(PowerItem).where(PowerItem.id.in_(wanted)))}
    departments = {d.id: d.name for d in session.scalars(select(Department))}
    units = dict(session.execute(
        select(Delegation.id, ReceivingUnit.name).join(
            ReceivingUnit, ReceivingUnit.id == Delegation.unit_id)
        .where(Delegation.id.in_({p.delegation_id for p in proposals if p.delegation_id}))
    ).all())  # fmt: skip
    labels = {key: rule.label for key, rule in load_config().rules.items()}
    found: dict[int, list[str]] = defaultdict(list)
    for finding in session.scalars(
        select(Finding).where(Finding.run_id == run_id).order_by(Finding.id)
    ):
        if finding.item_id is not None:
            found[finding.item_id].append(
                f"【{labels.get(finding.rule, finding.rule)}】{finding.message}"
            )
    rows = []
    for number, p in enumerate(proposals, start=1):
        item = items.get(p.item_id or 0)
        new = (p.details or {}).get("new_item") or {}
        unit = units.get(p.delegation_id or 0) or (p.details or {}).get("unit_name")
        rows.append((
            number, departments.get(p.department_id), item.code if item else new.get("code"),
            item.name if item else new.get("name"), unit, item.status if item else "（新增）",
            p.decision, p.reason, p.basis_document, describe_details(p),
            "\n".join(found.get(item.id, [])) if item else None, None, None, p.id,
        ))  # fmt: skip
    by_department = defaultdict(int)
    for p in proposals:
        by_department[departments.get(p.department_id)] += 1
    info = WorkbookInfo(
        job="权责清单动态调整审核", period=f"{run.period}年度", department="审核机关",
        generated_at=_now(), sources=("部门意见", "年度审核发现"),
        notes=[f"运行编号 {run_id}；待审核部门意见 {len(proposals)} 条："
               + ("；".join(f"{k} {v}" for k, v in by_department.items()) or "无"),
               HOW_TO_FILL],
        metadata={"format": FORMAT, "run_id": str(run_id),
                  "proposal_ids": ",".join(str(p.id) for p in proposals)},
    )  # fmt: skip
    return build_workbook(folder / verdict_file_name(run.period, run_id), info,
                          [TableSheet(SHEET, COLUMNS, rows, key_columns=3)])  # fmt: skip


def describe_details(p: ItemDecision) -> str | None:
    """调整内容 in words: the new unit of a 下放/委托, the fields a 变更 sets."""
    details = p.details or {}
    if details.get("unit_name"):
        extra = "，".join(v for v in (details.get("district"), details.get("unit_kind")) if v)
        return f"{p.decision}至{details['unit_name']}" + (f"（{extra}）" if extra else "")
    new = details.get("new_item")
    if new:
        return "；".join(f"{k}：{v}" for k, v in (
            ("项目编码", new["code"]), ("项目名称", new["name"]), ("子项", new.get("sub_item")),
            ("权力类型", new["category"]), ("实施依据", new["basis"])) if v)  # fmt: skip
    if details.get("merge_into"):
        return f"并入：{details['merge_into']}"
    if details.get("split_into"):
        return "拆分为：" + "；".join(f"{p['code']} {p['name']}" for p in details["split_into"])
    fields = details.get("fields") or {}
    if fields:
        names = {v: k for k, v in CHANGE_FIELDS.items()}
        return "；".join(f"{names.get(k, k)}：{v}" for k, v in fields.items())
    return None


@dataclass
class VerdictOutcome:
    """What a 审核意见 import did."""

    status: str  # applied | already_imported
    file_name: str
    run_id: int | None = None
    approved: int = 0
    rejected: int = 0
    returned: int = 0
    unchanged: int = 0
    undecided: int = 0
    approved_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form for the CLI and HTTP."""
        keys = ("status", "file_name", "run_id", "approved", "rejected", "returned",
                "unchanged", "undecided")  # fmt: skip
        return {k: getattr(self, k) for k in keys}


@dataclass(frozen=True)
class VerdictRow:
    """One filled row of the 审核意见 sheet."""

    row: int
    code: str
    proposal_id: int
    verdict: str
    note: str


def import_verdicts(session: Session, path: Path, actor: str = "cli") -> VerdictOutcome:
    """Validate a returned 审核意见 workbook and apply it, all or nothing."""
    name = path.name
    digest = sha256_of(path)
    metadata, rows, undecided, problems = _read_file(path)
    run_id = int(metadata["run_id"])
    done = session.scalar(
        select(ImportRecord).where(ImportRecord.kind == IMPORT_KIND, ImportRecord.sha256 == digest)
    )
    if done is not None:
        return VerdictOutcome("already_imported", name, run_id)
    sent = {int(x) for x in metadata.get("proposal_ids", "").split(",") if x.strip()}
    proposals = {
        p.id: p
        for p in session.scalars(
            select(ItemDecision)
            .where(ItemDecision.id.in_(sent), ItemDecision.run_id == run_id)
            .with_for_update()
        )
    }
    wanted = {p.item_id for p in proposals.values() if p.item_id is not None}
    items = {i.id: i for i in session.scalars(select(PowerItem).where(PowerItem.id.in_(wanted)))}
    outcome = VerdictOutcome("applied", name, run_id, undecided=undecided)
    todo: list[tuple[VerdictRow, ItemDecision]] = []
    for row in rows:
        proposal = proposals.get(row.proposal_id)
        wrong = _check_row(session, row, proposal, items)
        if wrong is None and proposal is not None:
            if proposal.state == ProposalState.PENDING.value:
                todo.append((row, proposal))
            else:
                outcome.unchanged += 1
        problems += wrong or []
    if problems:
        raise VerdictImportError(name, problems)
    _apply_verdicts(session, todo, actor, run_id, outcome)
    session.add(ImportRecord(kind=IMPORT_KIND, file_name=name, sha256=digest, rows=len(todo),
                             actor=actor))  # fmt: skip
    session.flush()
    return outcome


def _read_file(path: Path) -> tuple[dict[str, str], list[VerdictRow], int, list[str]]:
    """Metadata and filled rows of a 审核意见 workbook (raises when it is not one)."""
    name = path.name
    try:
        metadata = read_metadata(path)
        workbook = open_workbook(path)
    except MetadataError as error:
        raise VerdictImportError(name, [f"不是本系统生成的审核意见工作簿（{error}）"]) from error
    except (UnsafeFile, OSError, ValueError, KeyError) as error:
        raise VerdictImportError(name, [f"无法作为 Excel 工作簿打开（{error}）"]) from error
    try:
        if metadata.get("format") != FORMAT or not metadata.get("run_id", "").isdigit():
            raise VerdictImportError(name, ["不是审核意见工作簿（格式标识不符）"])
        if SHEET not in workbook.sheetnames:
            raise VerdictImportError(name, [f"缺少工作表“{SHEET}”"])
        rows, undecided, problems = _read_rows(workbook[SHEET].iter_rows(values_only=True))
    finally:
        workbook.close()
    return metadata, rows, undecided, problems


def _check_row(
    session: Session,
    row: VerdictRow,
    proposal: ItemDecision | None,
    items: dict[int, PowerItem],
) -> list[str] | None:
    """Problems of one verdict row; None when it can be applied (or repeats a decided one)."""
    where = f"工作表“{SHEET}”第{row.row}行"
    if proposal is None:
        return [f"{where}“意见ID”列：{row.proposal_id} 不是本工作簿列出的部门意见"]
    code = (
        items[proposal.item_id].code
        if proposal.item_id is not None
        else (proposal.details or {})["new_item"]["code"]
    )
    if code != row.code:
        return [f"{where}“项目编码”列：{row.code} 与部门意见的事项不符，请勿修改"]
    if proposal.state != ProposalState.PENDING.value:
        if proposal.state == STATE_AFTER[row.verdict]:
            return None
        return [f"{where}“审核意见”列：该部门意见已审核为“{proposal.state}”，"
                f"不能改为“{row.verdict}”"]  # fmt: skip
    if row.verdict == Verdict.APPROVE.value:
        return [f"{where}：{p}" for p in cannot_apply(session, proposal)] or None
    return None


def _apply_verdicts(
    session: Session,
    todo: Sequence[tuple[VerdictRow, ItemDecision]],
    actor: str,
    run_id: int,
    outcome: VerdictOutcome,
) -> None:
    on = _today()
    for row, proposal in todo:
        proposal.state = STATE_AFTER[row.verdict]
        proposal.review_note = row.note or None
        proposal.reviewed_by, proposal.reviewed_on = actor, on
        if row.verdict == Verdict.APPROVE.value:
            if proposal.item_id is None:
                add_approved_item(session, proposal, on, actor)
            else:
                item = session.get_one(PowerItem, proposal.item_id)
                apply_approved(session, proposal, item, on, actor)
            outcome.approved += 1
            outcome.approved_ids.append(proposal.id)
        elif row.verdict == Verdict.REJECT.value:
            outcome.rejected += 1
        else:
            outcome.returned += 1
        session.add(AuditEvent(
            actor=actor, action="review_verdict", entity="decision", entity_id=str(proposal.id),
            before={"state": ProposalState.PENDING.value},
            after={"state": proposal.state, "note": proposal.review_note, "run_id": run_id},
        ))  # fmt: skip


def _read_rows(lines: Any) -> tuple[list[VerdictRow], int, list[str]]:
    found, problems = find_header(lines, SHEET, REQUIRED_HEADERS)
    if found is None:
        return [], 0, problems
    at = found.index(REQUIRED_HEADERS)
    rows: list[VerdictRow] = []
    undecided = 0
    for number, values in enumerate(lines, start=found.row + 1):
        cells = [_text(v) for v in values] + [""] * len(found.texts)
        verdict, note, raw_id = cells[at["审核意见"]], cells[at["审核说明"]], cells[at["意见ID"]]
        where = f"工作表“{SHEET}”第{number}行"
        if not raw_id and not verdict:
            continue
        if not verdict:
            undecided += 1
            continue
        if verdict not in VERDICTS:
            problems.append(
                f"{where}“审核意见”列：“{verdict}”不是允许的选项（{'/'.join(VERDICTS)}）"
            )
            continue
        if verdict in NEEDS_NOTE and not note:
            problems.append(f"{where}“审核说明”列：审核意见为{verdict}时必须写明理由")
        if not raw_id.isdigit():
            problems.append(f"{where}“意见ID”列：“{raw_id}”不是有效的意见ID，请勿修改该列")
            continue
        rows.append(VerdictRow(number, cells[at["项目编码"]], int(raw_id), verdict, note))
    return rows, undecided, problems


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def _now() -> datetime:
    return datetime.now(ZoneInfo(get_settings().timezone))
