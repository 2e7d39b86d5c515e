"""Decisions in two stages: a department's 部门意见 is recorded; the office's 审核意见 applies."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from powerlist import db
from powerlist.excel import METADATA_SHEET
from powerlist.excel.metadata import metadata_checksum
from powerlist.models import AuditEvent, ImportRecord, ItemDecision, PowerItem
from powerlist.review.decisions import DecisionImportError, import_decisions
from powerlist.review.verdicts import (
    VerdictImportError,
    import_verdicts,
    write_verdict_workbook,
)
from tests.fixtures_review import at_as_of, build_world, run_job
from tests.sheet_table import HEADER_ROW, header_of, table_rows

WORKBOOK = "2026年度权责清单审核-市生态环境局.xlsx"
Filled = dict[str, tuple[str, ...]]


def fill(
    source: Path,
    target: Path,
    decisions: Filled,
    delegations: dict[str, tuple[str, str]] | None = None,
    new_units: list[dict[str, str]] | None = None,
    new_items: list[dict[str, str]] | None = None,
) -> Path:
    """Fill 部门意见 as a person would: items by code (意见, 理由[, 依据/文件[, 变更内容]]),
    delegations by receiving unit (意见, 理由), and new rows for 下放/委托 to a unit."""
    workbook = load_workbook(source)
    sheet = workbook["审核事项"]
    header = header_of(sheet)
    columns = [header.index(h) + 1 for h in ("部门意见", "说明/理由", "依据/文件", "变更内容")]
    code_col = header.index("项目编码") + 1
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        values = decisions.get(sheet.cell(row, code_col).value)
        for column, value in zip(columns, values or (), strict=False):
            sheet.cell(row, column, value)
    for extra in new_items or []:
        sheet.append([extra.get(h) for h in header])
    sheet = workbook["下放事项"]
    header = header_of(sheet)
    at = {h: header.index(h) + 1 for h in header}
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        values = (delegations or {}).get(sheet.cell(row, at["承接单位"]).value)
        if values:
            sheet.cell(row, at["部门意见"], values[0])
            sheet.cell(row, at["说明/理由"], values[1])
    for extra in new_units or []:
        sheet.append([extra.get(h) for h in header])
    workbook.save(target)
    return target


def decide(source: Path, target: Path, verdicts: dict[str, tuple[str, str]]) -> Path:
    """Fill the office's 审核意见 workbook by 项目编码 (or 项目编码/承接单位)."""
    workbook = load_workbook(source)
    sheet = workbook["审核意见"]
    header = header_of(sheet)
    at = {h: header.index(h) + 1 for h in header}
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        code, unit = sheet.cell(row, at["项目编码"]).value, sheet.cell(row, at["承接单位"]).value
        values = verdicts.get(f"{code}/{unit}") or verdicts.get(code)
        if values:
            sheet.cell(row, at["审核意见"], values[0])
            sheet.cell(row, at["审核说明"], values[1])
    workbook.save(target)
    return target


def items_state(engine: Engine) -> dict[int, tuple[Any, ...]]:
    with db.session_scope(engine) as s:
        return {
            i.id: (i.status, i.version, i.last_reviewed_on, i.name)
            for i in s.scalars(select(PowerItem).order_by(PowerItem.id))
        }


def proposals(engine: Engine) -> dict[tuple[int, int | None], tuple[str, str]]:
    with db.session_scope(engine) as s:
        return {
            (d.item_id, d.delegation_id): (d.decision, d.state)
            for d in s.scalars(select(ItemDecision))
        }


@pytest.fixture
def reviewed(engine: Engine, tmp_path: Path) -> tuple[dict[str, int], Path]:
    ids = build_world(engine)
    with at_as_of():
        run_job(engine, "2026", "all", tmp_path / "out")
    return ids, tmp_path / "out" / WORKBOOK


def office_workbook(engine: Engine, run_id: int, folder: Path) -> Path:
    with at_as_of(), db.session_scope(engine) as s:
        return write_verdict_workbook(s, run_id, folder).path


