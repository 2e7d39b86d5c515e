"""What the assessment workbooks contain: per delegating department, per receiving unit, city.

Builds sheets from plain `ReportRow`s; missing data is written as words (无数据, 未报送),
never as 0. Styling is the shared report style's job (`powerlist.excel`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from powerlist.assessment.config import FAILING_GRADE, GRADES, AssessmentConfig
from powerlist.assessment.scoring import INDICATOR_NAMES, REVOKED
from powerlist.assessment.store import ReportRow
from powerlist.excel import (
    BAD,
    GOOD,
    MUTED,
    WARN,
    BarChartSpec,
    Column,
    TableSheet,
    WorkbookInfo,
    WrittenWorkbook,
    build_workbook,
)

JOB_TITLE = "下放委托事项效能评估"
MISSING = "无数据"
NOT_REPORTED = "未报送"
NO_SCORE = "无评分"
GRADE_COLORS = {
    "优秀": GOOD, "良好": GOOD, "合格": WARN, FAILING_GRADE: BAD, NO_SCORE: MUTED, REVOKED: MUTED,
}  # fmt: skip
ADVICE_COLORS = {"继续": GOOD, "整改": WARN, "收回": BAD, REVOKED: MUTED}
DISTRIBUTION_SHEET = "部门等次分布"
SOURCES = (
    "承接单位按月报送的办件统计（受理、办结、按时办结、超期、投诉、差评、退件、好差评）",
    "承接单位人员名册与行政执法证件",
    "承接事项业务培训记录（谁委托、谁培训）",
)
NOTES = (
    "得分满分100分；缺少数据的指标不计分，得分按可评分指标折算，可评分权重不足时不评分。",
    "按时办结率＝按时办结件数÷办结件数（来源：办件统计“按时办结数”“办结数”；尚在办理时限内的"
    "件不计为逾期）；投诉率＝投诉件数÷受理件数（“投诉数”“受理数”）；退回纠错率＝退件数÷受理件数"
    "（“退件数”“受理数”）；所有比率均不超过100%，办件统计导入时拒收不可能的行。",
    "好差评（国办发〔2019〕51号，报送时计算，不计分）：好评率＝好评数÷评价数，差评率＝差评数÷评价数，"
    "差评整改率＝差评整改数÷差评数。",
    "持证执法人员：承接单位在岗、持有行政执法证件的执法人员数（来源：人员名册“执法证号”；"
    "执法证件审验在有效期内且最近一次学法考法考试合格者方计入）；"
    "业务培训：每人在评估期末前12个月内承接事项业务培训学时÷目标学时（每人封顶100%）的平均值；"
    "委托协议/下放文件：委托事项须有委托协议（委托书），下放事项须有下放文件。",
    "评估期中途开始或收回的事项按实际月份折算；未报送的月份列为缺报，不按零办件计。",
    "有须整改或收回的问题（如缺少委托协议、持证人员不足、零办件）时，等次最高为合格，理由中注明；"
    "评估期内已收回的事项列为“已收回”，不评定等次；评估期开始前已收回的事项不再评估。",
    "上期得分按同一配置由上一期数据计算。",
)


def notes_for(config: AssessmentConfig) -> tuple[str, ...]:
    """The 说明 lines: how scores are computed, with the weights and grades actually used."""
    weights = "、".join(f"{INDICATOR_NAMES[k]}{w:g}分" for k, w in config.weights.items())
    grades = "、".join(f"{grade}≥{low:g}" for grade, low in config.grades)
    return (*NOTES, f"权重：{weights}。", f"等次：{grades}，其余为{FAILING_GRADE}。")


def _count(key: str) -> Callable[[ReportRow], Any]:
    def value(row: ReportRow) -> Any:
        if not row.get("months_reported"):
            return NOT_REPORTED if row.get("months_expected") else MISSING
        return row.get(key)

    return value


def _ratio(key: str) -> Callable[[ReportRow], Any]:
    def value(row: ReportRow) -> Any:
        found = row.get(key)
        return MISSING if found is None else found

    return value


def _score_or(key: str) -> Callable[[ReportRow], Any]:
    def value(row: ReportRow) -> Any:
        found = getattr(row, key) if hasattr(row, key) else row.get(key)
        return NO_SCORE if found is None else found

    return value


def _zero_case(row: ReportRow) -> str:
    return "是" if row.get("zero_case") else "否"


Spec = tuple[tuple[Column, Callable[[ReportRow], Any]], ...]

# The delegation workbooks print on A4 landscape: the 评估结果 sheet a reader needs (item,
# unit, score, grade, recommendation, reasons) fits one page across at >= 8 pt; the figures
# behind it go to 指标明细 (case handling and 好差评) and 承接条件 (terms, agreement, staff,
# training), each one page across at >= 6 pt, long lists running down the pages. Numeric
# columns are narrow and their headers wrap (every header cell wraps); text columns are as
# wide as the page allows, so rows take few lines. A sheet's scale follows its widths
# (powerlist.excel.heights.print_scale): 228 width units print at 60 %, 188 at 73 % (8 pt).
RESULT_COLUMNS: Spec = (
    (Column("得分", 7, kind="float"), _score_or("score")),
    (Column("等次", 7, colors=GRADE_COLORS), _score_or("grade")),
    (Column("上期得分", 7, kind="float"), _score_or("previous_score")),
    (Column("上期等次", 7, colors=GRADE_COLORS), _score_or("previous_grade")),
    (Column("变化", 6, kind="float"), lambda r: r.get("change")),
    (Column("建议", 7, colors=ADVICE_COLORS), lambda r: r.recommendation),
    (Column("理由", 52, wrap=True), lambda r: r.reasons),
)
CASE_COLUMNS: Spec = (
    (Column("应报月数", 8, kind="int"), lambda r: r.get("months_expected")),
    (Column("已报月数", 8, kind="int"), lambda r: r.get("months_reported")),
    (Column("缺报月份", 20, wrap=True), lambda r: "、".join(r.get("missing_months") or [])),
    (Column("受理件数", 8, kind="int"), _count("received")),
    (Column("办结件数", 8, kind="int"), _count("completed")),
    (Column("按时办结件数", 8, kind="int"), _count("on_time")),
    (Column("逾期件数", 8, kind="int"), _count("overdue")),
    (Column("按时办结率", 8, kind="percent"), _ratio("on_time_rate")),
    (Column("投诉件数", 8, kind="int"), _count("complaints")),
    (Column("差评件数", 8, kind="int"), _count("poor_ratings")),
    (Column("投诉率", 8, kind="percent"), _ratio("complaint_rate")),
    (Column("退回纠错件数", 8, kind="int"), _count("returned")),
    (Column("退回纠错率", 8, kind="percent"), _ratio("returned_rate")),
    (Column("好评率", 8, kind="percent"), _ratio("good_rating_rate")),
    (Column("差评率", 8, kind="percent"), _ratio("poor_rating_rate")),
    (Column("差评整改率", 8, kind="percent"), _ratio("poor_fixed_rate")),
    (Column("零办件", 8, colors={"是": BAD}), _zero_case),
)
CAPACITY_COLUMNS: Spec = (
    (Column("持证执法人员", 8, kind="int"), lambda r: r.get("credentialed_staff")),
    (Column("应有持证人数", 8, kind="int"), lambda r: r.get("credentialed_required")),
    (Column("人均培训学时", 8, kind="float"), _ratio("training_hours_avg")),
    (Column("培训目标学时", 8, kind="float"), lambda r: r.get("training_target_hours")),
    (Column("培训达标率", 8, kind="percent"), _ratio("training_share")),
)
INDICATOR_COLUMNS: Spec = (*CASE_COLUMNS, *CAPACITY_COLUMNS, *RESULT_COLUMNS)
"""Every figure of a delegation's assessment (the columns of the old one-sheet workbook)."""

