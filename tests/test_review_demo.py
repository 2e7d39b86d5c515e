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
from powerlist.models import Department, Finding, PowerItem, Report
from powerlist.review.decisions import import_decisions
from powerlist.review.export import export_list
from powerlist.review.verdicts import import_verdicts, write_verdict_workbook
from tests.fixtures_review import at_as_of, run_job
from tests.services import scratch_database
from tests.sheet_table import HEADER_ROW, header_of, table_rows
from tests.test_review_decisions import decide, fill


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
            select(func.count())
            .select_from(Finding)
            .join(PowerItem, Finding.item_id == PowerItem.id)
            .where(
                Finding.rule == "basis_level_too_low",
                Finding.severity == "高",
                Finding.message.contains("（规范性文件）"),
                PowerItem.category.in_(["行政许可", "行政处罚", "行政强制"]),
            )
        )
    # the planted class (a normative document behind a licence, penalty or coercive measure);
    # enforcement (强制执行) resting on a regulation and inspections on documents are found too
    assert too_low == planted["basis_level_too_low"] == 40
    assert city.summary["rules_without_data"] == ["poor_delegation"]


def test_every_planted_legal_case_is_found_citing_its_article(city: ReviewedCity) -> None:
    by_rule, planted = city.summary["by_rule"], city.planted

    def messages(rule: str, *parts: str) -> list[str]:
        with db.session_scope(city.engine) as s:
            found = s.scalars(select(Finding.message).where(Finding.rule == rule)).all()
        return [m for m in found if all(p in m for p in parts)]

    measures = messages("delegation_unlawful", "行政强制事项委托", "行政强制法第十七条")
    enforcement = messages("delegation_unlawful", "行政强制事项委托", "行政强制法第十三条")
    assert len(measures) + len(enforcement) == planted["delegation_entrusts_coercion"] > 0
    assert measures
    licence = messages("delegation_unlawful", "事业单位", "行政许可法第二十四条")
    assert len(licence) == planted["licence_entrusted_to_non_organ"] == 1
    assert by_rule["delegation_without_decision"] == 1
    assert planted["penalty_delegated_to_township_without_decision"] == 1
    assert messages("delegation_without_decision", "行政处罚法》第二十四条")
    unsigned = by_rule["entrustment_without_agreement"]
    assert unsigned == planted["entrustment_without_agreement"] > 0
    assert (
        len(
            messages("procedural_basis_only", "程序性")
            + messages("procedural_basis_only", "本身不设定")
        )
        >= planted["procedural_basis_only"]
        == 1
    )
    city_rule = messages("basis_level_too_low", "设区的市地方政府规章", "行政许可法》第十四条")
    assert len(city_rule) >= planted["licence_on_city_rule"] == 1
    assert by_rule["overlapping_duty"] >= planted["overlapping_duty"] == 2
    assert all("依据" in m or "第" in m for m in messages("overlapping_duty"))


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
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref
    header = header_of(sheet)
    column = "ABCDEFGHIJKLMNOPQ"[header.index("部门意见")]
    validations = sheet.data_validations.dataValidation
    assert any(
        v.formula1 == '"保留,取消,变更,新增,合并,拆分"' and str(v.sqref).startswith(column)
        for v in validations
    )
    first = [c.value for c in sheet[HEADER_ROW + 1]]
    assert first[header.index("最高严重程度")] == "高"  # the worst findings come first
    delegated = workbook["下放事项"]
    assert delegated.max_row > HEADER_ROW
    header = header_of(delegated)
    column = "ABCDEFGHIJKLMNOPQ"[header.index("部门意见")]
    assert any(
        v.formula1 == '"保留,收回,下放,委托"' and str(v.sqref).startswith(column)
        for v in delegated.data_validations.dataValidation
    )


