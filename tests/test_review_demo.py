"""The review on the Baotou demo city: every planted defect class, 51 workbooks and a summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from powerlist import db
from powerlist.artifacts import sha256_of
from powerlist.demo.generate import generate_city
from powerlist.demo.load import load_demo
from powerlist.excel import METADATA_SHEET
from powerlist.models import Finding, PowerItem, Report
from powerlist.review.decisions import import_decisions
from powerlist.review.export import export_list
from tests.fixtures_review import at_as_of, run_job
from tests.services import scratch_database
from tests.test_review_decisions import fill


@dataclass
class ReviewedCity:
    engine: Engine
    folder: Path
    summary: dict[str, Any]
    planted: Counter[str]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def city(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReviewedCity]:
    """The demo city loaded and reviewed once per module, on SQLite and on PostgreSQL."""
    folder = tmp_path_factory.mktemp("review")

    def reviewed(url: str) -> ReviewedCity:
        db.upgrade(url)
        engine = db.make_engine(url)
        demo = generate_city(2026)
        load_demo(engine, [demo])
        with at_as_of():
            summary = run_job(engine, "2026", "all", folder / "out")
        return ReviewedCity(engine, folder / "out", summary, demo.planted)

    if request.param == "sqlite":
        result = reviewed(f"sqlite:///{folder}/demo.db")
        yield result
        result.engine.dispose()
        return
    with scratch_database(request.getfixturevalue("postgres_server_url")) as url:
        result = reviewed(url)
        yield result
        result.engine.dispose()


def test_every_planted_defect_class_is_found(city: ReviewedCity) -> None:
    by_rule = city.summary["by_rule"]
    planted = city.planted
    assert by_rule["no_basis"] == planted["no_basis"] == 95
    assert by_rule["basis_repealed"] == planted["repealed_basis"]
    assert by_rule["basis_not_yet_effective"] == planted["not_yet_effective_basis"]
    assert by_rule["basis_amended"] >= planted["basis_amended_since_review"]
    assert by_rule["stale_review"] >= planted["stale_review"]
    assert by_rule["missing_responsibility"] == planted["missing_responsibility"]
    assert by_rule["department_restructured"] == planted["items_of_merged_departments"]
    assert by_rule["catalog_cancelled"] == planted["catalog_cancelled_still_held"]
    assert by_rule["catalog_delegated"] == planted["catalog_delegated_still_held"]
    assert by_rule["catalog_missing"] == planted["catalog_item_missing"]
    assert by_rule["duplicate_code"] == 2 * planted["duplicate_code"]  # both items of a pair
    assert by_rule["duplicate_name"] == 2 * planted["duplicate_name"]
    with db.session_scope(city.engine) as s:
        too_low = s.scalar(
            select(func.count()).where(
                Finding.rule == "basis_level_too_low",
                Finding.severity == "高",
                Finding.message.startswith("依据仅为规范性文件"),
            )
        )
    # the planted class; enforcement (强制执行) resting on a regulation is found as well
    assert too_low == planted["basis_level_too_low"] == 40
    assert city.summary["rules_without_data"] == ["poor_delegation"]


def test_fifty_one_department_workbooks_and_a_summary(city: ReviewedCity) -> None:
    assert len(city.summary["units"]) == 51
    files = sorted(p.name for p in city.folder.iterdir() if p.suffix == ".xlsx")
    assert len(files) == 52
    letters = [p for p in city.folder.iterdir() if p.name.startswith("2026年度权责清单审核意见书-")]
    assert len(letters) == 51 and (city.folder / "2026年度权责清单审核报告.docx").exists()
    assert "2026年度权责清单审核-市生态环境局.xlsx" in files
    assert "2026年度权责清单审核-全市汇总.xlsx" in files
    with db.session_scope(city.engine) as s:
        reports = s.scalars(select(Report)).all()
    assert len(reports) == 52
    for report in reports:
        assert sha256_of(Path(report.path)) == report.sha256
        assert Path(report.path).stat().st_size == report.bytes


def test_department_workbook_is_ready_to_fill(city: ReviewedCity) -> None:
    workbook = load_workbook(city.folder / "2026年度权责清单审核-市生态环境局.xlsx")
    assert workbook.sheetnames == ["说明", "审核事项", "依据变动", "下放事项", METADATA_SHEET]
    assert workbook[METADATA_SHEET].sheet_state == "veryHidden"
    assert workbook[METADATA_SHEET].protection.sheet
    sheet = workbook["审核事项"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    header = [c.value for c in sheet[1]]
    column = "ABCDEFGHIJKLMN"[header.index("审核意见")]
    validations = sheet.data_validations.dataValidation
    assert any(
        v.formula1 == '"保留,取消,修改,下放,委托,收回"' and str(v.sqref).startswith(column)
        for v in validations
    )
    first = [c.value for c in sheet[2]]
    assert first[header.index("最高严重程度")] == "高"  # the worst findings come first
    delegated = workbook["下放事项"]
    assert delegated.max_row > 1


def test_summary_counts_chart_and_late_departments(city: ReviewedCity) -> None:
    workbook = load_workbook(city.folder / "2026年度权责清单审核-全市汇总.xlsx")
    sheet = workbook["部门汇总"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 52 and rows[-1][0] == "全市合计"
    assert rows[-1][-1] == city.summary["findings"] == sum(r[-1] for r in rows[:-1])
    assert len(sheet._charts) == 1
    late = list(workbook["未返回部门"].iter_rows(min_row=2, values_only=True))
    assert len(late) == 51


def test_a_filled_workbook_changes_exactly_its_items_and_the_export_has_every_item(
    city: ReviewedCity, tmp_path: Path
) -> None:
    source = city.folder / "2026年度权责清单审核-市生态环境局.xlsx"
    sheet = load_workbook(source, read_only=True)["审核事项"]
    rows = list(sheet.iter_rows(min_row=2, max_row=6, values_only=True))
    codes = {r[1] for r in rows}
    with db.session_scope(city.engine) as s:
        before = {i.id: (i.code, i.status, i.version) for i in s.scalars(select(PowerItem))}
    filled = fill(source, tmp_path / "filled.xlsx", {c: ("取消", "经审核取消") for c in codes})
    with db.session_scope(city.engine) as s:
        outcome = import_decisions(s, filled)
    assert outcome.applied == len(rows) and not outcome.conflicts
    with db.session_scope(city.engine) as s:
        after = {i.id: (i.code, i.status, i.version) for i in s.scalars(select(PowerItem))}
        exported = export_list(s, 2026, tmp_path / "published")
    changed = {k for k in after if after[k] != before[k]}
    assert {after[k][0] for k in changed} == codes and len(changed) == len(rows)
    assert all(after[k][1] == "取消" and after[k][2] == before[k][2] + 1 for k in changed)
    listed = load_workbook(exported.workbook.artifact.path, read_only=True)["权责清单"]
    published = Counter(r[2] for r in listed.iter_rows(min_row=2, values_only=True))
    in_force = Counter(code for code, status, _ in after.values() if status != "取消")
    assert published == in_force
    assert exported.counts["changes_取消"] == len(rows)