CODE_COLUMN: Spec = ((Column("事项编码", 14), lambda r: r.item_code),)
MODE_COLUMN: Spec = ((Column("方式", 6), lambda r: r.mode),)
CATEGORY_COLUMN: Spec = ((Column("权力类型", 10, wrap=True), lambda r: r.category),)
ITEM_COLUMNS: Spec = (
    *CODE_COLUMN,
    (Column("事项名称", 30, wrap=True), lambda r: r.item_name),
    *CATEGORY_COLUMN,
    *MODE_COLUMN,
)
DELEGATING_DEPARTMENT = {"下放": "下放部门", "委托": "委托部门"}
"""What the delegating department is called by mode (下放 vs 委托, as the published documents)."""
MIXED_DEPARTMENT = "下放/委托部门"  # a column over rows of both modes


def delegating_department(modes: set[str]) -> str:
    """The column header for the delegating department of rows with these modes."""
    return DELEGATING_DEPARTMENT[next(iter(modes))] if len(modes) == 1 else MIXED_DEPARTMENT


# the city summary's lists (零办件, 收回, 整改): one page across at 68 %
DEPARTMENT_COLUMN = ((Column(MIXED_DEPARTMENT, 20, wrap=True), lambda r: r.department_name),)
UNIT_COLUMNS = (
    (Column("承接单位", 22, wrap=True), lambda r: r.unit_name),
    (Column("旗县区", 10, wrap=True), lambda r: r.district),
)
TERM_COLUMNS: Spec = (
    (Column("起始日期", 11, kind="date"), lambda r: r.since),
    (Column("收回日期", 11, kind="date"), lambda r: r.revoked_on),
    (Column("协议/文件", 32, wrap=True), lambda r: r.agreement or "无"),
)
RESULT_SHEET = "评估结果"
DETAIL_SHEET = "指标明细"
CAPACITY_SHEET = "承接条件"


