"""The review's workbooks: one per department (审核工作簿) and the city summary (全市汇总).

Built with the shared report style (`powerlist.excel`); the summary's bar chart is added to
the written file afterwards, since the style module streams sheets and draws no charts.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from powerlist.artifacts import Artifact
from powerlist.excel import (
    BAD,
    INFO,
    WARN,
    BarChartSpec,
    Column,
    TableSheet,
    WorkbookInfo,
    build_workbook,
)
from powerlist.review.config import RULE_KEYS, SEVERITIES, ReviewConfig
from powerlist.review.facts import DelegationFacts, DepartmentFacts, FindingDraft, ItemFacts
from powerlist.review.identity import WorkbookIdentity
from powerlist.review.rules import reviewed_items

JOB_TITLE = "年度权责清单审核"
REVIEW_SHEET = "审核事项"
SUMMARY_SHEET = "部门汇总"
ITEM_PROPOSALS = ("保留", "取消", "变更", "新增", "合并", "拆分")
"""部门意见 on the 审核事项 sheet; 下放/委托/收回 are per receiving unit on the 下放事项 sheet."""
DELEGATION_PROPOSALS = ("保留", "收回", "下放", "委托")
NEEDS_REASON = ("取消", "收回", "下放", "委托", "变更", "新增", "合并", "拆分")
NEEDS_DOCUMENT = ("取消", "变更", "新增", "合并", "拆分")
CHANGE_FIELDS = {"名称": "name", "子项": "sub_item", "权力类型": "category",
                 "实施主体": "department", "承办机构": "unit"}  # fmt: skip
"""Fields a 变更 may name in 变更内容, as 名称：新名称；权力类型：行政许可."""
DELEGATION_SHEET = "下放事项"
MISSING_STATUS = "清单缺失"
NO_ASSESSMENT_NOTE = "规则“下放/委托事项评估较差”无数据：尚无年度效能评估结果，本次未检查该项"
HOW_TO_FILL = (
    "填写方法：在“审核事项”表的“部门意见”列逐项选择 保留/取消/变更/新增/合并/拆分；"
    "除保留外须在“说明/理由”列写明理由、在“依据/文件”列写明依据或文件；新增事项在表末新增一行，填写项目编码、项目名称、"
    "权力类型、部门意见“新增”、理由和实施依据（如《中华人民共和国环境保护法》第十条，须已在法律"
    "依据库中）；合并在“变更内容”列写“并入：目标项目编码”，"
    "拆分写“拆分为：编码1 名称1；编码2 名称2”；变更须在“变更内容”列写明“名称：…；权力类型：…”"
    "（可变更名称、子项、权力类型、实施主体、承办机构）。下放、委托和收回在“下放事项”表按承接单位"
    "逐行填写：已有承接单位选择 保留/收回；下放或委托给新的单位时在表末新增一行，填写项目编码、"
    "承接单位、所在旗县区、单位类型和部门意见。部门意见是建议，经审核机关审核同意后才调整清单；"
    "“上次审核结果”列为退回修改的，请按审核说明修改后重新提交。请勿修改项目编码、事项ID和委托ID。"
    "导入时整表校验，全部通过才记录；同一文件重复导入不会重复记录。"
)
SOURCES = ("权责清单事项库", "法律依据库", "上级目录（全国一张清单）", "下放委托台账及效能评估")
SEVERITY_COLORS = {"高": BAD, "中": WARN, "低": INFO}

# The review and delegation sheets print one page across on A4 landscape (<= 228 width units
# at 60 %, 6.6 pt): a row then never shares its height with a second page across, whose
# columns would print blank beside another page's tall 审核发现 (58 pages became 31 for
# 市生态环境局 in the demo).
REVIEW_COLUMNS = (
    Column("序号", 5, kind="int"),
    Column("项目编码", 15),
    Column("项目名称", 22, wrap=True),
    Column("子项", 10, wrap=True),
    Column("权力类型", 10),
    Column("状态", 6),
    Column("实施依据", 26, wrap=True),
    Column("最高严重程度", 6, colors=SEVERITY_COLORS),
    Column("问题数", 6, kind="int"),
    Column("审核发现", 42, wrap=True),
    Column("建议处理", 8),
    Column("部门意见", 8, choices=ITEM_PROPOSALS),
    Column("说明/理由", 16, wrap=True),
    Column("依据/文件", 14, wrap=True),
    Column("变更内容", 14, wrap=True),
    Column("上次审核结果", 10, wrap=True),
    Column("事项ID", 6, kind="int", printed=False),
)
REVIEW_HEADERS = tuple(c.header for c in REVIEW_COLUMNS)


@dataclass(frozen=True)
class WrittenReport:
    """A workbook on disk and the rows of its main sheet (what a Report row records)."""

    artifact: Artifact
    rows: int


def department_label(name: str, short_name: str | None, level: str) -> str:
    """How people name a department in a file name: 市生态环境局 for a city bureau."""
    if level == "市" and short_name:
        return short_name if short_name.startswith("市") else f"市{short_name}"
    return name


def safe_file_name(text: str) -> str:
    """A file name without characters that file systems or browsers reject."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("._") or "未命名"


