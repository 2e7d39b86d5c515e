"""Decisions back in: a department fills its workbook (here, by code) and imports it."""

from __future__ import annotations

import shutil
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
from tests.fixtures_review import at_as_of, build_world, run_job

WORKBOOK = "2026年度权责清单审核-市生态环境局.xlsx"


def fill(source: Path, target: Path, decisions: dict[str, tuple[str, str]]) -> Path:
    """Open the department workbook as a person would and fill decisions by item code."""
    workbook = load_workbook(source)
    sheet = workbook["审核事项"]
    header = [c.value for c in sheet[1]]
    code_col, decision_col = header.index("项目编码") + 1, header.index("审核意见") + 1
    reason_col = header.index("说明") + 1
    for row in range(2, sheet.max_row + 1):
        code = sheet.cell(row, code_col).value
        if code in decisions:
            decision, reason = decisions[code]
            sheet.cell(row, decision_col, decision)
            sheet.cell(row, reason_col, reason)
    workbook.save(target)
    return target


def items_state(engine: Engine) -> dict[int, tuple[Any, ...]]:
    with db.session_scope(engine) as s:
        return {
            i.id: (i.status, i.version, i.last_reviewed_on)
            for i in s.scalars(select(PowerItem).order_by(PowerItem.id))
        }


@pytest.fixture
def reviewed(engine: Engine, tmp_path: Path) -> tuple[dict[str, int], Path]:
    ids = build_world(engine)
    with at_as_of():
        run_job(engine, "2026", "all", tmp_path / "out")
    return ids, tmp_path / "out" / WORKBOOK


def test_import_changes_exactly_the_decided_items(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    ids, workbook = reviewed
    before = items_state(engine)
    filled = fill(workbook, tmp_path / "filled.xlsx", {
        "CF002": ("修改", "依据改为城乡规划法"), "CF004": ("取消", "无法律依据"),
        "CF007": ("收回", "承接单位评估不合格"), "CF006": ("保留", ""),
    })  # fmt: skip
    with at_as_of(), db.session_scope(engine) as s:
        outcome = import_decisions(s, filled, actor="liaison-sthjj")
    assert (outcome.status, outcome.applied, outcome.conflicts) == ("applied", 4, [])
    after = items_state(engine)
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {ids["B"], ids["E"], ids["I"], ids["H"]}
    assert after[ids["E"]][0] == "取消" and after[ids["I"]][0] == "保留"
    assert after[ids["B"]][0] == "保留" and after[ids["B"]][1] == before[ids["B"]][1] + 1
    assert {after[k][2].isoformat() for k in changed} == {"2026-11-01"}
    with db.session_scope(engine) as s:
        decisions = {d.item_id: (d.decision, d.reason) for d in s.scalars(select(ItemDecision))}
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "review_decision")).all()
    assert decisions[ids["E"]] == ("取消", "无法律依据")
    assert {a.entity_id for a in audit} == {str(k) for k in changed}
    cancelled = next(a for a in audit if a.entity_id == str(ids["E"]))
    assert cancelled.before["status"] == "保留" and cancelled.after["status"] == "取消"
    assert cancelled.actor == "liaison-sthjj"


def test_the_same_file_twice_is_a_no_op(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    _, workbook = reviewed
    filled = fill(workbook, tmp_path / "filled.xlsx", {"CF004": ("取消", "无法律依据")})
    with db.session_scope(engine) as s:
        assert import_decisions(s, filled).applied == 1
    state = items_state(engine)
    with db.session_scope(engine) as s:
        again = import_decisions(s, filled)
    assert again.status == "already_imported"
    assert items_state(engine) == state
    with db.session_scope(engine) as s:
        assert len(s.scalars(select(ImportRecord)).all()) == 1


def test_a_second_file_fills_undecided_rows_and_reports_conflicts(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    ids, workbook = reviewed
    first = fill(workbook, tmp_path / "first.xlsx", {"CF004": ("取消", "无法律依据")})
    second = fill(workbook, tmp_path / "second.xlsx", {
        "CF004": ("修改", "补充依据"), "CF006": ("保留", ""),
    })  # fmt: skip
    with db.session_scope(engine) as s:
        import_decisions(s, first)
    with db.session_scope(engine) as s:
        outcome = import_decisions(s, second)
    assert outcome.applied == 1
    assert [(c.code, c.existing, c.returned) for c in outcome.conflicts] == [
        ("CF004", "取消", "修改")
    ]
    assert items_state(engine)[ids["E"]][0] == "取消"


def test_bad_rows_are_all_listed_and_nothing_is_written(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    _, workbook = reviewed
    filled = fill(workbook, tmp_path / "bad.xlsx", {
        "CF002": ("同意", ""), "CF004": ("取消", ""), "CF003": ("收回", "x"),
        "CF006": ("保留", ""),
    })  # fmt: skip
    before = items_state(engine)
    with pytest.raises(DecisionImportError) as caught, db.session_scope(engine) as s:
        import_decisions(s, filled)
    problems = "\n".join(caught.value.problems)
    assert "“审核意见”列：“同意”不是允许的选项" in problems
    assert "“说明”列：审核意见为取消时必须填写理由" in problems
    assert "事项状态为保留，不能收回" in problems
    assert "工作表“审核事项”第" in problems and "bad.xlsx" in str(caught.value)
    assert items_state(engine) == before
    with db.session_scope(engine) as s:
        assert s.scalars(select(ItemDecision)).all() == []


def test_an_edited_code_or_identity_is_refused(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    _, workbook = reviewed
    edited = load_workbook(workbook)
    sheet = edited["审核事项"]
    sheet.cell(2, 2, "ZZ999")
    sheet.cell(2, 12, "保留")
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
    assert [r[0] for r in late.iter_rows(min_row=2, values_only=True)] == ["包头市林业和草原局"]


def test_a_re_signed_identity_cannot_reach_another_departments_items(
    engine: Engine, reviewed: tuple[dict[str, int], Path], tmp_path: Path
) -> None:
    ids, workbook = reviewed
    forged = load_workbook(workbook)
    meta = forged[METADATA_SHEET]
    values = {r[0].value: r[1] for r in meta.iter_rows() if r[0].value != "checksum"}
    values["department_code"].value = "lcj"  # sthjj's items, claimed for 林草局, checksum redone
    checksum = metadata_checksum({k: str(v.value) for k, v in values.items()})
    next(r for r in meta.iter_rows() if r[0].value == "checksum")[1].value = checksum
    forged.save(tmp_path / "resigned.xlsx")
    filled = fill(tmp_path / "resigned.xlsx", tmp_path / "filled.xlsx", {"CF004": ("取消", "x")})
    before = items_state(engine)
    with (
        pytest.raises(DecisionImportError, match="不是本工作簿下发的事项"),
        db.session_scope(engine) as s,
    ):
        import_decisions(s, filled)
    assert items_state(engine) == before
    assert items_state(engine)[ids["E"]][0] == "保留"