def test_the_department_workbook_asks_for_department_opinions(
    reviewed: tuple[dict[str, int], Path],
) -> None:
    ids, workbook = reviewed
    book = load_workbook(workbook)
    header = header_of(book["审核事项"])
    assert "部门意见" in header and "审核意见" not in header
    assert {"说明/理由", "依据/文件", "变更内容", "上次审核结果"} <= set(header)
    delegations = table_rows(book["下放事项"])
    assert {"部门意见", "委托ID", "单位类型"} <= set(delegations[0])
    assert [r[delegations[0].index("委托ID")] for r in delegations[1:]] == [ids["delegation"]]


def test_upload_records_proposals_and_changes_nothing(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    ids, workbook = reviewed
    before = items_state(engine)
    filled = fill(workbook, tmp_path / "filled.xlsx", {
        "CF002": ("变更", "依据已废止", "城乡规划法", "名称：对违反规划建设的处罚"),
        "CF004": ("取消", "无法律依据", "包府办发〔2026〕8号"), "CF006": ("保留",),
    }, {"青山区生态环境分局": ("收回", "承接单位评估不合格")})  # fmt: skip
    with at_as_of(), db.session_scope(engine) as s:
        outcome = import_decisions(s, filled, actor="liaison-sthjj")
    assert (outcome.status, outcome.applied, outcome.conflicts) == ("recorded", 4, [])
    assert items_state(engine) == before
    assert proposals(engine) == {
        (ids["B"], None): ("变更", "待审核"), (ids["E"], None): ("取消", "待审核"),
        (ids["H"], None): ("保留", "待审核"), (ids["I"], ids["delegation"]): ("收回", "待审核"),
    }  # fmt: skip
    with db.session_scope(engine) as s:
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "review_decision")).all()
    assert audit == []


def as_sent_before_title_rows(source: Path, target: Path, sheets: tuple[str, ...]) -> Path:
    """The workbook as downloaded before title rows existed: the header in row 1."""
    workbook = load_workbook(source)
    for title in sheets:
        sheet = workbook[title]
        for merged in list(sheet.merged_cells.ranges):
            if merged.min_row == 1:
                sheet.unmerge_cells(str(merged))
        sheet.delete_rows(1)
    workbook.save(target)
    return target


def test_workbooks_sent_before_title_rows_upload_the_same(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    """Departments may return the workbook they downloaded before the title row was added:
    the header is found in row 1 as well as in row 2, and problems name the real rows."""
    ids, workbook = reviewed
    old = as_sent_before_title_rows(workbook, tmp_path / "old.xlsx", ("审核事项", "下放事项"))
    assert header_of(load_workbook(workbook)["审核事项"])[0] is not None
    assert "项目编码" in [c.value for c in load_workbook(old)["审核事项"][1]]
    wrong = load_workbook(old)
    sheet = wrong["审核事项"]
    at = {c.value: c.column for c in sheet[1]}
    sheet.cell(2, at["部门意见"], "撤销")  # not an allowed 部门意见
    wrong.save(tmp_path / "wrong.xlsx")
    with at_as_of(), db.session_scope(engine) as s, pytest.raises(DecisionImportError) as error:
        import_decisions(s, tmp_path / "wrong.xlsx")
    assert "工作表“审核事项”第2行“部门意见”列" in str(error.value)
    filled = load_workbook(old)
    sheet = filled["审核事项"]
    rows = {sheet.cell(r, at["项目编码"]).value: r for r in range(2, sheet.max_row + 1)}
    sheet.cell(rows["CF004"], at["部门意见"], "取消")
    sheet.cell(rows["CF004"], at["说明/理由"], "无法律依据")
    sheet.cell(rows["CF004"], at["依据/文件"], "包府办发〔2026〕8号")
    units = filled["下放事项"]
    unit_at = {c.value: c.column for c in units[1]}
    units.cell(2, unit_at["部门意见"], "收回")
    units.cell(2, unit_at["说明/理由"], "评估不合格")
    filled.save(tmp_path / "filled-old.xlsx")
    with at_as_of(), db.session_scope(engine) as s:
        outcome = import_decisions(s, tmp_path / "filled-old.xlsx")
    assert (outcome.status, outcome.applied) == ("recorded", 2)
    assert proposals(engine) == {
        (ids["E"], None): ("取消", "待审核"), (ids["I"], ids["delegation"]): ("收回", "待审核"),
    }  # fmt: skip
    assert outcome.run_id is not None
    office = as_sent_before_title_rows(
        office_workbook(engine, outcome.run_id, tmp_path / "office"),
        tmp_path / "office-old.xlsx",
        ("审核意见",),
    )
    verdicts = load_workbook(office)
    sheet = verdicts["审核意见"]
    at = {c.value: c.column for c in sheet[1]}
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, at["审核意见"], "同意")
    verdicts.save(tmp_path / "verdicts-old.xlsx")
    with at_as_of(), db.session_scope(engine) as s:
        assert import_verdicts(s, tmp_path / "verdicts-old.xlsx").approved == 2