def department_file_name(year: int, label: str) -> str:
    """E.g. 2026年度权责清单审核-市生态环境局.xlsx."""
    return safe_file_name(f"{year}年度权责清单审核-{label}") + ".xlsx"


def summary_file_name(year: int, region: str | None = None) -> str:
    """E.g. 2026年度权责清单审核-全市汇总.xlsx, or …-固阳县汇总.xlsx for a region's run."""
    return f"{year}年度权责清单审核-{region + '汇总' if region else '全市汇总'}.xlsx"


def _bases_text(item: ItemFacts) -> str:
    return "\n".join(f"{b.title}{b.articles or ''}" for b in item.bases)


def _worst(drafts: Sequence[FindingDraft]) -> str | None:
    present = {d.severity for d in drafts}
    return next((s for s in SEVERITIES if s in present), None)


Returned = Mapping[tuple[int, int | None], str]
"""The last review of each (item id, delegation id) proposal that was sent back, as text."""


def review_rows(
    facts: DepartmentFacts,
    drafts: Sequence[FindingDraft],
    config: ReviewConfig,
    returned: Returned | None = None,
) -> list[tuple[object, ...]]:
    """审核事项 rows: one per item still on the list (worst first), then missing catalog items."""
    by_item: dict[int, list[FindingDraft]] = defaultdict(list)
    for draft in drafts:
        if draft.item_id is not None:
            by_item[draft.item_id].append(draft)
    rank = {s: n for n, s in enumerate(SEVERITIES)}
    items = sorted(
        reviewed_items(facts),
        key=lambda i: (rank.get(_worst(by_item[i.id]) or "", 9), i.code, i.id),
    )
    rows: list[tuple[object, ...]] = []
    for item in items:
        found = by_item[item.id]
        rows.append((
            len(rows) + 1, item.code, item.name, item.sub_item, item.category, item.status,
            _bases_text(item), _worst(found), len(found),
            "\n".join(f"【{config.rules[d.rule].label}】{d.message}" for d in found) or None,
            "、".join(dict.fromkeys(d.action for d in found)) or None,
            None, None, None, None, (returned or {}).get((item.id, None)), item.id,
        ))  # fmt: skip
    for draft in drafts:
        if draft.item_id is None:
            rows.append((
                len(rows) + 1, draft.code, None, None, None, MISSING_STATUS, None,
                draft.severity, 1, f"【{config.rules[draft.rule].label}】{draft.message}",
                draft.action, None, None, None, None, None, None,
            ))  # fmt: skip
    return rows


