"""Importing a department's published power list (权责清单), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import PatternFill
from sqlalchemy import Engine, select, text

from powerlist.db import session_scope
from powerlist.excel import Column, TableSheet, WorkbookInfo, build_workbook
from powerlist.imports import ImportRejected, import_file
from powerlist.imports import run as import_run
from powerlist.models import AuditEvent, Department, ItemBasis, LegalBasis, PowerItem
from tests.fixtures_sheets import (
    EXPECTED_ITEMS,
    MAIN_ROWS,
    MARKET,
    PENALTY_ROW,
    PUBLISHED_HEADERS,
    flat_xlsx,
    published_list_rows,
    published_list_xlsx,
    settings_env,
    table_counts,
    world,
    write_csv,
)
from tests.sheet_table import HEADER_ROW, header_of

__all__ = ["settings_env", "world"]


def _items(engine: Engine) -> dict[tuple[str, str | None], dict]:
    with session_scope(engine) as session:
        out = {}
        for item in session.scalars(select(PowerItem)):
            bases = session.execute(
                select(LegalBasis.title, ItemBasis.articles)
                .join(ItemBasis, ItemBasis.basis_id == LegalBasis.id)
                .where(ItemBasis.item_id == item.id)
                .order_by(ItemBasis.id)
            ).all()
            out[(item.code, item.sub_item)] = {
                "name": item.name, "category": item.category, "unit": item.unit,
                "remarks": item.remarks, "extra": item.extra, "version": item.version,
                "bases": [tuple(b) for b in bases], "department_id": item.department_id,
            }  # fmt: skip
        return out


def _import(engine: Engine, path: Path, **options: object):
    with session_scope(engine) as session:
        return import_file(session, "items", path, **options)  # type: ignore[arg-type]


def test_published_list_imports_every_main_item_and_sub_item(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    result = _import(world, published_list_xlsx(tmp_path / "市场监管局权责清单.xlsx"))

    assert result.rows == 5 and result.counts.created == 5
    items = _items(world)
    assert set(items) == EXPECTED_ITEMS
    licence = items[("3302170001", "食品经营许可（新办）")]
    assert licence["name"] == "食品经营许可"
    assert licence["category"] == "行政许可"
    assert licence["bases"] == [
        ("《中华人民共和国食品安全法》", "第三十五条第一款"),
        ("《食品经营许可和备案管理办法》", "第二条"),
        ("《中华人民共和国行政许可法》", "第十二条"),
    ]
    assert licence["extra"] == {"联系电话": "0472-5110001"}
    # the merged main item and its basis cover every sub-item row
    renewal = items[("3302170001", "食品经营许可（延续）")]
    assert renewal["name"] == "食品经营许可" and len(renewal["bases"]) == 3
    assert renewal["remarks"] == "按年度统计"
    seizure = items[("3302170002", None)]
    assert seizure["category"] == "行政强制"
    assert seizure["name"] == "查封、扣押不符合食品安全标准的食品"
    penalty = items[("3302170003", None)]
    assert penalty["category"] == "行政处罚"
    assert penalty["bases"] == [("《中华人民共和国食品安全法》", "第一百二十二条")]
    assert any("食品经营许可和备案管理办法" in note for note in result.notes)


def test_gbk_csv_export_of_the_same_list_imports_the_same(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    path = write_csv(tmp_path / "清单.csv", published_list_rows(), "gb18030")

    result = _import(world, path)

    assert result.counts.created == 5
    items = _items(world)
    assert set(items) == EXPECTED_ITEMS
    assert items[("3302170001", "食品经营许可（变更）")]["name"] == "食品经营许可"
    assert items[("3302170001", "食品经营许可（变更）")]["category"] == "行政许可"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8"])
def test_utf8_csv_with_or_without_bom_imports(
    world: Engine, tmp_path: Path, settings_env: object, encoding: str
) -> None:
    path = write_csv(tmp_path / "清单.csv", published_list_rows(), encoding)

    assert _import(world, path).counts.created == 5


def test_importing_the_same_file_twice_changes_nothing(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    path = published_list_xlsx(tmp_path / "清单.xlsx")
    _import(world, path)
    before = table_counts(world)

    again = _import(world, path)

    assert again.already_imported
    assert table_counts(world) == before


def test_a_changed_file_updates_rows_with_audit_before_and_after(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    _import(world, published_list_xlsx(tmp_path / "v1.xlsx"))
    changed = tmp_path / "v2.xlsx"
    published_list_xlsx(changed)
    wb = openpyxl.load_workbook(changed)
    wb.active["H8"] = "食品安全抽检科"  # 承办机构 of 查封、扣押
    wb.active["F11"] = "《中华人民共和国食品安全法》第一百二十三条"
    wb.save(changed)

    result = _import(world, changed, actor="liaison:scjgj")

    assert (result.counts.created, result.counts.updated, result.counts.unchanged) == (0, 2, 3)
    items = _items(world)
    assert items[("3302170002", None)]["unit"] == "食品安全抽检科"
    assert items[("3302170002", None)]["version"] == 2
    assert items[("3302170003", None)]["bases"] == [
        ("《中华人民共和国食品安全法》", "第一百二十三条")
    ]
    with session_scope(world) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "import.update").order_by(AuditEvent.id)
        ).all()
        assert [e.actor for e in events] == ["liaison:scjgj"] * 2
        assert events[0].before["unit"] == "执法稽查科"
        assert events[0].after == {"unit": "食品安全抽检科"}
        assert events[1].before["legal_bases"] == ["《中华人民共和国食品安全法》第一百二十二条"]
        assert events[1].after["legal_bases"] == ["《中华人民共和国食品安全法》第一百二十三条"]


BAD_ROWS = [
    [4, "行政许可证", "3302170004", "食品生产许可", None, "", MARKET, "", "", "", None, None],
    [5, "行政检查", "3302170005", "", None, "", MARKET, "", "", "", None, None],
    [6, "行政处罚", "3302170003", "对食品经营者未按规定公示的处罚", None, "", MARKET, "", "", "",
     None, None],
]  # fmt: skip


def test_three_bad_rows_are_refused_with_three_precise_messages_and_nothing_written(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    path = published_list_xlsx(tmp_path / "有错的清单.xlsx", extra_rows=BAD_ROWS)
    before = table_counts(world)

    with pytest.raises(ImportRejected) as caught:
        _import(world, path, error_dir=tmp_path / "errors")

    rejected = caught.value
    assert table_counts(world) == before
    messages = [str(e) for e in rejected.errors]
    assert len(messages) == 3, messages
    unknown, empty, duplicate = sorted(rejected.errors, key=lambda e: e.row or 0)
    assert (unknown.sheet, unknown.row, unknown.column) == ("权责清单", 12, "B 权力类型")
    assert "未知的权力类型“行政许可证”" in unknown.message
    assert (empty.row, empty.column) == (13, "D 主项名称")
    assert "为空" in empty.message
    assert (duplicate.row, duplicate.column) == (14, "C 项目编码")
    assert "重复（与第11行相同）" in duplicate.message
    assert messages[0].startswith("有错的清单.xlsx 工作表“权责清单” 第12行 “B 权力类型”列")

    book = openpyxl.load_workbook(rejected.error_workbook)
    ws = book["权责清单"]
    headers = header_of(ws)
    assert headers[0] == "原行号" and headers[-1] == "错误说明"
    by_source_row = {row[0].value: row for row in ws.iter_rows(min_row=HEADER_ROW + 1)}
    assert set(by_source_row) == {5, 6, 7, 8, 11, 12, 13, 14}
    bad_type = by_source_row[12][headers.index("权力类型")]
    assert bad_type.value == "行政许可证"
    assert bad_type.fill.fgColor.rgb.endswith("FFC7CE")
    assert "未知的权力类型" in bad_type.comment.text
    assert "未知的权力类型" in by_source_row[12][-1].value
    assert by_source_row[5][-1].value is None


def test_the_error_workbook_has_only_the_files_columns(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    path = published_list_xlsx(tmp_path / "有错的清单.xlsx", extra_rows=BAD_ROWS)
    wb = openpyxl.load_workbook(path)
    ws = wb["权责清单"]
    file_columns = ws.max_column
    for row in range(1, ws.max_row + 1):  # formatted but empty cells right of the table
        ws.cell(row, file_columns + 8).fill = PatternFill("solid", fgColor="FFFF00")
    wb.save(path)

    with pytest.raises(ImportRejected) as caught:
        _import(world, path, error_dir=tmp_path / "errors")

    book = openpyxl.load_workbook(caught.value.error_workbook, read_only=True)
    title, headers = book["权责清单"].iter_rows(max_row=2, values_only=True)
    assert str(title[0]).endswith("　导入权责清单（错误清单）　权责清单"), title
    assert len(headers) == file_columns + 2, headers
    assert headers[0] == "原行号" and headers[-1] == "错误说明"
    assert not [h for h in headers if str(h).startswith("列")], headers


def test_the_corrected_error_workbook_imports(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    path = published_list_xlsx(tmp_path / "有错的清单.xlsx", extra_rows=BAD_ROWS)
    with pytest.raises(ImportRejected) as caught:
        _import(world, path, error_dir=tmp_path)
    fixed = tmp_path / "改好的清单.xlsx"
    wb = openpyxl.load_workbook(caught.value.error_workbook)
    ws = wb["权责清单"]
    headers = header_of(ws)
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        cells = {h: c for h, c in zip(headers, row, strict=True)}
        if cells["原行号"].value == 12:
            cells["权力类型"].value = "行政许可"
        if cells["原行号"].value == 13:
            cells["主项名称"].value = "食品安全监督检查"
        if cells["原行号"].value == 14:
            cells["项目编码"].value = "3302170006"
    wb.save(fixed)

    result = _import(world, fixed)

    assert result.counts.created == 8
    assert ("3302170006", None) in _items(world)
    # the error workbook's own columns (原行号, 错误说明) are not kept as extra list columns
    leaked = [
        (code, key)
        for code, item in _items(world).items()
        for key in (item["extra"] or {})
        if key in ("原行号", "错误说明")
    ]
    assert leaked == []


def test_dry_run_counts_but_writes_nothing(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    before = table_counts(world)

    result = _import(world, published_list_xlsx(tmp_path / "清单.xlsx"), dry_run=True)

    assert result.dry_run and result.counts.created == 5
    assert table_counts(world) == before


def test_the_published_layout_export_reimports(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    rows = [
        [1, "行政许可", "3302170001", "食品经营许可", "食品经营许可（新办）",
         "《中华人民共和国食品安全法》第三十五条", MARKET, "食品经营科", "受理", "不依法受理的",
         ""],
        [2, "行政处罚", "3302170003", "对未取得许可从事食品经营的处罚", "",
         "《中华人民共和国食品安全法》第一百二十二条", "市场监管局", "执法稽查科", "处罚",
         "滥用职权的", "=HYPERLINK(\"http://x\")"],
    ]  # fmt: skip
    columns = [Column(h, wrap=h in ("实施依据", "责任事项")) for h in PUBLISHED_HEADERS]
    exported = build_workbook(
        tmp_path / "公布.xlsx",
        WorkbookInfo(job="权责清单公布", period="2026", department=MARKET),
        [TableSheet("权责清单", columns, rows)],
    )

    result = _import(world, exported.path)

    assert result.counts.created == 2
    items = _items(world)
    assert items[("3302170003", None)]["remarks"] == '=HYPERLINK("http://x")'
    with session_scope(world) as session:
        market = session.scalar(select(Department).where(Department.name == MARKET))
        assert market is not None
        assert {i["department_id"] for i in items.values()} == {market.id}


def test_unknown_department_and_missing_column_are_named(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    headers = ["事项编码", "事项名称", "事项类型", "实施主体"]
    path = flat_xlsx(tmp_path / "x.xlsx", headers, [["1", "某事项", "行政检查", "市不存在局"]])
    with pytest.raises(ImportRejected) as caught:
        _import(world, path, error_dir=tmp_path)
    (error,) = caught.value.errors
    assert (error.row, error.column) == (
        2,
        "D 实施主体",
    ) and "找不到部门“市不存在局”" in error.message

    no_department = flat_xlsx(tmp_path / "y.xlsx", headers[:3], [["1", "某事项", "行政检查"]])
    with pytest.raises(ImportRejected) as caught:
        _import(world, no_department, error_dir=tmp_path)
    (error,) = caught.value.errors
    assert error.row is None and "缺少必填列（实施主体" in error.message


def test_rows_list_the_rows_as_published() -> None:
    assert MAIN_ROWS[0][3] == "食品经营许可" and PENALTY_ROW[2] == "3302170003"


def test_synonym_headers_and_one_sheet_per_type_are_all_read(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    import openpyxl as xl

    path = tmp_path / "分类清单.xlsx"
    wb = xl.Workbook()
    licences = wb.active
    licences.title = "行政许可"
    licences.append(["职权编码", "职 权 名 称（必填）", "职权类型*", "责任主体", "法定依据"])
    licences.append(
        [
            "A001",
            "食品生产许可",
            "行政许可事项",
            "市场监管局",
            "《中华人民共和国行政许可法》第十二条",
        ]
    )
    checks = wb.create_sheet("行政检查")
    checks.append(["编码", "事项名称", "事项类型", "实施部门"])
    checks.append(["B001", "食品安全监督检查", "监督检查", MARKET])
    hidden = wb.create_sheet("旧版")
    hidden.append(["编码", "事项名称", "事项类型", "实施部门"])
    hidden.append(["C001", "旧事项", "检查", MARKET])
    hidden.sheet_state = "hidden"
    wb.save(path)

    result = _import(world, path)

    assert result.counts.created == 2
    items = _items(world)
    assert items[("A001", None)]["category"] == "行政许可"
    assert items[("A001", None)]["bases"] == [("《中华人民共和国行政许可法》", "第十二条")]
    assert items[("B001", None)]["category"] == "行政检查"


def _planner_rows(engine: Engine, table: str) -> float | None:
    """PostgreSQL's row estimate for a table (what ANALYZE records), None on SQLite."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT reltuples FROM pg_class WHERE relname = :table"), {"table": table}
        ).scalar_one()


def test_a_large_import_refreshes_the_planner_statistics(
    world: Engine, tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    assert _planner_rows(world, "power_items") in (None, -1.0, 0.0)  # never analyzed yet
    settings_env.setattr(import_run, "ANALYZE_AFTER_ROWS", 5)  # "large": this file's 5 rows
    _import(world, published_list_xlsx(tmp_path / "市场监管局权责清单.xlsx"))
    # with stale estimates (autovacuum off or behind) a department's queries chose nested
    # loops over whole tables: 1 s instead of 1 ms each at province scale
    assert _planner_rows(world, "power_items") in (None, 5.0)
