"""The other imports: laws, catalog, delegations, handling statistics, staff and training."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from powerlist.db import session_scope
from powerlist.imports import ImportRejected, import_file
from powerlist.models import (
    AuditEvent,
    Delegation,
    ExamResult,
    HandlingStat,
    LegalBasis,
    ReceivingUnit,
    Staff,
    TrainingRecord,
    UpperCatalogEntry,
)
from tests.fixtures_sheets import (
    MARKET,
    flat_xlsx,
    published_list_xlsx,
    settings_env,
    table_counts,
    world,
    write_csv,
)

__all__ = ["settings_env", "world"]


def _import(engine: Engine, kind: str, path: Path) -> Any:
    with session_scope(engine) as session:
        return import_file(session, kind, path, error_dir=path.parent / "errors")


def _rejected(engine: Engine, kind: str, path: Path) -> list[Any]:
    with pytest.raises(ImportRejected) as caught:
        _import(engine, kind, path)
    return caught.value.errors


LAW_HEADERS = [
    "法规名称",
    "文号",
    "效力级别",
    "时效性",
    "制定机关",
    "公布日期",
    "施行日期",
    "废止日期",
]


def test_laws_registry_imports_levels_status_and_dates(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    rows = [
        ["中华人民共和国食品安全法", "主席令第二十一号", "法律", "已修改", "全国人大常委会",
         "2015-04-24", "2015年10月1日", None],
        ["《食品经营许可管理办法》", "总局令第17号", "部门规章", "已废止", "原国家食药监总局",
         "2015/8/31", 42278, "2023-12-01"],
    ]  # fmt: skip
    _import(world, "laws", flat_xlsx(tmp_path / "法规库.xlsx", LAW_HEADERS, rows))

    with session_scope(world) as session:
        law = session.scalar(
            select(LegalBasis).where(LegalBasis.title == "《中华人民共和国食品安全法》")
        )
        rule = session.scalar(select(LegalBasis).where(LegalBasis.doc_number == "总局令第17号"))
        assert law is not None and rule is not None
        assert (law.status, law.effective_on) == ("已修改", date(2015, 10, 1))
        assert (rule.title, rule.level, rule.effective_on) == (
            "《食品经营许可管理办法》", "部门规章", date(2015, 10, 1),
        )  # fmt: skip
        assert rule.repealed_on == date(2023, 12, 1)
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "import.update"))
        assert event is not None and event.before["status"] == "现行有效"


def test_law_dates_that_are_not_dates_or_out_of_order_are_named(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    rows = [
        ["甲法", "", "法律", "现行有效", "", "2020-13-01", None, None],
        ["乙条例", "", "行政法规", "现行有效", "", "2021-01-01", "2020-01-01", None],
        ["丙办法", "", "部门规章", "已失效", "", None, None, None],
        ["丁规定", "", "部门规章", "已废止", "", None, None, None],
    ]
    errors = _rejected(world, "laws", flat_xlsx(tmp_path / "法规库.xlsx", LAW_HEADERS, rows))

    assert [(e.row, e.column) for e in errors] == [
        (2, "F 公布日期"), (3, "G 施行日期"), (4, "D 时效性"), (5, "H 废止日期"),
    ]  # fmt: skip
    assert "“2020-13-01”不是日期" in errors[0].message
    assert errors[1].message == "施行日期早于公布日期"
    assert "可选：现行有效、已修改、已废止、尚未生效" in errors[2].message


def test_catalog_decisions_import_and_update(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    headers = ["事项编码", "事项名称", "权力类型", "实施部门", "调整方式", "决定文件", "决定日期"]
    first = [
        ["3302170009", "食品小作坊登记", "备案", MARKET, "下放", "内政发〔2025〕3号", "2025-06-01"]
    ]
    _import(world, "catalog", flat_xlsx(tmp_path / "目录1.xlsx", headers, first))
    second = [
        [
            "3302170009",
            "食品小作坊登记",
            "行政备案",
            MARKET,
            "取消",
            "内政发〔2026〕8号",
            "2026-05-01",
        ]
    ]
    result = _import(world, "catalog", flat_xlsx(tmp_path / "目录2.xlsx", headers, second))

    assert result.counts.updated == 1
    with session_scope(world) as session:
        (entry,) = session.scalars(select(UpperCatalogEntry)).all()
        assert (entry.category, entry.decision, entry.level) == ("行政备案", "取消", "市")


def test_delegations_create_new_units_and_refuse_unknown_items(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    _import(world, "items", published_list_xlsx(tmp_path / "清单.xlsx"))
    headers = ["事项编码", "子项", "委托部门", "承接单位", "所属旗县区", "方式", "起始日期"]
    rows = [
        ["3302170003", "", "市场监管局", "青山区市场监督管理局", "", "委托", "2025-01-01"],
        ["3302170001", "食品经营许可（新办）", MARKET, "昆都仑区市场监督管理局", "昆都仑区",
         "下放", "2025-03-01"],
    ]  # fmt: skip
    result = _import(world, "delegations", flat_xlsx(tmp_path / "下放.xlsx", headers, rows))

    assert result.counts.created == 2
    assert any("昆都仑区市场监督管理局" in note for note in result.notes)
    with session_scope(world) as session:
        assert session.scalar(select(ReceivingUnit).where(ReceivingUnit.district == "昆都仑区"))
        assert len(session.scalars(select(Delegation)).all()) == 2

    bad = [
        ["3302170001", "", MARKET, "青山区市场监督管理局", "", "委托", "2025-01-01"],
        ["9999", "", MARKET, "青山区市场监督管理局", "", "委托", "2025-01-01"],
        ["3302170002", "", MARKET, "东河区某单位", "", "委托", "2025-01-01"],
    ]
    errors = _rejected(world, "delegations", flat_xlsx(tmp_path / "错.xlsx", headers, bad))
    assert [e.message for e in errors] == [
        "编码“3302170001”对应多个子项，请填写“子项”列",
        "该部门没有编码为“9999”的事项",
        "找不到承接单位“东河区某单位”（新单位请填写“所属旗县区”）",
    ]


def test_handling_stats_by_month_with_consistency_checks(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    _import(world, "items", published_list_xlsx(tmp_path / "清单.xlsx"))
    delegation = [["3302170003", MARKET, "青山区市场监督管理局", "委托", "2025-01-01"]]
    _import(world, "delegations", flat_xlsx(tmp_path / "d.xlsx",
            ["事项编码", "委托部门", "承接单位", "方式", "起始日期"], delegation))  # fmt: skip
    headers = ["事项编码", "承接单位", "月份", "受理数", "办结数", "按时办结数", "超期数", "投诉数"]
    rows = [
        ["3302170003", "青山区市场监督管理局", "2026年3月", 12, 10, 9, 1, 0],
        ["3302170003", "青山区市场监督管理局", "2026-04", "８", 8, 8, 0, 1],
    ]
    path = write_csv(tmp_path / "办件.csv", [headers, *rows], "gb18030")
    assert _import(world, "handling", path).counts.created == 2
    with session_scope(world) as session:
        stats = session.scalars(select(HandlingStat).order_by(HandlingStat.month)).all()
        assert [(s.month, s.received, s.on_time) for s in stats] == [
            (date(2026, 3, 1), 12, 9), (date(2026, 4, 1), 8, 8),
        ]  # fmt: skip

    bad = [
        ["3302170003", "青山区市场监督管理局", "2026-05", 5, 3, 4, 0, 0],
        ["3302170003", "青山区市场监督管理局", "2024-12", 5, 3, 3, 0, 0],
        ["3302170003", "青山区市场监督管理局", "2026-06", -1, 0, 0, 0, 0],
    ]
    errors = _rejected(world, "handling", flat_xlsx(tmp_path / "错.xlsx", headers, bad))
    assert [(e.row, e.column, e.message) for e in errors] == [
        (2, "F 按时办结数", "按时办结数与超期数之和大于办结数（4 > 3）"),
        (3, "A 事项编码", "事项“3302170003”在2024年12月未下放或委托给“青山区市场监督管理局”"),
        (4, "D 受理数", "“-1”不是非负整数；请填写 0 或正整数"),
    ]


def test_staff_roster_and_training_with_exam_results(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    roster = [
        [
            "QS001",
            "张敏",
            "青山区市场监督管理局",
            "执法人员",
            "15020001",
            "zhangmin@qs.gov.cn",
            "是",
        ],
        ["QS003", "王芳", "u00001", "负责人", "", "", "是"],
    ]
    headers = ["工号", "姓名", "所在单位", "岗位", "执法证号", "邮箱", "在岗"]
    result = _import(world, "staff", flat_xlsx(tmp_path / "名册.xlsx", headers, roster))
    assert (result.counts.created, result.counts.updated) == (1, 1)

    training = [
        ["QS001", "张敏", "TR-DELEG", "2026-03-15", 8, "食品经营许可审查要点", None],
        ["QS002", "李强", "学法考法年度考试", "2026-09-10", None, None, 86],
        ["QS003", "王芳", "EX-LAW", "2026-09-12", None, None, 55],
    ]
    headers = ["工号", "姓名", "培训项目", "完成日期", "学时", "培训内容", "成绩"]
    _import(world, "training", flat_xlsx(tmp_path / "培训.xlsx", headers, training))
    with session_scope(world) as session:
        (record,) = session.scalars(select(TrainingRecord)).all()
        assert (record.hours, record.completed_on) == (8, date(2026, 3, 15))
        results = session.scalars(select(ExamResult).order_by(ExamResult.score)).all()
        assert [(r.score, r.passed) for r in results] == [(55, False), (86, True)]
        person = session.scalar(select(Staff).where(Staff.staff_no == "QS001"))
        assert person is not None and person.email == "zhangmin@qs.gov.cn"

    bad = [
        ["QS009", "赵六", "TR-DELEG", "2026-03-15", 8, None, None],
        ["QS001", "李强", "TR-DELEG", "2026-03-16", 8, None, None],
        ["QS001", "张敏", "不存在的培训", "2026-03-17", 8, None, None],
        ["QS002", "李强", "EX-LAW", "2026-09-10", None, None, 120],
    ]
    errors = _rejected(world, "training", flat_xlsx(tmp_path / "错.xlsx", headers, bad))
    assert [(e.row, e.column) for e in errors] == [
        (2, "A 工号"), (3, "B 姓名"), (4, "C 培训项目"), (5, "G 成绩"),
    ]  # fmt: skip


def test_a_refused_kind_import_writes_nothing(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    before = table_counts(world)
    rows = [["QS001", "张敏", "青山区市场监督管理局", "执法人员", "", "not-an-email", "是"]]
    headers = ["工号", "姓名", "所在单位", "岗位", "执法证号", "邮箱", "在岗"]
    errors = _rejected(world, "staff", flat_xlsx(tmp_path / "名册.xlsx", headers, rows))
    assert errors[0].message == "“not-an-email”不是有效的邮箱地址"
    assert table_counts(world) == before