def _table(
    title: str, spec: Sequence[tuple[Column, Callable[[ReportRow], Any]]], rows: list[ReportRow]
) -> TableSheet:
    return TableSheet(
        title=title,
        columns=[column for column, _ in spec],
        rows=[[value(row) for _, value in spec] for row in rows],
    )


def _delegation_sheets(counterpart: Spec, short: Spec, rows: list[ReportRow]) -> list[TableSheet]:
    """评估结果, 指标明细 and 承接条件 of a delegation workbook, a row per delegation in each;
    `counterpart` names the other side of the delegation (unit or delegating department) in
    full on 评估结果 and `short` names it on the detail sheets."""
    name = ((Column("事项名称", 34, wrap=True), lambda r: r.item_name),)
    short_name = ((Column("事项名称", 30, wrap=True), lambda r: r.item_name),)
    return [
        _table(RESULT_SHEET, (*CODE_COLUMN, *name, *MODE_COLUMN, *counterpart, *RESULT_COLUMNS),
               rows),
        _table(DETAIL_SHEET, (*CODE_COLUMN, *short_name, *short, *CASE_COLUMNS), rows),
        _table(CAPACITY_SHEET, (*CODE_COLUMN, *name, *CATEGORY_COLUMN, *MODE_COLUMN, *short,
                                *TERM_COLUMNS, *CAPACITY_COLUMNS), rows),
    ]  # fmt: skip


def department_workbook(
    target: Path, period: str, department: str, rows: list[ReportRow], config: AssessmentConfig
) -> WrittenWorkbook:
    """The delegating department's workbook: 评估结果 (score, grade, trend, recommendation per
    delegated item and unit), 指标明细 and 承接条件 (the indicators behind the score)."""
    unit = (
        (Column("承接单位", 22, wrap=True), lambda r: r.unit_name),
        (Column("旗县区", 10, wrap=True), lambda r: r.district),
    )
    short = ((Column("承接单位", 20, wrap=True), lambda r: r.unit_name),)
    info = WorkbookInfo(JOB_TITLE, period, department, sources=SOURCES, notes=notes_for(config))
    return build_workbook(target, info, _delegation_sheets(unit, short, rows))