def test_summary_counts_chart_and_late_departments(city: ReviewedCity) -> None:
    workbook = load_workbook(city.folder / "2026年度权责清单审核-全市汇总.xlsx")
    sheet = workbook["部门汇总"]
    assert "部门汇总" in sheet["A1"].value and sheet["A2"].value == "部门"  # title, then header
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 52 and rows[-1][0] == "全市合计"
    assert rows[-1][-1] == city.summary["findings"] == sum(r[-1] for r in rows[:-1])
    assert len(sheet._charts) == 1
    late = list(workbook["未返回部门"].iter_rows(min_row=3, values_only=True))
    assert len(late) == 51


def test_summary_items_equal_each_department_workbook_and_the_list(city: ReviewedCity) -> None:
    """Merged departments' items count under their successor, as its workbook lists them."""
    summary = load_workbook(city.folder / "2026年度权责清单审核-全市汇总.xlsx")
    rows = list(summary["部门汇总"].iter_rows(min_row=3, values_only=True))
    items = {name: count for name, _, count, *_ in rows[:-1]}
    with db.session_scope(city.engine) as s:
        in_force = s.scalar(
            select(func.count()).where(PowerItem.status.in_(("保留", "下放", "委托", "暂停")))
        )
        missing = dict(  # catalogue entries missing from the list are rows of the workbook too
            s.execute(
                select(Department.name, func.count())
                .join(Finding, Finding.department_id == Department.id)
                .where(Finding.rule == "catalog_missing")
                .group_by(Department.name)
            ).all()
        )
    assert rows[-1][2] == in_force == 6524
    for path in city.folder.glob("2026年度权责清单审核-市*.xlsx"):
        label = path.stem.removeprefix("2026年度权责清单审核-")
        sheet = load_workbook(path)["审核事项"]
        matching = [name for name in items if name.endswith(label.removeprefix("市"))]
        assert len(matching) == 1, label
        assert items[matching[0]] + missing.get(matching[0], 0) == sheet.max_row - HEADER_ROW, label
    notes = [row for row in summary["说明"].iter_rows(values_only=True) if row and row[1]]
    assert any("全市清单事项6834项" in str(row[1]) for row in notes)


def test_a_filled_workbook_changes_exactly_its_items_and_the_export_has_every_item(
    city: ReviewedCity, tmp_path: Path
) -> None:
    source = city.folder / "2026年度权责清单审核-市生态环境局.xlsx"
    sheet = load_workbook(source, read_only=True)["审核事项"]
    rows = list(sheet.iter_rows(min_row=HEADER_ROW + 1, max_row=HEADER_ROW + 5, values_only=True))
    codes = {r[1] for r in rows}
    with db.session_scope(city.engine) as s:
        before = {i.id: (i.code, i.status, i.version) for i in s.scalars(select(PowerItem))}
    filled = fill(
        source, tmp_path / "filled.xlsx", {c: ("取消", "经审核取消", "文件") for c in codes}
    )
    with db.session_scope(city.engine) as s:
        outcome = import_decisions(s, filled)
        office = write_verdict_workbook(s, outcome.run_id or 0, tmp_path / "office").path
    assert outcome.applied == len(rows) and not outcome.conflicts
    decided = decide(office, tmp_path / "verdicts.xlsx", {c: ("同意", "") for c in codes})
    with db.session_scope(city.engine) as s:
        assert import_verdicts(s, decided).approved == len(rows)
    with db.session_scope(city.engine) as s:
        after = {i.id: (i.code, i.status, i.version) for i in s.scalars(select(PowerItem))}
        exported = export_list(s, 2026, tmp_path / "published")
    changed = {k for k in after if after[k] != before[k]}
    assert {after[k][0] for k in changed} == codes and len(changed) == len(rows)
    assert all(after[k][1] == "取消" and after[k][2] == before[k][2] + 1 for k in changed)
    listed = load_workbook(exported.workbook.artifact.path, read_only=True)["权责清单"]
    published = Counter(r[2] for r in table_rows(listed)[1:])
    in_force = Counter(code for code, status, _ in after.values() if status != "取消")
    assert published == in_force
    assert exported.counts["changes_取消"] == len(rows)
