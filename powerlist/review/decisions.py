"""Department proposals in (部门意见导入): validate a returned workbook, record all or nothing.

The workbook must carry the identity of a run and department (the yearly review's 审核工作簿,
or any workbook built the same way for a subset of items, e.g. 个别调整). Rows of 审核事项
propose 保留/取消/变更 for an item; rows of 下放事项 propose 保留/收回 for one delegation, or
下放/委托 of an item to a named unit. Nothing on the list changes here: each proposal is stored
as 待审核 until the reviewing office's 审核意见 (`powerlist.review.verdicts`). The same file twice
is a no-op; a later file revises pending and sent-back (退回) proposals and reports the rows that
differ from proposals already decided (conflicts).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.adjustment.job import DEPARTMENT_REPORT as ADJUSTMENT_REPORT
from powerlist.adjustment.job import JOB_NAME as ADJUSTMENT_JOB
from powerlist.artifacts import sha256_of
from powerlist.excel import MetadataError, read_metadata
from powerlist.excel.headers import find_header
from powerlist.excel.reading import UnsafeFile, open_workbook
from powerlist.models import (
    AuditEvent,
    Delegation,
    Department,
    ImportRecord,
    ItemDecision,
    LegalBasis,
    PowerItem,
    ReceivingUnit,
    Report,
    Run,
)
from powerlist.power_types import UnknownPowerType, normalize_power_type
from powerlist.review.identity import IdentityError, WorkbookIdentity, identity_from_metadata
from powerlist.review.job import DEPARTMENT_REPORT, JOB_NAME
from powerlist.review.workbooks import (
    CHANGE_FIELDS,
    DELEGATION_PROPOSALS,
    DELEGATION_SHEET,
    ITEM_PROPOSALS,
    MISSING_STATUS,
    NEEDS_DOCUMENT,
    NEEDS_REASON,
    REVIEW_SHEET,
)
from powerlist.settings import get_settings
from powerlist.vocab import Proposal, ProposalState

IMPORT_KIND = "review_decisions"
SHEET = REVIEW_SHEET
MAX_PROBLEMS = 200  # problems listed in an answer; the rest are counted
ROW_MARGIN = 2_000  # rows beyond the items sent: the list's missing catalog items, blank lines
REQUIRED_HEADERS = ("项目编码", "项目名称", "子项", "权力类型", "状态", "部门意见", "说明/理由",
                    "依据/文件", "变更内容", "事项ID")  # fmt: skip
DELEGATION_HEADERS = ("项目编码", "方式", "承接单位", "所在旗县区", "单位类型", "部门意见",
                      "说明/理由", "委托ID")  # fmt: skip
OPEN_STATES = (ProposalState.PENDING.value, ProposalState.RETURNED.value)
"""States a later upload may revise; 同意/不同意 are final for the round."""
DECISION_REPORTS = {JOB_NAME: DEPARTMENT_REPORT, ADJUSTMENT_JOB: ADJUSTMENT_REPORT}
"""Runs whose department workbooks come back with 部门意见, and their report kind: the yearly
review and the 个别调整 (powerlist.adjustment) that reuses its workbook."""


class DecisionImportError(ValueError):
    """The returned workbook was refused; `problems` names sheet, row and column of each."""

    def __init__(self, file_name: str, problems: Sequence[str]):
        self.file_name = file_name
        self.problems = listed_problems(problems)
        listed = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = f"\n  …共 {len(problems)} 处问题" if len(problems) > 50 else ""
        super().__init__(f"{file_name}：未导入任何部门意见：\n{listed}{more}")


def listed_problems(problems: Sequence[str]) -> list[str]:
    """The first MAX_PROBLEMS problems and a line counting the rest (a bounded answer)."""
    shown = list(problems[:MAX_PROBLEMS])
    if len(problems) > MAX_PROBLEMS:
        shown.append(f"…另有 {len(problems) - MAX_PROBLEMS} 处问题未列出，请先改正以上问题")
    return shown


def capped_rows(
    name: str, lines: Iterator[tuple[Any, ...]], item_count: int, sheet: str = SHEET
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
                [f"工作表“{sheet}”行数过多：本工作簿下发 {item_count} 项，最多读取 "
                 f"{filled_cap} 行；请使用下发的工作簿，勿粘贴其他数据"],
            )  # fmt: skip
        yield values


@dataclass(frozen=True)
class ReturnedRow:
    """One filled row: a proposal on an item, on one delegation, or to hand to a new unit."""

    sheet: str
    row: int
    code: str
    item_id: int | None
    decision: str
    reason: str
    document: str = ""
    delegation_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def where(self) -> str:
        """工作表“…”第N行, for messages."""
        return f"工作表“{self.sheet}”第{self.row}行"


@dataclass(frozen=True)
class Conflict:
    """A row whose proposal differs from one the reviewing office already decided."""

    row: int
    code: str
    existing: str
    returned: str


@dataclass
class ImportOutcome:
    """What an import recorded."""

    status: str  # recorded | already_imported
    file_name: str
    run_id: int | None = None
    department: str | None = None
    applied: int = 0  # proposals recorded (new or revised), all 待审核
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
            "recorded": self.applied,
            "unchanged": self.unchanged,
            "undecided": self.undecided,
            "conflicts": [c.__dict__ for c in self.conflicts],
        }


@dataclass(frozen=True)
class ReturnedWorkbook:
    """What was read from the file: identity cells and filled rows."""

    identity: dict[str, str]
    rows: list[ReturnedRow]
    undecided: int
    problems: list[str]


def read_returned_workbook(path: Path) -> ReturnedWorkbook:
    """Read the identity and the filled rows of 审核事项 and 下放事项; raise if not one of ours.

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
        items = len(_listed_ids(identity, "item_ids"))
        rows, undecided, problems = _read_item_rows(
            capped_rows(name, workbook[SHEET].iter_rows(values_only=True), items)
        )
        if DELEGATION_SHEET in workbook.sheetnames:
            delegations = len(_listed_ids(identity, "delegation_ids"))
            more, problems2 = _read_delegation_rows(
                capped_rows(
                    name,
                    workbook[DELEGATION_SHEET].iter_rows(values_only=True),
                    delegations,
                    DELEGATION_SHEET,
                )
            )
            rows += more
            problems += problems2
    finally:
        workbook.close()
    return ReturnedWorkbook(identity, rows, undecided, problems)