def basis_change_rows(facts: DepartmentFacts, year: int) -> Iterator[tuple[object, ...]]:
    """依据变动 rows: every cited law that changed in the year, with the item citing it."""
    for item in facts.items:
        for basis in item.bases:
            for change, day in (
                ("废止", basis.repealed_on),
                ("修改", basis.amended_on),
                ("施行", basis.effective_on),
            ):
                if day is not None and day.year == year:
                    yield (basis.title, basis.level, basis.status, change, day, item.code,
                           item.name, item.sub_item, basis.articles)  # fmt: skip


def delegation_rows(
    facts: DepartmentFacts, returned: Returned | None = None
) -> Iterator[tuple[object, ...]]:
    """下放事项 rows: one per active delegation (item, receiving unit), with its assessment."""
    items = {item.id: item for item in facts.items}
    latest = {a.delegation_id: a for a in facts.assessments}
    for delegation in active_delegations(facts):
        item = items[delegation.item_id]
        assessment = latest.get(delegation.id)
        yield (
            item.code, item.name, item.sub_item, delegation.mode, delegation.unit_name,
            delegation.district, None, delegation.since, delegation.agreement,
            assessment.period if assessment else None,
            assessment.score if assessment else None,
            assessment.grade if assessment else None,
            assessment.recommendation if assessment else None,
            None, None, (returned or {}).get((item.id, delegation.id)), delegation.id,
        )  # fmt: skip


def active_delegations(facts: DepartmentFacts) -> list[DelegationFacts]:
    """The department's delegations not yet revoked (收回): the ones a workbook may decide on."""
    return [d for d in facts.delegations if d.revoked_on is None]


CHANGE_COLUMNS = (
    Column("法律法规", 36, wrap=True), Column("效力层级", 12), Column("时效性", 10),
    Column("变动", 8), Column("变动日期", 12, kind="date"), Column("项目编码", 18),
    Column("项目名称", 36, wrap=True), Column("子项", 20), Column("引用条款", 16),
)  # fmt: skip
DELEGATION_COLUMNS = (
    Column("项目编码", 15), Column("项目名称", 30, wrap=True), Column("子项", 12, wrap=True),
    Column("方式", 6), Column("承接单位", 22, wrap=True), Column("所在旗县区", 10, wrap=True),
    Column("单位类型", 10, wrap=True), Column("起始日期", 11, kind="date"),
    Column("依据文件", 18, wrap=True), Column("最近年度评估", 8), Column("得分", 7, kind="float"),
    Column("等级", 7, colors={"不合格": BAD, "较差": BAD}), Column("建议", 7, colors={"收回": BAD}),
    Column("部门意见", 8, choices=DELEGATION_PROPOSALS), Column("说明/理由", 24, wrap=True),
    Column("上次审核结果", 14, wrap=True), Column("委托ID", 6, kind="int", printed=False),
)  # fmt: skip


