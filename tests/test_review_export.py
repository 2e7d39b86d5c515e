"""The adjusted list: published layout, three catalogues, and the diff against last year."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import Engine, select

from powerlist import db
from powerlist.models import PowerItem
from powerlist.review.decisions import import_decisions
from powerlist.review.export import PUBLISHED_HEADERS, export_list
from powerlist.review.verdicts import import_verdicts, write_verdict_workbook
from tests.fixtures_review import at_as_of, build_world, run_job
from tests.sheet_table import table_rows
from tests.test_review_decisions import WORKBOOK, decide, fill


def sheet_rows(path: Path, title: str) -> list[tuple[object, ...]]:
    """Header and data rows, below the sheet's title row (checked)."""
    return table_rows(load_workbook(path, read_only=True)[title])


def test_export_after_decisions_round_trips_every_item(engine: Engine, tmp_path: Path) -> None:
    build_world(engine)
    with at_as_of():
        run_job(engine, "2026", "all", tmp_path / "out")
    filled = fill(tmp_path / "out" / WORKBOOK, tmp_path / "filled.xlsx", {
        "CF004": ("取消", "无法律依据", "包府办发〔2026〕8号"),
        "CF003": ("取消", "与他项重复", "包府办发〔2026〕8号"),
    }, {"青山区生态环境分局": ("收回", "评估不合格")}, [
        {"项目编码": "CF006", "承接单位": "昆都仑区生态环境分局", "所在旗县区": "昆都仑区",
         "单位类型": "旗县区部门", "部门意见": "下放", "说明/理由": "基层就近办理"},
    ])  # fmt: skip
    with at_as_of(), db.session_scope(engine) as s:
        run_id = import_decisions(s, filled).run_id
        office = write_verdict_workbook(s, run_id or 0, tmp_path / "office").path
    verdicts = decide(office, tmp_path / "verdicts.xlsx", {
        "CF004": ("同意", ""), "CF007": ("同意", ""), "CF006": ("同意", ""),
        "CF003": ("不同意", "两项处罚情形不同"),
    })  # fmt: skip
    with at_as_of(), db.session_scope(engine) as s:
        import_verdicts(s, verdicts)
    with at_as_of(), db.session_scope(engine) as s:
        result = export_list(s, 2026, tmp_path / "published")
        items = s.scalars(select(PowerItem)).all()
    path = result.workbook.artifact.path
    assert path.name == "2026年度权责清单（动态调整后）.xlsx"
    assert load_workbook(path).sheetnames == ["说明", "权责清单"]
    books = result.catalogues.artifact.path
    assert books.name == "2026年度权责清单调整目录及对照.xlsx"
    listed = sheet_rows(path, "权责清单")
    assert listed[0] == PUBLISHED_HEADERS
    in_force = {(i.code, i.name) for i in items if i.status != "取消"}
    assert {(r[2], r[3]) for r in listed[1:]} == in_force
    assert len(listed) - 1 == len([i for i in items if i.status != "取消"])
    assert [r[0] for r in listed[1:]] == list(range(1, len(listed)))
    cancelled = {r[2]: r[10] for r in sheet_rows(books, "取消事项目录")[1:]}
    assert cancelled == {
        "CF004": "取消理由：无法律依据；依据：包府办发〔2026〕8号；取消日期：2026-11-01",
        "CF008": "取消",
    }
    handed = {r[2]: r[10] for r in sheet_rows(books, "下放和委托事项目录")[1:]}
    assert handed == {"CF006": "下放至昆都仑区生态环境分局"}
    by_code = {r[2]: r for r in listed[1:]}
    assert by_code["CF002"][5] == "《中华人民共和国城市规划法》第十条"
    assert by_code["CF101"][6] == "包头市环境保护局"
    changes = {(r[0], r[1], r[5]) for r in sheet_rows(books, "调整对照")[1:]}
    assert changes == {
        ("取消", "CF004", "状态"), ("收回", "CF007", "承接单位"), ("下放", "CF006", "承接单位"),
    }  # fmt: skip
    took_back = next(r for r in sheet_rows(books, "调整对照")[1:] if r[1] == "CF007")
    assert took_back[7] == "收回：青山区生态环境分局（2026-11-01）"
    assert result.counts["changes"] == 3


def test_next_year_diffs_against_the_published_snapshot(engine: Engine, tmp_path: Path) -> None:
    ids = build_world(engine)
    with db.session_scope(engine) as s:
        export_list(s, 2026, tmp_path)
    with db.session_scope(engine) as s:
        item = s.get_one(PowerItem, ids["A"])
        item.name = "对超标排放大气污染物的处罚"
        s.get_one(PowerItem, ids["L"]).responsibilities = "受理、审查、决定、送达、监管"
        s.add(PowerItem(code="CF011", name="对违规露天焚烧的处罚", category="行政处罚",
                        department_id=ids["sthjj"], status="保留"))  # fmt: skip
    with db.session_scope(engine) as s:
        result = export_list(s, 2027, tmp_path)
    assert "2026年度公布清单" in result.baseline
    rows = sheet_rows(result.catalogues.artifact.path, "调整对照")[1:]
    kinds = {(r[0], r[1], r[5]) for r in rows}
    assert kinds == {
        ("要素变更", "CF001", "项目名称"),
        ("要素变更", "XK201", "责任事项"),
        ("新增", "CF011", None),
    }
    renamed = next(r for r in rows if r[1] == "CF001")
    assert "对排放大气污染物超标的处罚" in renamed[6] and "对超标排放大气污染物的处罚" in renamed[7]