def _listed_ids(identity: dict[str, str], key: str) -> list[str]:
    return [x for x in identity.get(key, "").split(",") if x.strip()]


def _header(
    lines: Any, sheet: str, required: Sequence[str]
) -> tuple[dict[str, int], int, list[str]]:
    """Column of each required header and the header's row (2 below a title row, 1 in
    workbooks sent before title rows), or the problem naming what is missing."""
    found, problems = find_header(lines, sheet, required)
    if found is None:
        return {}, 0, problems
    return found.index(required), found.row, []


def _read_item_rows(lines: Any) -> tuple[list[ReturnedRow], int, list[str]]:
    at, header_row, problems = _header(lines, SHEET, REQUIRED_HEADERS)
    if problems:
        return [], 0, problems
    rows: list[ReturnedRow] = []
    undecided = 0
    for number, values in enumerate(lines, start=header_row + 1):
        cells = [_text(v) for v in values] + [""] * len(REQUIRED_HEADERS) * 3
        code, decision = cells[at["项目编码"]], cells[at["部门意见"]]
        where = f"工作表“{SHEET}”第{number}行"
        if not code and not decision:
            continue
        if cells[at["状态"]] == MISSING_STATUS and decision != Proposal.ADD:
            continue  # a catalog item the list lacks: proposed with 新增, or imported
        if not decision:
            undecided += 1
            continue
        row, wrong = _item_row(number, cells, at, where)
        problems += wrong
        if row is not None:
            rows.append(row)
    return rows, undecided, problems


