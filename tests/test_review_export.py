"""The adjusted list: published layout, three catalogues, and the diff against last year."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import Engine, select

from powerlist import db
from powerlist.models import PowerItem
from powerlist.review.decisions import import_decisions
from powerlist.review.export import PUBLISHED_HEADERS, export_list
from tests.fixtures_review import at_as_of, build_world, run_job
from tests.test_review_decisions import WORKBOOK, fill


def sheet_rows(path: Path, title: str) -> list[tuple[object, ...]]:
    sheet = load_workbook(path, read_only=True)[title]
    return list(sheet.iter_rows(values_only=True))


def test_export_after_decisions_round_trips_every_item(engine: Engine, tmp_path: Path) -> None:
    build_world(engine)
    with at_as_of():
        run_job(engine, "2026", "all", tmp_path / "out")
    filled = fill(tmp_path / "out" / WORKBOOK, tmp_path / "filled.xlsx", {
        "CF004": ("取消", "无法律依据"), "CF007": ("收回", "评估不合格"),
        "CF006": ("下放", "基层就近办理"),
    })  # fmt: skip
    with db.session_scope(engine) as s:
        import_decisions(s, filled)
    with db.session_scope(engine) as s:
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
    cancelled = {r[2] for r in sheet_rows(books, "取消事项目录")[1:]}
    assert cancelled == {"CF004", "CF008"}
    handed = {r[2]: r[10] for r in sheet_rows(books, "下放和委托事项目录")[1:]}
    assert handed == {"CF006": "下放至承接单位待定"}
    by_code = {r[2]: r for r in listed[1:]}
    assert by_code["CF002"][5] == "《中华人民共和国城市规划法》第十条"
    assert by_code["CF101"][6] == "包头市环境保护局"
    changes = {(r[0], r[1]) for r in sheet_rows(books, "调整对照")[1:]}
    assert changes == {("取消", "CF004"), ("收回", "CF007"), ("下放", "CF006")}
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