def test_a_whole_round_applies_exactly_the_approved_proposals(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    ids, workbook = reviewed
    before = items_state(engine)
    filled = fill(workbook, tmp_path / "filled.xlsx", {
        "CF002": ("变更", "依据已废止", "城乡规划法", "名称：对违反规划建设的处罚"),
        "CF004": ("取消", "无法律依据", "包府办发〔2026〕8号"), "CF006": ("保留",),
        "CF003": ("取消", "与CF001重复", "包府办发〔2026〕8号"),
    })  # fmt: skip
    with at_as_of(), db.session_scope(engine) as s:
        run_id = import_decisions(s, filled).run_id
    assert run_id is not None
    office = office_workbook(engine, run_id, tmp_path / "office")
    sheet = load_workbook(office)["审核意见"]
    rows = table_rows(sheet)
    header = rows[0]
    assert {r[header.index("项目编码")] for r in rows[1:]} == {"CF002", "CF003", "CF004", "CF006"}
    found = {r[header.index("项目编码")]: r[header.index("审核发现")] for r in rows[1:]}
    assert "无法律依据" in found["CF004"] and "城市规划法" in found["CF002"]
    verdicts = decide(office, tmp_path / "verdicts.xlsx", {
        "CF004": ("同意", ""), "CF002": ("同意", ""),
        "CF003": ("不同意", "CF001与CF003处罚情形不同"), "CF006": ("退回修改", "请补充依据"),
    })  # fmt: skip
    with at_as_of(), db.session_scope(engine) as s:
        outcome = import_verdicts(s, verdicts, actor="fzb")
    assert (outcome.approved, outcome.rejected, outcome.returned) == (2, 1, 1)
    after = items_state(engine)
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {ids["E"], ids["B"]}
    assert after[ids["E"]][:3] == ("取消", before[ids["E"]][1] + 1, date(2026, 11, 1))
    assert after[ids["B"]][3] == "对违反规划建设的处罚"
    assert proposals(engine)[(ids["H"], None)] == ("保留", "退回")
    with db.session_scope(engine) as s:
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "review_decision")).all()
    assert {a.entity_id for a in audit} == {str(ids["E"]), str(ids["B"])}
    assert all(a.actor == "fzb" for a in audit)
    with at_as_of(), db.session_scope(engine) as s:
        assert import_verdicts(s, verdicts).status == "already_imported"
    # 退回修改 goes back into the department's next workbook
    with at_as_of():
        run_job(engine, "2026", "all", tmp_path / "again")
    again = load_workbook(tmp_path / "again" / WORKBOOK)["审核事项"]
    header = header_of(again)
    notes = {r[header.index("项目编码")]: r[header.index("上次审核结果")]
             for r in again.iter_rows(min_row=HEADER_ROW + 1, values_only=True)}  # fmt: skip
    assert "请补充依据" in notes["CF006"] and notes["CF001"] is None
    revised = fill(tmp_path / "again" / WORKBOOK, tmp_path / "revised.xlsx", {
        "CF006": ("保留", "依据为环境保护法第十条"),
    })  # fmt: skip
    with at_as_of(), db.session_scope(engine) as s:
        assert import_decisions(s, revised).applied == 1
    assert proposals(engine)[(ids["H"], None)] == ("保留", "待审核")
    second = office_workbook(engine, run_id, tmp_path / "office2")
    listed = list(
        load_workbook(second)["审核意见"].iter_rows(min_row=HEADER_ROW + 1, values_only=True)
    )
    assert [r[2] for r in listed] == ["CF006"]