def _item_row(
    number: int, cells: list[str], at: dict[str, int], where: str
) -> tuple[ReturnedRow | None, list[str]]:
    """One filled 审核事项 row and its problems (None when the row cannot be read at all)."""
    code, decision = cells[at["项目编码"]], cells[at["部门意见"]]
    reason, document = cells[at["说明/理由"]], cells[at["依据/文件"]]
    problems: list[str] = []
    details: dict[str, Any] = {}
    if decision in (Proposal.DELEGATE, Proposal.ENTRUST, Proposal.TAKE_BACK):
        problems.append(
            f"{where}“部门意见”列：{decision}请在“{DELEGATION_SHEET}”表按承接单位逐行填写"
        )
    elif decision not in ITEM_PROPOSALS:
        allowed = "/".join(ITEM_PROPOSALS)
        problems.append(f"{where}“部门意见”列：“{decision}”不是允许的选项（{allowed}）")
    if decision in NEEDS_REASON and not reason:
        problems.append(f"{where}“说明/理由”列：部门意见为{decision}时必须填写理由")
    if decision in NEEDS_DOCUMENT and not document:
        problems.append(f"{where}“依据/文件”列：部门意见为{decision}时必须填写依据或文件")
    if decision == Proposal.CHANGE:
        details, wrong = _parse_change(cells[at["变更内容"]])
        problems += [f"{where}“变更内容”列：{w}" for w in wrong]
    elif decision in (Proposal.MERGE, Proposal.SPLIT):
        details, wrong = _parse_lineage(decision, cells[at["变更内容"]])
        problems += [f"{where}“变更内容”列：{w}" for w in wrong]
    raw_id = cells[at["事项ID"]]
    if decision == Proposal.ADD:
        details, wrong = _new_item(cells, at, where)
        problems += wrong
        if raw_id:
            problems.append(f"{where}“事项ID”列：新增事项不填事项ID，请在表末新增一行")
            return None, problems
    if raw_id and not raw_id.isdigit():
        problems.append(f"{where}“事项ID”列：“{raw_id}”不是有效的事项ID，请勿修改该列")
        return None, problems
    row = ReturnedRow(SHEET, number, code, int(raw_id) if raw_id else None, decision, reason,
                      document, details=details)  # fmt: skip
    return row, problems


def _new_item(cells: list[str], at: dict[str, int], where: str) -> tuple[dict[str, Any], list[str]]:
    """A 新增 row's item: code, name, type and basis are required; the type must be configured."""
    wrong: list[str] = []
    new = {"code": cells[at["项目编码"]], "name": cells[at["项目名称"]],
           "sub_item": cells[at["子项"]] or None, "category": cells[at["权力类型"]],
           "basis": cells[at["依据/文件"]]}  # fmt: skip
    for label, key in (("项目编码", "code"), ("项目名称", "name"), ("权力类型", "category")):
        if not new[key]:
            wrong.append(f"{where}“{label}”列：新增事项必须填写{label}")
    if new["category"]:
        try:
            new["category"] = normalize_power_type(new["category"])
        except UnknownPowerType as error:
            wrong.append(f"{where}“权力类型”列：{error}")
    return {"new_item": new}, wrong


def _parse_lineage(decision: str, text: str) -> tuple[dict[str, Any], list[str]]:
    """合并: 并入：CF001 → {"merge_into": "CF001"}; 拆分: 拆分为：XK101 名称；XK102 名称 →
    {"split_into": [{"code", "name"}, …]} (at least two parts)."""
    body = (
        text.replace(":", "：").partition("：")[2].strip()
        if "：" in text.replace(":", "：")
        else ""
    )
    if decision == Proposal.MERGE:
        if not body:
            return {}, ["部门意见为合并时须写明“并入：目标项目编码”"]
        return {"merge_into": body}, []
    parts = []
    for piece in (p.strip() for p in body.replace(";", "；").split("；")):
        code, _, name = piece.partition(" ")
        if piece and (not code or not name.strip()):
            return {}, [f"“{piece}”应写作“编码 名称”"]
        if piece:
            parts.append({"code": code.strip(), "name": name.strip()})
    if len(parts) < 2:
        return {}, ["部门意见为拆分时须写明“拆分为：编码1 名称1；编码2 名称2”（至少两项）"]
    return {"split_into": parts}, []


def _parse_change(text: str) -> tuple[dict[str, Any], list[str]]:
    """名称：新名称；权力类型：行政许可 → {"fields": {"name": …, "category": …}}."""
    fields: dict[str, str] = {}
    wrong: list[str] = []
    for part in (p.strip() for p in text.replace(";", "；").split("；")):
        if not part:
            continue
        label, sep, value = part.replace(":", "：").partition("：")
        if not sep or label.strip() not in CHANGE_FIELDS or not value.strip():
            allowed = "、".join(CHANGE_FIELDS)
            wrong.append(f"“{part}”应写作“字段：新内容”，字段为 {allowed} 之一")
            continue
        fields[CHANGE_FIELDS[label.strip()]] = value.strip()
    if not fields and not wrong:
        wrong.append("部门意见为变更时必须写明变更内容，如“名称：新名称”")
    return {"fields": fields}, wrong