def unit_workbook(
    target: Path, period: str, unit: str, rows: list[ReportRow], config: AssessmentConfig
) -> WrittenWorkbook:
    """The receiving unit's workbook: everything it received, from every department, on the
    same three sheets as a department's."""
    department = ((Column(MIXED_DEPARTMENT, 24, wrap=True), lambda r: r.department_name),)
    short = ((Column(MIXED_DEPARTMENT, 20, wrap=True), lambda r: r.department_name),)
    info = WorkbookInfo(JOB_TITLE, period, unit, sources=SOURCES, notes=notes_for(config))
    return build_workbook(target, info, _delegation_sheets(department, short, rows))


LIST_COLUMNS = (
    *DEPARTMENT_COLUMN,
    *ITEM_COLUMNS,
    *UNIT_COLUMNS,
    (Column("已报月数", 8, kind="int"), lambda r: r.get("months_reported")),
    (Column("受理件数", 8, kind="int"), _count("received")),
    *RESULT_COLUMNS[:2],
    *RESULT_COLUMNS[5:],
)
BUCKETS = (*GRADES, FAILING_GRADE, NO_SCORE, REVOKED)
# the indicators the city summary reads (its lists and distributions); the rest stay unloaded
CITY_INDICATORS = ("zero_case", "months_reported", "months_expected", "received")


def _distribution(
    title: str, rows: list[ReportRow], key: Callable[[ReportRow], tuple[str, ...]], heads: list[str]
) -> TableSheet:
    groups: dict[tuple[str, ...], list[ReportRow]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    table = []
    for name, members in sorted(groups.items()):
        grades = Counter(row.grade or NO_SCORE for row in members)
        scores = [row.score for row in members if row.score is not None]
        advice = Counter(row.recommendation for row in members)
        table.append(
            [
                *name,
                *(grades[bucket] for bucket in BUCKETS),
                len(members),
                round(sum(scores) / len(scores), 1) if scores else NO_SCORE,
                sum(1 for row in members if row.get("zero_case")),
                advice["整改"],
                advice["收回"],
            ]
        )
    counts = ("合计", "零办件", "整改", "收回")
    columns = [
        *(Column(head, width=30 if i == 0 else None, wrap=i == 0) for i, head in enumerate(heads)),
        *(Column(bucket, kind="int") for bucket in BUCKETS),
        Column(counts[0], kind="int"),
        Column("平均分", kind="float"),
        *(Column(head, kind="int") for head in counts[1:]),
    ]
    return TableSheet(title=title, columns=columns, rows=table)


def city_workbook(
    target: Path, period: str, rows: list[ReportRow], config: AssessmentConfig
) -> WrittenWorkbook:
    """The city summary: grade distribution by department and unit, 零办件, 收回 candidates."""
    by_department = _distribution(
        DISTRIBUTION_SHEET,
        rows,
        lambda r: (r.department_name,),
        [delegating_department({r.mode for r in rows})],
    )
    by_department.chart = BarChartSpec(
        "各部门评估等次分布", 2, 1 + len(BUCKETS), stacked=True, width=24.0, height_per_row=0.5
    )
    sheets = [
        by_department,
        _distribution(
            "承接单位等次分布", rows, lambda r: (r.unit_name, r.district), ["承接单位", "旗县区"]
        ),
        _table("零办件清单", LIST_COLUMNS, [r for r in rows if r.get("zero_case")]),
        _table("收回建议", LIST_COLUMNS, [r for r in rows if r.recommendation == "收回"]),
        _table("整改建议", LIST_COLUMNS, [r for r in rows if r.recommendation == "整改"]),
    ]
    info = WorkbookInfo(JOB_TITLE, period, "全市", sources=SOURCES, notes=notes_for(config))
    return build_workbook(target, info, sheets)