def test_taking_back_one_of_several_delegations_ends_only_that_one(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    ids, workbook = reviewed
    filled = fill(workbook, tmp_path / "filled.xlsx", {}, None, [
        {"项目编码": "CF007", "承接单位": "东河区生态环境分局", "所在旗县区": "东河区",
         "单位类型": "旗县区部门", "部门意见": "下放", "说明/理由": "就近办理"},
    ])  # fmt: skip
    with at_as_of(), db.session_scope(engine) as s:
        run_id = import_decisions(s, filled).run_id
    assert run_id is not None
    office = office_workbook(engine, run_id, tmp_path / "o1")
    with at_as_of(), db.session_scope(engine) as s:
        import_verdicts(s, decide(office, tmp_path / "v1.xlsx", {"CF007": ("同意", "")}))
    with at_as_of():
        run_job(engine, "2026", "all", tmp_path / "again")
    units = [r[4] for r in load_workbook(tmp_path / "again" / WORKBOOK)["下放事项"]
             .iter_rows(min_row=HEADER_ROW + 1, values_only=True)]  # fmt: skip
    assert units == ["青山区生态环境分局", "东河区生态环境分局"]
    took = fill(tmp_path / "again" / WORKBOOK, tmp_path / "take.xlsx", {},
                {"青山区生态环境分局": ("收回", "评估不合格")})  # fmt: skip
    with at_as_of(), db.session_scope(engine) as s:
        import_decisions(s, took)
    office = office_workbook(engine, run_id, tmp_path / "o2")
    with at_as_of(), db.session_scope(engine) as s:
        outcome = import_verdicts(s, decide(office, tmp_path / "v2.xlsx", {"CF007": ("同意", "")}))
    assert outcome.approved == 1
    from powerlist.models import Delegation

    with db.session_scope(engine) as s:
        ended = {d.unit_id: d.revoked_on for d in s.scalars(select(Delegation))}
        assert s.get_one(PowerItem, ids["I"]).status == "下放"
        assert s.get_one(Delegation, ids["delegation"]).revoked_on == date(2026, 11, 1)
    assert sorted(ended.values(), key=str) == [date(2026, 11, 1), None]
    with at_as_of():
        run_job(engine, "2026", "all", tmp_path / "third")
    units = [r[4] for r in load_workbook(tmp_path / "third" / WORKBOOK)["下放事项"]
             .iter_rows(min_row=HEADER_ROW + 1, values_only=True)]  # fmt: skip
    assert units == ["东河区生态环境分局"]
    from powerlist.assessment.load import load_department
    from powerlist.periods import parse_period

    with db.session_scope(engine) as s:
        facts = load_department(s, "sthjj", [parse_period("2027-Q1")], date(2027, 4, 10), "x")
        during = load_department(s, "sthjj", [parse_period("2026-Q4")], date(2027, 1, 10), "x")
    assert [d.unit_name for d in facts.delegations] == ["东河区生态环境分局"]
    assert "青山区生态环境分局" in [d.unit_name for d in during.delegations]


def test_the_same_file_twice_is_a_no_op(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    _, workbook = reviewed
    filled = fill(workbook, tmp_path / "filled.xlsx", {"CF004": ("取消", "无法律依据", "文件")})
    with db.session_scope(engine) as s:
        assert import_decisions(s, filled).applied == 1
    with db.session_scope(engine) as s:
        again = import_decisions(s, filled)
    assert again.status == "already_imported"
    with db.session_scope(engine) as s:
        assert len(s.scalars(select(ImportRecord)).all()) == 1
        assert len(s.scalars(select(ItemDecision)).all()) == 1


def test_a_later_file_revises_pending_and_reports_conflicts_with_decided(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    ids, workbook = reviewed
    first = fill(workbook, tmp_path / "first.xlsx", {"CF004": ("取消", "无法律依据", "文件"),
                                                     "CF006": ("保留",)})  # fmt: skip
    with at_as_of(), db.session_scope(engine) as s:
        run_id = import_decisions(s, first).run_id
    assert run_id is not None
    office = office_workbook(engine, run_id, tmp_path / "o")
    with at_as_of(), db.session_scope(engine) as s:
        import_verdicts(s, decide(office, tmp_path / "v.xlsx", {"CF004": ("同意", "")}))
    second = fill(workbook, tmp_path / "second.xlsx", {
        "CF004": ("保留", ""), "CF006": ("取消", "不再需要", "文件"),
    })  # fmt: skip
    with db.session_scope(engine) as s:
        outcome = import_decisions(s, second)
    assert outcome.applied == 1
    assert [(c.code, c.existing, c.returned) for c in outcome.conflicts] == [
        ("CF004", "取消", "保留")
    ]
    assert proposals(engine)[(ids["H"], None)] == ("取消", "待审核")
    assert items_state(engine)[ids["E"]][0] == "取消"


def test_bad_rows_are_all_listed_and_nothing_is_written(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    _, workbook = reviewed
    filled = fill(workbook, tmp_path / "bad.xlsx", {
        "CF002": ("同意", ""), "CF004": ("取消", ""), "CF003": ("收回", "x"),
        "CF006": ("变更", "改名", "文件", "颜色：红"), "CF001": ("取消", "重复"),
    }, None, [
        {"项目编码": "CF007", "承接单位": "新单位", "部门意见": "委托", "说明/理由": "x"},
        {"项目编码": "XK201", "承接单位": "青山区生态环境分局", "部门意见": "下放",
         "说明/理由": "x"},
        {"项目编码": "CF007", "委托ID": 99999, "部门意见": "收回", "说明/理由": "x"},
        {"项目编码": "CF007", "委托ID": 1, "部门意见": "暂停", "说明/理由": "x"},
    ])  # fmt: skip
    before = items_state(engine)
    with pytest.raises(DecisionImportError) as caught, db.session_scope(engine) as s:
        import_decisions(s, filled)
    problems = "\n".join(caught.value.problems)
    assert "“部门意见”列：“同意”不是允许的选项" in problems
    assert "“说明/理由”列：部门意见为取消时必须填写理由" in problems
    assert "“依据/文件”列：部门意见为取消时必须填写依据或文件" in problems
    assert "收回请在“下放事项”表按承接单位逐行填写" in problems
    assert "“变更内容”列：“颜色：红”应写作" in problems
    assert "“单位类型”列：承接单位“新单位”是新单位" in problems
    assert "XK201 不是本部门下发的事项" in problems
    assert "99999 不是本工作簿下发的委托" in problems
    assert "“暂停”不是允许的选项" in problems
    assert "工作表“下放事项”第" in problems and "bad.xlsx" in str(caught.value)
    assert items_state(engine) == before
    with db.session_scope(engine) as s:
        assert s.scalars(select(ItemDecision)).all() == []


def test_bad_verdicts_are_refused_whole(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    ids, workbook = reviewed
    filled = fill(workbook, tmp_path / "f.xlsx", {"CF004": ("取消", "无法律依据", "文件"),
                                                  "CF006": ("保留",)})  # fmt: skip
    with at_as_of(), db.session_scope(engine) as s:
        run_id = import_decisions(s, filled).run_id
    assert run_id is not None
    office = office_workbook(engine, run_id, tmp_path / "o")
    bad = decide(office, tmp_path / "bad.xlsx", {"CF004": ("同意", ""), "CF006": ("不同意", "")})
    before = items_state(engine)
    refused = pytest.raises(VerdictImportError, match="审核意见为不同意时必须写明理由")
    with refused, at_as_of(), db.session_scope(engine) as s:
        import_verdicts(s, bad)
    assert items_state(engine) == before
    assert proposals(engine)[(ids["E"], None)] == ("取消", "待审核")
    with (
        pytest.raises(VerdictImportError, match="不是审核意见工作簿"),
        db.session_scope(engine) as s,
    ):
        import_verdicts(s, workbook)


def test_an_edited_code_or_identity_is_refused(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    _, workbook = reviewed
    edited = load_workbook(workbook)
    sheet = edited["审核事项"]
    header = header_of(sheet)
    sheet.cell(HEADER_ROW + 1, 2, "ZZ999")
    sheet.cell(HEADER_ROW + 1, header.index("部门意见") + 1, "保留")
    edited.save(tmp_path / "edited.xlsx")
    with (
        pytest.raises(DecisionImportError, match="ZZ999 与下发时的编码"),
        db.session_scope(engine) as s,
    ):
        import_decisions(s, tmp_path / "edited.xlsx")
    forged = load_workbook(workbook)
    meta = forged[METADATA_SHEET]
    row = next(r for r in meta.iter_rows() if r[0].value == "department_code")
    row[1].value = "lcj"  # claims to be another department's workbook
    forged.save(tmp_path / "forged.xlsx")
    with (
        pytest.raises(DecisionImportError, match="审核标识已被改动"),
        db.session_scope(engine) as s,
    ):
        import_decisions(s, tmp_path / "forged.xlsx")
    shutil.copy(workbook, tmp_path / "plain.xlsx")
    plain = load_workbook(tmp_path / "plain.xlsx")
    del plain[METADATA_SHEET]
    plain.save(tmp_path / "plain.xlsx")
    with pytest.raises(DecisionImportError, match="不是本系统生成"), db.session_scope(engine) as s:
        import_decisions(s, tmp_path / "plain.xlsx")


def test_summary_lists_departments_that_have_not_returned(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    _, workbook = reviewed
    with db.session_scope(engine) as s:
        import_decisions(s, fill(workbook, tmp_path / "f.xlsx", {"CF006": ("保留", "")}))
    with at_as_of():
        summary = run_job(engine, "2026", "all", tmp_path / "out")
    assert summary["not_returned"] == ["lcj"]
    late = load_workbook(tmp_path / "out" / "2026年度权责清单审核-全市汇总.xlsx")["未返回部门"]
    assert [r[0] for r in late.iter_rows(min_row=3, values_only=True)] == ["包头市林业和草原局"]


def test_a_re_signed_identity_cannot_reach_another_departments_items(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    ids, workbook = reviewed
    forged = load_workbook(workbook)
    meta = forged[METADATA_SHEET]
    values = {r[0].value: r[1] for r in meta.iter_rows() if r[0].value != "checksum"}
    values["department_code"].value = "lcj"  # sthjj's items, claimed for 林草局, checksum redone
    checksum = metadata_checksum({k: str(v.value or "") for k, v in values.items()})
    next(r for r in meta.iter_rows() if r[0].value == "checksum")[1].value = checksum
    forged.save(tmp_path / "resigned.xlsx")
    filled = fill(tmp_path / "resigned.xlsx", tmp_path / "filled.xlsx",
                  {"CF004": ("取消", "x", "文件")})  # fmt: skip
    with (
        pytest.raises(DecisionImportError, match="不是本工作簿下发的事项"),
        db.session_scope(engine) as s,
    ):
        import_decisions(s, filled)
    assert items_state(engine)[ids["E"]][0] == "保留"


def test_a_new_item_needs_code_name_type_and_a_registered_basis_and_joins_the_list_when_approved(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    ids, workbook = reviewed
    law = "《中华人民共和国环境保护法》第四十五条"
    new = {"项目编码": "XK010", "项目名称": "排污许可证核发", "权力类型": "行政许可",
           "部门意见": "新增", "说明/理由": "新法设定", "依据/文件": law}  # fmt: skip
    bad = fill(workbook, tmp_path / "bad.xlsx", {}, new_items=[
        {**new, "依据/文件": None}, {**new, "项目编码": "XK011", "权力类型": "行政许愿"},
        {**new, "项目编码": "XK012", "依据/文件": "《排污许可管理条例》第二条"},
    ])  # fmt: skip
    with pytest.raises(DecisionImportError) as caught, db.session_scope(engine) as s:
        import_decisions(s, bad)
    problems = "\n".join(caught.value.problems)
    assert "“依据/文件”列：部门意见为新增时必须填写依据或文件" in problems
    assert "“权力类型”列：" in problems
    assert "实施依据“《排污许可管理条例》”不在法律依据库中" in problems
    filled = fill(workbook, tmp_path / "new.xlsx", {}, new_items=[new])
    with at_as_of(), db.session_scope(engine) as s:
        run_id = import_decisions(s, filled).run_id
        assert s.scalars(select(PowerItem).where(PowerItem.code == "XK010")).all() == []
    office = office_workbook(engine, run_id or 0, tmp_path / "o")
    with at_as_of(), db.session_scope(engine) as s:
        assert (
            import_verdicts(
                s, decide(office, tmp_path / "v.xlsx", {"XK010": ("同意", "")})
            ).approved
            == 1
        )
    with db.session_scope(engine) as s:
        added = s.scalars(select(PowerItem).where(PowerItem.code == "XK010")).one()
        assert (added.name, added.category, added.department_id, added.status) == (
            "排污许可证核发", "行政许可", ids["sthjj"], "保留",
        )  # fmt: skip
        from powerlist.models import ItemBasis

        basis = s.scalars(select(ItemBasis).where(ItemBasis.item_id == added.id)).one()
        assert basis.articles == "第四十五条"
        from powerlist.review.export import export_list

        result = export_list(s, 2026, tmp_path / "published")
    diff = load_workbook(result.catalogues.path)["调整对照"]
    assert ("新增", "XK010") in {(r[0], r[1]) for r in diff.iter_rows(min_row=3, values_only=True)}


def test_merge_and_split_keep_lineage_into_the_adjusted_list(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    ids, workbook = reviewed
    filled = fill(workbook, tmp_path / "f.xlsx", {
        "CF003": ("合并", "与CF010情形相近", "包府办发〔2026〕8号", "并入：CF010"),
        "CF006": ("拆分", "按噪声来源分别实施", "包府办发〔2026〕8号",
                  "拆分为：CF006-1 对社会生活噪声扰民的处罚；CF006-2 对施工噪声扰民的处罚"),
        "CF009": ("合并", "x", "文件", "并入：ZZ001"),
    })  # fmt: skip
    refused = pytest.raises(DecisionImportError, match="并入的 ZZ001 不是本部门在列的另一事项")
    with refused, db.session_scope(engine) as s:
        import_decisions(s, filled)
    filled = fill(workbook, tmp_path / "g.xlsx", {
        "CF003": ("合并", "与CF010情形相近", "包府办发〔2026〕8号", "并入：CF010"),
        "CF006": ("拆分", "按噪声来源分别实施", "包府办发〔2026〕8号",
                  "拆分为：CF006-1 对社会生活噪声扰民的处罚；CF006-2 对施工噪声扰民的处罚"),
    })  # fmt: skip
    with at_as_of(), db.session_scope(engine) as s:
        run_id = import_decisions(s, filled).run_id
    office = office_workbook(engine, run_id or 0, tmp_path / "o")
    decided = decide(office, tmp_path / "v.xlsx", {"CF003": ("同意", ""), "CF006": ("同意", "")})
    with at_as_of(), db.session_scope(engine) as s:
        assert import_verdicts(s, decided).approved == 2
    with db.session_scope(engine) as s:
        merged, target = s.get_one(PowerItem, ids["C"]), s.get_one(PowerItem, ids["N"])
        assert (merged.status, merged.extra, target.extra) == (
            "取消", {"merged_into": "CF010"}, {"merged_from": ["CF003"]},
        )  # fmt: skip
        parts = s.scalars(select(PowerItem).where(PowerItem.code.like("CF006-%"))).all()
        assert {(p.code, p.status, (p.extra or {}).get("split_from")) for p in parts} == {
            ("CF006-1", "保留", "CF006"), ("CF006-2", "保留", "CF006"),
        }  # fmt: skip
        from powerlist.review.export import export_list

        result = export_list(s, 2026, tmp_path / "published")
    books = load_workbook(result.catalogues.path)
    diff = {(r[0], r[1]): r for r in books["调整对照"].iter_rows(min_row=3, values_only=True)}
    assert diff[("合并", "CF003")][7] == "并入CF010 对违规处置固废的处罚"
    assert "CF006-1 对社会生活噪声扰民的处罚" in diff[("拆分", "CF006")][7]
    assert ("新增", "CF006-1") in diff and ("取消", "CF003") not in diff
    cancelled = {r[2]: r[10] for r in books["取消事项目录"].iter_rows(min_row=3, values_only=True)}
    assert cancelled["CF003"].startswith("并入CF010；合并理由：与CF010情形相近")


def test_too_many_pasted_rows_name_the_sheet_they_were_pasted_into(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    """Rows pasted far past the delegations sent are refused naming 下放事项, not 审核事项."""
    _, workbook = reviewed
    book = load_workbook(workbook)
    sheet = book["下放事项"]
    header = header_of(sheet)
    for n in range(2_100):
        line: list[Any] = [None] * len(header)
        line[header.index("项目编码")] = f"X{n:05d}"
        line[header.index("部门意见")] = "保留"
        sheet.append(line)
    book.save(tmp_path / "pasted.xlsx")
    with at_as_of(), db.session_scope(engine) as s, pytest.raises(DecisionImportError) as error:
        import_decisions(s, tmp_path / "pasted.xlsx")
    assert "工作表“下放事项”行数过多" in str(error.value)