def _read_delegation_rows(lines: Any) -> tuple[list[ReturnedRow], list[str]]:
    at, header_row, problems = _header(lines, DELEGATION_SHEET, DELEGATION_HEADERS)
    if problems:
        return [], problems
    rows: list[ReturnedRow] = []
    for number, values in enumerate(lines, start=header_row + 1):
        cells = [_text(v) for v in values] + [""] * len(DELEGATION_HEADERS) * 3
        code, decision, reason = (
            cells[at["项目编码"]],
            cells[at["部门意见"]],
            cells[at["说明/理由"]],
        )
        where = f"工作表“{DELEGATION_SHEET}”第{number}行"
        raw_id = cells[at["委托ID"]]
        if not decision:
            continue
        if decision not in DELEGATION_PROPOSALS:
            allowed = "/".join(DELEGATION_PROPOSALS)
            problems.append(f"{where}“部门意见”列：“{decision}”不是允许的选项（{allowed}）")
            continue
        if decision in NEEDS_REASON and not reason:
            problems.append(f"{where}“说明/理由”列：部门意见为{decision}时必须填写理由")
        details: dict[str, Any] = {}
        delegation_id: int | None = None
        if raw_id:
            if not raw_id.isdigit():
                problems.append(f"{where}“委托ID”列：“{raw_id}”不是有效的委托ID，请勿修改该列")
                continue
            delegation_id = int(raw_id)
            if decision in (Proposal.DELEGATE, Proposal.ENTRUST):
                problems.append(
                    f"{where}“部门意见”列：已有的承接单位只能选择保留或收回；"
                    "下放或委托给新单位请在表末新增一行（不填委托ID）"
                )
        else:
            if decision not in (Proposal.DELEGATE, Proposal.ENTRUST):
                problems.append(
                    f"{where}“委托ID”列：为空时部门意见只能为下放或委托（新增承接单位）"
                )
            unit = cells[at["承接单位"]]
            if not unit:
                problems.append(f"{where}“承接单位”列：下放或委托须写明承接单位")
            details = {"unit_name": unit, "district": cells[at["所在旗县区"]],
                       "unit_kind": cells[at["单位类型"]]}  # fmt: skip
        rows.append(ReturnedRow(DELEGATION_SHEET, number, code, None, decision, reason,
                                delegation_id=delegation_id, details=details))  # fmt: skip
    return rows, problems


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def import_decisions(session: Session, path: Path, actor: str = "cli") -> ImportOutcome:
    """Validate a returned department workbook and record its proposals (待审核), all or nothing."""
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
    matched = _match_rows(session, path.name, returned.rows, items, identity, returned.problems)
    outcome = ImportOutcome("recorded", path.name, run.id, department.name)
    outcome.undecided = returned.undecided
    _record(session, run.id, department.id, matched, digest, actor, outcome)
    session.add(ImportRecord(kind=IMPORT_KIND, file_name=path.name, sha256=digest,
                             rows=len(matched), actor=actor))  # fmt: skip
    session.add(AuditEvent(
        actor=actor, action="import_proposals", entity="department", entity_id=department.code,
        before=None,
        after={"file": path.name, "sha256": digest, "run_id": run.id, "recorded": outcome.applied,
               "unchanged": outcome.unchanged, "conflicts": len(outcome.conflicts)},
    ))  # fmt: skip
    session.flush()
    return outcome


def _run_and_department(
    session: Session, file_name: str, metadata: dict[str, str]
) -> tuple[Run, Department]:
    """The run and department a returned workbook was written for (raises when unknown).

    Any run that wrote a workbook (Report) for the department qualifies, so a 个别调整 run's
    workbook comes back through the same path as the yearly review's.
    """
    try:
        identity = identity_from_metadata(metadata)
    except IdentityError as error:
        raise DecisionImportError(file_name, [f"审核标识无效：{error}"]) from error
    run = session.get(Run, identity.run_id)
    if (
        run is None
        or run.job not in DECISION_REPORTS
        or not run.period.startswith(str(identity.year))
    ):
        raise DecisionImportError(
            file_name, [f"找不到该工作簿对应的审核运行（编号 {identity.run_id}）"]
        )
    department = session.scalar(
        select(Department).where(Department.code == identity.department_code).with_for_update()
    )  # two uploads for one department are recorded one after the other
    sent = department is not None and session.scalar(
        select(Report.id).where(
            Report.run_id == run.id,
            Report.department_id == department.id,
            Report.kind == DECISION_REPORTS[run.job],
        )
    )
    if department is None or not sent:
        raise DecisionImportError(
            file_name,
            [f"审核运行（编号 {run.id}）没有为部门“{identity.department_code}”生成工作簿"],
        )
    return run, department