def write_department_workbook(
    target: Path,
    facts: DepartmentFacts,
    drafts: Sequence[FindingDraft],
    config: ReviewConfig,
    *,
    run_id: int,
    year: int,
    as_of: date,
    generated_at: datetime,
    returned: Returned | None = None,
    job_title: str = JOB_TITLE,
    period_label: str | None = None,
    changes_sheet: TableSheet | None = None,
    extra_notes: Sequence[str] = (),
) -> WrittenReport:
    """Write one department's review workbook atomically (部门意见 columns left to fill).

    The 个别调整 job (powerlist.adjustment) writes the same workbook for the items a law change
    touches: its own title and period, its 法规变动 sheet instead of 依据变动, and notes.
    """
    rows = review_rows(facts, drafts, config, returned)
    changes = sorted(basis_change_rows(facts, year), key=lambda r: (str(r[4]), str(r[0])))
    if changes_sheet is None:
        changes_sheet = TableSheet("依据变动", CHANGE_COLUMNS, changes)
    by_rule = Counter(config.rules[d.rule].label for d in drafts)
    item_ids = tuple(item.id for item in reviewed_items(facts))
    delegation_ids = tuple(d.id for d in active_delegations(facts))
    identity = WorkbookIdentity(run_id, year, facts.code, item_ids, delegation_ids)
    notes = [
        f"运行编号 {run_id}；审核基准日 {as_of.isoformat()}",
        *extra_notes,
        f"审核事项 {len(reviewed_items(facts))} 项，发现问题 {len(drafts)} 个："
        + ("；".join(f"{k} {v}" for k, v in by_rule.most_common()) or "无"),
        HOW_TO_FILL,
        *([] if facts.assessments_available else [NO_ASSESSMENT_NOTE]),
    ]
    info = WorkbookInfo(
        job=job_title, period=period_label or f"{year}年度", department=facts.name,
        generated_at=generated_at, sources=SOURCES, notes=notes, metadata=identity.to_metadata(),
    )  # fmt: skip
    written = build_workbook(target, info, [
        TableSheet(REVIEW_SHEET, REVIEW_COLUMNS, rows, key_columns=2),
        changes_sheet,
        TableSheet(DELEGATION_SHEET, DELEGATION_COLUMNS, list(delegation_rows(facts, returned)),
                   key_columns=1),
    ])  # fmt: skip
    return WrittenReport(written.artifact, written.rows[REVIEW_SHEET])


@dataclass(frozen=True)
class DepartmentTally:
    """One department's line in the city summary."""

    code: str
    name: str
    items: int
    items_with_findings: int
    by_rule: dict[str, int]
    by_severity: dict[str, int]
    returned: bool
    file_name: str | None


def write_summary_workbook(
    target: Path,
    tallies: Sequence[DepartmentTally],
    config: ReviewConfig,
    *,
    run_id: int,
    year: int,
    as_of: date,
    generated_at: datetime,
    notes: Sequence[str] = (),
) -> WrittenReport:
    """Write the city summary: counts per department by rule and severity, a chart, who is late."""
    columns = [Column("部门", 28), Column("部门编码", 12), Column("审核事项数", 10, kind="int"),
               Column("问题事项数", 10, kind="int")]  # fmt: skip
    columns += [Column(s, 6, kind="int") for s in SEVERITIES]
    columns += [Column(config.rules[k].label, 12, wrap=True, kind="int") for k in RULE_KEYS]
    columns.append(Column("合计", 8, kind="int"))
    rows = [
        (t.name, t.code, t.items, t.items_with_findings,
         *(t.by_severity.get(s, 0) for s in SEVERITIES),
         *(t.by_rule.get(k, 0) for k in RULE_KEYS), sum(t.by_rule.values()))
        for t in tallies
    ]  # fmt: skip
    totals = ("全市合计", None, *(sum(r[i] for r in rows) for i in range(2, len(columns))))
    late = [t for t in tallies if not t.returned]
    info = WorkbookInfo(
        job=JOB_TITLE, period=f"{year}年度", department="全市", generated_at=generated_at,
        sources=SOURCES,
        notes=[f"运行编号 {run_id}；审核基准日 {as_of.isoformat()}",
               f"部门 {len(tallies)} 个，发现问题 {totals[-1] if rows else 0} 个，"
               f"未返回部门意见的部门 {len(late)} 个", *notes],
    )  # fmt: skip
    written = build_workbook(target, info, [
        TableSheet(SUMMARY_SHEET, columns, [*rows, totals] if rows else [], chart=BarChartSpec(
            "各部门审核发现问题数", len(columns), len(columns), rows=len(rows)), title_row=True),
        TableSheet("未返回部门", [
            Column("部门", 28), Column("部门编码", 12), Column("问题数", 8, kind="int"),
            Column("工作簿", 50),
        ], [(t.name, t.code, sum(t.by_rule.values()), t.file_name) for t in late], title_row=True),
    ])  # fmt: skip
    return WrittenReport(written.artifact, written.rows[SUMMARY_SHEET])
