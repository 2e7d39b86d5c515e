"""The assessment job on a hand-made city, on SQLite and PostgreSQL, workbooks opened back."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from powerlist.artifacts import sha256_of
from powerlist.assessment.config import BadAssessmentConfig
from powerlist.assessment.job import DELEGATION_ASSESSMENT, check_period
from powerlist.assessment.store import latest_yearly_grades
from powerlist.db import session_scope
from powerlist.models import Delegation, DelegationAssessment, Report
from powerlist.periods import parse_period
from powerlist.settings import get_settings
from tests.fixtures_assessment import Finished, World, make_world, run_job
from tests.sheet_table import header_of, table_dicts

NOW = datetime(2026, 11, 26, 9, tzinfo=UTC)


@pytest.fixture
def world(engine: Engine) -> World:
    """Four delegations of 市林草局 and one of 市水务局 to two units, with Q2 and Q3 reports."""
    world = make_world(engine)
    world.staff("qingshan", credentialed=3, others=1)
    world.staff("donghe", credentialed=2, hours=5.0)
    world.delegation("good")
    world.months("good", date(2026, 4, 1), 6, received=10)
    world.delegation("idle", unit="donghe", mode="委托", agreement=None)
    world.months("idle", date(2026, 4, 1), 6, received=0)
    world.delegation("poor", category="行政处罚")
    world.months("poor", date(2026, 4, 1), 6, received=10, completed=6, overdue=3, complaints=2)
    world.delegation("gone", revoked_on=date(2026, 8, 1))
    world.months("gone", date(2026, 4, 1), 4, received=3)
    world.delegation("water", unit="qingshan", department="water")
    world.months("water", date(2026, 7, 1), 2, received=2)  # September not reported
    return world


def run(world: World, period: str, tmp_path: Path, scope: str = "all") -> Finished:
    with time_machine.travel(NOW, tick=False):
        finished = run_job(world.engine, DELEGATION_ASSESSMENT, period, tmp_path, scope)
    assert finished.status == "succeeded", finished.error
    return finished


def stored(world: World, period: str) -> dict[str, DelegationAssessment]:
    names = {value: key for key, value in world.delegations.items()}
    with session_scope(world.engine) as session:
        rows = session.scalars(
            select(DelegationAssessment).where(DelegationAssessment.period == period)
        ).all()
        return {names[row.delegation_id]: row for row in rows}


def sheet_rows(path: Path, title: str) -> list[dict[str, object]]:
    return table_dicts(load_workbook(path, read_only=True)[title])


def test_quarterly_run_stores_scores_grades_and_recommendations(
    world: World, tmp_path: Path
) -> None:
    summary = run(world, "2026-Q3", tmp_path).summary
    rows = stored(world, "2026-Q3")
    assert set(rows) == {"good", "idle", "poor", "gone", "water"}
    assert (rows["good"].score, rows["good"].grade, rows["good"].recommendation) == (
        100.0,
        "优秀",
        "继续",
    )
    assert rows["idle"].score is None and rows["idle"].grade is None
    assert rows["idle"].recommendation == "整改"
    assert "零办件" in rows["idle"].reasons and "委托未签订委托协议" in rows["idle"].reasons
    assert rows["poor"].grade == "不合格"
    assert rows["poor"].recommendation == "收回"  # 不合格 in Q2 as well
    assert (rows["gone"].grade, rows["gone"].recommendation) == ("已收回", "已收回")
    assert rows["gone"].score is None  # revoked within the period: outside the grading
    assert rows["gone"].indicators["months_expected"] == 1
    assert rows["water"].indicators["missing_months"] == ["2026-09"]
    assert summary["delegations"] == 5
    assert summary["recommendations"] == {"继续": 2, "整改": 1, "收回": 1, "已收回": 1}
    assert summary["zero_case"] == 1


def test_rerunning_a_period_replaces_rows_and_reports(world: World, tmp_path: Path) -> None:
    run(world, "2026-Q3", tmp_path)
    world.month("water", date(2026, 9, 1), received=2)  # the late report arrives
    run(world, "2026-Q3", tmp_path)
    rows = stored(world, "2026-Q3")
    assert len(rows) == 5
    assert rows["water"].indicators["missing_months"] == []
    with session_scope(world.engine) as session:
        kinds = dict(session.execute(select(Report.kind, func.count()).group_by(Report.kind)).all())
    assert kinds == {"delegation_department": 2, "delegation_unit": 2, "delegation_city": 1}


def test_department_workbook_shows_indicators_missing_data_and_trend(
    world: World, tmp_path: Path
) -> None:
    folder = run(world, "2026-Q3", tmp_path).folder
    with session_scope(world.engine) as session:
        report = session.scalars(
            select(Report).where(
                Report.kind == "delegation_department",
                Report.department_id == world.ids["forestry"],
            )
        ).one()
        path = Path(report.path)
        assert report.rows == 4
        assert report.sha256 == sha256_of(path)
    assert path.name == "d01-包头市林业和草原局-下放委托事项效能评估-2026-Q3.xlsx"
    assert path.parent == folder / "departments"
    assert folder == tmp_path / "delegation_assessment" / "2026-Q3" / "all"
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["说明", "评估结果", "指标明细", "承接条件"]
    ws = workbook["评估结果"]
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref.startswith("A2:")
    # every figure of a delegation is on one of the three sheets, a row per delegation on each
    by_code: dict[str, dict[str, object]] = {}
    for title in ("评估结果", "指标明细", "承接条件"):
        for row in sheet_rows(path, title):
            by_code.setdefault(row["事项编码"], {}).update(row)
    assert len(by_code) == 4 and all(len(sheet_rows(path, t)) == 4 for t in workbook.sheetnames[1:])
    assert header_of(ws) == [
        "事项编码", "事项名称", "方式", "承接单位", "旗县区",
        "得分", "等次", "上期得分", "上期等次", "变化", "建议", "理由",
    ]  # fmt: skip
    good, idle, poor = by_code["XK-good"], by_code["XK-idle"], by_code["XK-poor"]
    assert (good["受理件数"], good["按时办结率"], good["得分"], good["等次"]) == (
        30,
        1,
        100,
        "优秀",
    )
    assert good["上期得分"] == 100 and good["变化"] == 0
    assert (idle["零办件"], idle["得分"], idle["等次"], idle["按时办结率"]) == (
        "是",
        "无评分",
        "无评分",
        "无数据",
    )
    assert idle["协议/文件"] == "无"
    assert idle["人均培训学时"] == 5 and idle["培训达标率"] == 0.25
    assert poor["上期等次"] == "不合格" and poor["建议"] == "收回"
    assert "连续两期评为不合格" in poor["理由"]
    notes = dict(load_workbook(path)["说明"].iter_rows(min_row=2, max_col=2, values_only=True))
    assert notes["期间"] == "2026-Q3" and notes["部门"] == "包头市林业和草原局"
    notes_text = [
        value
        for (label, value) in load_workbook(path)["说明"].iter_rows(
            min_row=2, max_col=2, values_only=True
        )
        if label == "说明"
    ]
    assert "等次：优秀≥90、良好≥80、合格≥60，其余为不合格。" in notes_text
    assert any(line.startswith("权重：按时办结率30分、投诉率20分") for line in notes_text)


def test_unit_workbook_holds_everything_the_unit_received(world: World, tmp_path: Path) -> None:
    folder = run(world, "2026-Q3", tmp_path).folder
    [path] = (folder / "units").glob("u-qingshan-*.xlsx")
    rows = sheet_rows(path, "评估结果")
    assert sorted((r["下放/委托部门"], r["事项编码"]) for r in rows) == [
        ("包头市林业和草原局", "XK-gone"),
        ("包头市林业和草原局", "XK-good"),
        ("包头市林业和草原局", "XK-poor"),
        ("包头市水务局", "XK-water"),
    ]
    water = next(r for r in sheet_rows(path, "指标明细") if r["事项编码"] == "XK-water")
    assert water["缺报月份"] == "2026-09" and water["已报月数"] == 2


def test_one_department_scope_still_lists_other_departments_items_for_its_units(
    world: World, tmp_path: Path
) -> None:
    run(world, "2026-Q3", tmp_path)
    one = run(world, "2026-Q3", tmp_path, scope="d02").folder
    units = sorted(p.name for p in (one / "units").glob("*.xlsx"))
    assert units == ["u-qingshan-青山区林业和草原局-下放委托事项效能评估-2026-Q3.xlsx"]
    assert len(sheet_rows(one / "units" / units[0], "评估结果")) == 4


def test_city_summary_has_distributions_lists_and_a_chart(world: World, tmp_path: Path) -> None:
    folder = run(world, "2026-Q3", tmp_path).folder
    path = folder / "city-全市-下放委托事项效能评估-2026-Q3.xlsx"
    workbook = load_workbook(path)
    assert workbook.sheetnames == [
        "说明",
        "部门等次分布",
        "承接单位等次分布",
        "零办件清单",
        "收回建议",
        "整改建议",
    ]
    assert len(workbook["部门等次分布"]._charts) == 1
    by_department = {r["下放/委托部门"]: r for r in sheet_rows(path, "部门等次分布")}
    forestry = by_department["包头市林业和草原局"]
    assert (forestry["优秀"], forestry["不合格"], forestry["无评分"], forestry["已收回"]) == (
        1,
        1,
        1,
        1,
    )
    assert forestry["合计"] == 4
    assert (forestry["零办件"], forestry["整改"], forestry["收回"]) == (1, 1, 1)
    units = {r["承接单位"]: r for r in sheet_rows(path, "承接单位等次分布")}
    assert units["东河区河东镇人民政府"]["合计"] == 1
    assert [r["事项编码"] for r in sheet_rows(path, "零办件清单")] == ["XK-idle"]
    assert sorted(r["事项编码"] for r in sheet_rows(path, "收回建议")) == ["XK-poor"]


def test_yearly_run_feeds_the_yearly_review(world: World, tmp_path: Path) -> None:
    run(world, "2026-Q3", tmp_path)
    run(world, "2026", tmp_path)
    with session_scope(world.engine) as session:
        grades = latest_yearly_grades(session)
        assert latest_yearly_grades(session, before_year=2026) == {}
    assert {key: grades[world.delegations[key]].period for key in ("good", "poor")} == {
        "good": "2026",
        "poor": "2026",
    }
    assert grades[world.delegations["poor"]].grade == "不合格"
    assert grades[world.delegations["poor"]].item_id == world.ids["item-poor"]


def test_periods_other_than_year_or_quarter_are_refused() -> None:
    with time_machine.travel(NOW, tick=False):
        check_period(parse_period("2026"))
        with pytest.raises(ValueError, match="年度（2026）或季度"):
            check_period(parse_period("2026-07"))
        with pytest.raises(ValueError, match="尚未开始"):
            check_period(parse_period("2027-Q1"))


def test_a_rerun_without_a_unit_drops_its_old_report(world: World, tmp_path: Path) -> None:
    run(world, "2026-Q3", tmp_path)
    with session_scope(world.engine) as session:
        session.get(Delegation, world.delegations["idle"]).revoked_on = date(2026, 6, 1)
    run(world, "2026-Q3", tmp_path)
    assert "idle" not in stored(world, "2026-Q3")
    with session_scope(world.engine) as session:
        units = session.scalars(select(Report.unit_id).where(Report.kind == "delegation_unit"))
        assert set(units) == {world.ids["qingshan"]}


def test_a_bad_configuration_stops_the_run_before_anything_is_written(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "assessment.toml"
    bad.write_text("[weights]\non_time = 100\n", encoding="utf-8")
    monkeypatch.setenv("POWERLIST_ASSESSMENT_FILE", str(bad))
    get_settings.cache_clear()
    try:
        with pytest.raises(BadAssessmentConfig, match=r"assessment\.toml: weights\.complaints"):
            run(world, "2026-Q3", tmp_path / "reports")
    finally:
        get_settings.cache_clear()
    assert stored(world, "2026-Q3") == {}
    assert not (tmp_path / "reports").exists()