@dataclass
class _Sent:
    """What the workbook was sent with: the department's items and active delegations."""

    items: dict[int, PowerItem]
    delegations: dict[int, Delegation]
    units: dict[str, ReceivingUnit]
    bases: dict[str, int]  # legal basis title (without 《》) → id

    def by_code(self, code: str) -> list[PowerItem]:
        """Items sent with this code (more than one when codes are duplicated)."""
        return [i for i in self.items.values() if i.code == code]


def _match_rows(
    session: Session,
    file_name: str,
    rows: Sequence[ReturnedRow],
    items: dict[int, PowerItem],
    identity: WorkbookIdentity,
    earlier: Sequence[str],
) -> list[tuple[ReturnedRow, PowerItem | None]]:
    delegations = session.scalars(
        select(Delegation).where(
            Delegation.id.in_(identity.delegation_ids), Delegation.item_id.in_(list(items))
        )
    )
    bases = {
        t.strip("《》"): i for i, t in session.execute(select(LegalBasis.id, LegalBasis.title))
    }
    sent = _Sent(items, {d.id: d for d in delegations},
                 {u.name: u for u in session.scalars(select(ReceivingUnit))}, bases)  # fmt: skip
    problems: list[str] = list(earlier)
    matched: list[tuple[ReturnedRow, PowerItem | None]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for row in rows:
        if row.decision == Proposal.ADD:
            found = _match_new_item(row, sent)
        elif row.delegation_id is not None:
            found = _match_delegation_row(row, sent)
        else:
            found = _match_item_row(row, sent)
        if isinstance(found, list):
            problems += found
            continue
        item, key = found
        if key in seen:
            problems.append(f"{row.where}：与第{seen[key]}行是同一事项（{row.code}）")
            continue
        seen[key] = row.row
        matched.append((row, item))
    if problems:
        raise DecisionImportError(file_name, problems)
    return matched


def _match_new_item(row: ReturnedRow, sent: _Sent) -> tuple[None, tuple[Any, ...]] | list[str]:
    """A 新增 row: not already on the department's list; its basis is in the law registry."""
    new = row.details["new_item"]
    if any(i.name == new["name"] and i.sub_item == new["sub_item"]
           for i in sent.by_code(new["code"])):  # fmt: skip
        return [f"{row.where}“项目编码”列：{new['code']} {new['name']} 已在本部门清单中"]
    basis = new["basis"]
    title = basis[: basis.index("》") + 1] if "》" in basis else basis
    if not basis:
        return []  # already reported: 新增 needs 依据/文件
    if title.strip("《》") not in sent.bases:
        return [f"{row.where}“依据/文件”列：实施依据“{title}”不在法律依据库中，"
                "请写作《法律名称》第N条，或先导入该法律依据"]  # fmt: skip
    new["basis_id"] = sent.bases[title.strip("《》")]
    new["articles"] = basis[len(title) :].strip() or None
    return None, ("new", new["code"], new["name"], new["sub_item"])


def _match_delegation_row(
    row: ReturnedRow, sent: _Sent
) -> tuple[PowerItem, tuple[Any, ...]] | list[str]:
    """The item and key of a row deciding on one existing delegation, or its problems."""
    where = row.where
    delegation = sent.delegations.get(row.delegation_id or 0)
    if delegation is None:
        return [f"{where}“委托ID”列：{row.delegation_id} 不是本工作簿下发的委托"]
    item = sent.items[delegation.item_id]
    if item.code != row.code:
        return [f"{where}“项目编码”列：{row.code} 与下发时的编码 {item.code} 不符"]
    if row.decision == Proposal.TAKE_BACK and delegation.revoked_on is not None:
        day = delegation.revoked_on.isoformat()
        return [f"{where}“部门意见”列：该委托已于{day}收回，不能再次收回"]
    return item, (item.id, delegation.id)


def _match_item_row(row: ReturnedRow, sent: _Sent) -> tuple[PowerItem, tuple[Any, ...]] | list[str]:
    """The item and key of an item row (or a 下放/委托 to a new unit), or its problems."""
    where = row.where
    item = sent.items.get(row.item_id) if row.item_id is not None else None
    if row.item_id is not None and item is None:
        return [f"{where}“事项ID”列：{row.item_id} 不是本工作簿下发的事项"]
    if item is None:
        candidates = sent.by_code(row.code)
        if len(candidates) != 1:
            why = "不是本部门下发的事项" if not candidates else "对应多个事项，请勿删除“事项ID”列"
            return [f"{where}“项目编码”列：{row.code} {why}"]
        item = candidates[0]
    if item.code != row.code:
        return [f"{where}“项目编码”列：{row.code} 与下发时的编码 {item.code} 不符"]
    target = row.details.get("merge_into")
    if target is not None:
        into = [i for i in sent.by_code(target) if i.status != "取消" and i.id != item.id]
        if len(into) != 1:
            return [f"{where}“变更内容”列：并入的 {target} 不是本部门在列的另一事项"]
        row.details["merge_into_id"] = into[0].id
    unit_name = row.details.get("unit_name")
    if unit_name:
        problems = _check_new_unit(row, item, sent.units, sent.delegations.values())
        if problems:
            return problems
    return item, (item.id, None, unit_name)


def _check_new_unit(
    row: ReturnedRow,
    item: PowerItem,
    units: dict[str, ReceivingUnit],
    delegations: Any,
) -> list[str]:
    """A 下放/委托 to a named unit: the item must be in force; a new unit needs type and area."""
    where, name = row.where, row.details["unit_name"]
    problems: list[str] = []
    if item.status == "取消":
        problems.append(f"{where}“项目编码”列：{item.code} 已取消，不能{row.decision}")
    unit = units.get(name)
    if unit is None:
        for label, key in (("所在旗县区", "district"), ("单位类型", "unit_kind")):
            if not row.details.get(key):
                problems.append(f"{where}“{label}”列：承接单位“{name}”是新单位，须填写{label}")
    elif any(d.unit_id == unit.id and d.revoked_on is None for d in delegations):
        problems.append(f"{where}“承接单位”列：{name} 已承接该事项")
    return problems


def _record(
    session: Session,
    run_id: int,
    department_id: int,
    matched: Sequence[tuple[ReturnedRow, PowerItem | None]],
    digest: str,
    actor: str,
    outcome: ImportOutcome,
) -> None:
    existing = {
        proposal_key(known): known
        for known in session.scalars(
            select(ItemDecision).where(
                ItemDecision.run_id == run_id,
                ItemDecision.department_id == department_id,
            )
        )
    }
    for row, item in matched:
        content = {
            "decision": row.decision,
            "reason": row.reason or None,
            "basis_document": row.document or None,
            "details": row.details or None,
        }
        draft = ItemDecision(item_id=item.id if item else None, delegation_id=row.delegation_id,
                             **content)  # fmt: skip
        known = existing.get(proposal_key(draft))
        if known is not None:
            same = all(getattr(known, k) == v for k, v in content.items())
            if same and known.state != ProposalState.RETURNED:
                outcome.unchanged += 1
                continue
            if known.state not in OPEN_STATES:
                outcome.conflicts.append(Conflict(row.row, row.code, known.decision, row.decision))
                continue
            before = _proposal_state(known)
            for k, v in content.items():
                setattr(known, k, v)
            known.state, known.source_sha256 = ProposalState.PENDING.value, digest
            proposal = known
        else:
            before = None
            draft.run_id, draft.department_id, draft.source_sha256 = run_id, department_id, digest
            draft.state = ProposalState.PENDING.value
            session.add(draft)
            proposal = draft
        session.add(AuditEvent(
            actor=actor, action="propose_decision", entity="power_item",
            entity_id=str(item.id) if item else f"新增:{row.code}",
            before=before, after={**_proposal_state(proposal), "run_id": run_id},
        ))  # fmt: skip
        outcome.applied += 1


def proposal_key(p: ItemDecision) -> tuple[Any, ...]:
    """What makes two proposals of a round the same one: item and delegation, the unit a 下放/委托
    goes to, or the code and name of a 新增."""
    details = p.details or {}
    if p.decision == Proposal.ADD and "new_item" in details:
        new = details["new_item"]
        return ("new", new["code"], new["name"], new.get("sub_item"))
    if p.delegation_id is not None:
        return (p.item_id, p.delegation_id)
    return (p.item_id, None, details.get("unit_name"))


def _proposal_state(p: ItemDecision) -> dict[str, Any]:
    return {"decision": p.decision, "reason": p.reason, "basis_document": p.basis_document,
            "delegation_id": p.delegation_id, "details": p.details, "state": p.state}  # fmt: skip
