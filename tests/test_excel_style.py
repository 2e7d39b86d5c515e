"""The report style: what a user sees when a powerlist workbook is opened (read with openpyxl)."""

from __future__ import annotations

import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, select

from powerlist.artifacts import sha256_of
from powerlist.db import session_scope
from powerlist.excel import (
    BAD,
    GOOD,
    METADATA_SHEET,
    NOTES_SHEET,
    Column,
    Formula,
    MetadataError,
    TableSheet,
    WorkbookInfo,
    build_workbook,
    csv_safe,
    read_metadata,
    report_for,
)
from powerlist.models import Report, Run

HOSTILE = ['=HYPERLINK("http://evil","x")', "+1+1", "-2", "@SUM(A1)", "\t=1", "=1+1"]
DECISIONS = ("保留", "取消", "修改", "下放", "委托", "收回")

COLUMNS = [
    Column("事项编码"),
    Column("事项名称"),
    Column("实施依据", wrap=True),
    Column("处理决定", choices=DECISIONS, colors={"保留": GOOD, "取消": BAD}),
    Column("办件量", kind="int"),
    Column("按时办结率", kind="percent"),
    Column("上次审核", kind="date"),
]


def _rows(count: int) -> list[tuple[object, ...]]:
    return [
        (
            f"0101{i:04d}",
            f"对违反食品安全法行为的行政处罚{i}",
            "《中华人民共和国食品安全法》第一百二十二条\n" * 3,
            "保留",
            i,
            0.875,
            date(2026, 1, 1),
        )
        for i in range(count)
    ]


INFO = WorkbookInfo(
    job="年度审核",
    period="2026",
    department="市市场监督管理局",
    generated_at=datetime(2026, 11, 1, 9, 30),
    sources=("权责清单数据库", "法律法规库"),
    metadata={"run_id": "17", "department": "0101"},
)


def test_table_sheet_has_chinese_headers_frozen_row_filter_and_print_setup(tmp_path: Path) -> None:
    written = build_workbook(
        tmp_path / "审核.xlsx", INFO, [TableSheet("审核清单", COLUMNS, _rows(30), title_row=False)]
    )

    wb = openpyxl.load_workbook(written.path)
    ws = wb["审核清单"]
    assert [c.value for c in ws[1]] == [c.header for c in COLUMNS]
    assert ws["A1"].font.b
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G31"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9
    # Our own scale, never below 60 % (body text >= 6 pt), not "fit to width".
    assert 60 <= (ws.page_setup.scale or 100) <= 100  # absent: 100 %
    assert not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"
    assert ws["C2"].alignment.wrap_text
    assert ws["F2"].number_format == "0.0%"
    assert ws["G2"].value == datetime(2026, 1, 1)
    assert wb.active.title == "审核清单"


def test_every_body_cell_wraps_and_top_aligns_and_has_borders(tmp_path: Path) -> None:
    """Text wraps in every column (the body format), so long values never spill or hide."""
    written = build_workbook(
        tmp_path / "w.xlsx", INFO, [TableSheet("清单", COLUMNS, _rows(3), title_row=False)]
    )

    ws = openpyxl.load_workbook(written.path)["清单"]
    for ref in ("A2", "B2", "C2", "D3", "E2", "F2", "G2"):
        assert ws[ref].alignment.wrap_text, ref
        assert ws[ref].alignment.vertical == "top", ref
        assert ws[ref].border.left.style == "thin", ref  # the printed table has its grid
    assert ws["E2"].value == 0 and ws["F2"].number_format == "0.0%"
    assert ws["G2"].number_format == "yyyy-mm-dd"
    assert ws["A1"].alignment.horizontal == "center"  # the header keeps its own style


def test_column_widths_fit_chinese_text(tmp_path: Path) -> None:
    written = build_workbook(tmp_path / "w.xlsx", INFO, [TableSheet("清单", COLUMNS, _rows(3))])

    ws = openpyxl.load_workbook(written.path)["清单"]
    name_width = ws.column_dimensions["B"].width
    # 对违反食品安全法行为的行政处罚0: 15 CJK characters (2 units each) and one digit
    assert name_width >= 31
    assert ws.column_dimensions["A"].width < name_width
    assert ws.column_dimensions["C"].width <= 50  # wrapped legal text stays readable


def test_decision_column_has_drop_down_and_status_colours(tmp_path: Path) -> None:
    written = build_workbook(
        tmp_path / "w.xlsx", INFO, [TableSheet("清单", COLUMNS, _rows(5), title_row=False)]
    )

    ws = openpyxl.load_workbook(written.path)["清单"]
    (validation,) = ws.data_validations.dataValidation
    assert validation.type == "list"
    assert validation.formula1 == '"保留,取消,修改,下放,委托,收回"'
    assert str(validation.sqref) == "D2:D6"
    rules = {str(cf.sqref): [r.formula[0] for r in cf.rules] for cf in ws.conditional_formatting}
    assert rules == {"D2:D6": ['"保留"', '"取消"']}


def test_a_title_row_names_department_period_and_sheet_above_the_header(tmp_path: Path) -> None:
    """The title row (on unless title_row=False): merged across, bold and larger; header,
    filter, drop-downs, colours, frozen panes and printed title rows all move down one row."""
    sheets = [
        TableSheet("清单", COLUMNS, _rows(5)),
        TableSheet("无标题", COLUMNS, _rows(1), title_row=False),
    ]
    written = build_workbook(tmp_path / "w.xlsx", INFO, sheets)

    ws = openpyxl.load_workbook(written.path)["清单"]
    assert ws["A1"].value == "市市场监督管理局　2026　年度审核　清单"
    assert ws["A1"].font.b and ws["A1"].font.sz > 11
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:G1"]
    assert [c.value for c in ws[2]] == [c.header for c in COLUMNS]
    assert ws["A3"].value == "01010000" and ws.max_row == 7
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:G7"
    assert ws.print_title_rows == "$1:$2"
    (validation,) = ws.data_validations.dataValidation
    assert str(validation.sqref) == "D3:D7"
    assert {str(cf.sqref) for cf in ws.conditional_formatting} == {"D3:D7"}
    plain = openpyxl.load_workbook(written.path)["无标题"]
    assert plain["A1"].value == "事项编码" and plain.freeze_panes == "A2"


def test_a_formula_is_written_without_a_cached_value_so_it_is_computed_on_opening(
    tmp_path: Path,
) -> None:
    columns = [Column("截止日期", kind="date"), Column("状态")]
    rows = [(date(2026, 1, 1), Formula('=IF(A2<TODAY(),"逾期","未到期")'))]
    written = build_workbook(
        tmp_path / "w.xlsx", INFO, [TableSheet("表", columns, rows, title_row=False)]
    )

    ws = openpyxl.load_workbook(written.path)["表"]
    assert ws["B2"].data_type == "f" and ws["B2"].value == '=IF(A2<TODAY(),"逾期","未到期")'
    cached = openpyxl.load_workbook(written.path, data_only=True)["表"]["B2"].value
    assert cached in (None, "")  # no stale value: the spreadsheet computes it


def test_long_choice_lists_live_on_a_hidden_sheet(tmp_path: Path) -> None:
    units = tuple(f"某某旗某某苏木镇人民政府第{i}号综合行政执法队" for i in range(20))
    sheet = TableSheet("委托", [Column("接收单位", choices=units)], [("",)])
    written = build_workbook(tmp_path / "w.xlsx", INFO, [sheet])

    wb = openpyxl.load_workbook(written.path)
    (validation,) = wb["委托"].data_validations.dataValidation
    assert validation.formula1 == "'_lists'!$A$1:$A$20"
    assert wb["_lists"].sheet_state == "hidden"
    assert [r[0].value for r in wb["_lists"].iter_rows()] == list(units)


def test_user_text_never_becomes_a_formula(tmp_path: Path) -> None:
    columns = [Column("名称"), Column("依据", wrap=True), Column("数量", kind="int")]
    rows = [(text, text, text) for text in HOSTILE]
    written = build_workbook(
        tmp_path / "w.xlsx", INFO, [TableSheet("清单", columns, rows, title_row=False)]
    )

    with zipfile.ZipFile(written.path) as archive:
        sheet_xml = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"<f>" in xml or b"<f " in xml for xml in sheet_xml)
    ws = openpyxl.load_workbook(written.path)["清单"]
    for row, text in zip(ws.iter_rows(min_row=2), HOSTILE, strict=True):
        assert [cell.value for cell in row] == [text] * 3
        assert all(cell.data_type == "s" for cell in row)
        assert all(cell.quotePrefix for cell in row)


def test_notes_sheet_says_job_period_department_time_sources_and_counts(tmp_path: Path) -> None:
    sheets = [
        TableSheet("清单", COLUMNS, _rows(12)),
        TableSheet("汇总", [Column("部门")], [("甲",)]),
    ]
    written = build_workbook(tmp_path / "w.xlsx", INFO, sheets)

    wb = openpyxl.load_workbook(written.path)
    assert wb.sheetnames[0] == NOTES_SHEET
    notes = {row[0]: row[1] for row in wb[NOTES_SHEET].iter_rows(min_row=2, values_only=True)}
    assert notes["任务"] == "年度审核"
    assert notes["期间"] == "2026"
    assert notes["部门"] == "市市场监督管理局"
    assert notes["生成时间"] == "2026-11-01 09:30:00"
    assert notes["数据来源"] == "权责清单数据库\n法律法规库"
    assert notes["清单"] == 12 and notes["汇总"] == 1
    assert written.rows == {"清单": 12, "汇总": 1}
    assert written.total_rows == 13


def test_written_file_is_recorded_with_checksum_and_no_temp_left(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "2026" / "市市场监督管理局.xlsx"
    written = build_workbook(target, INFO, [TableSheet("清单", COLUMNS, iter(_rows(4)))])

    assert written.path == target
    assert written.sha256 == sha256_of(target)
    assert written.bytes == target.stat().st_size
    assert written.artifact.sha256 == written.sha256
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_a_failing_row_leaves_the_previous_workbook_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))  # no other process's temp files
    target = tmp_path / "out" / "w.xlsx"
    first = build_workbook(target, INFO, [TableSheet("清单", COLUMNS, _rows(2), title_row=False)])

    def broken_rows():
        yield from _rows(2)
        yield ("too", "short")

    with pytest.raises(ValueError, match="row 4: 2 values for 7 columns"):
        build_workbook(target, INFO, [TableSheet("清单", COLUMNS, broken_rows(), title_row=False)])
    assert list(private_tmp.iterdir()) == []  # openpyxl's own temp files are removed
    assert sha256_of(target) == first.sha256
    assert [p.name for p in target.parent.iterdir()] == ["w.xlsx"]


def test_hidden_metadata_reads_back_and_detects_edits(tmp_path: Path) -> None:
    written = build_workbook(tmp_path / "w.xlsx", INFO, [TableSheet("清单", COLUMNS, _rows(1))])

    assert read_metadata(written.path) == {"run_id": "17", "department": "0101"}
    wb = openpyxl.load_workbook(written.path)
    meta = wb[METADATA_SHEET]
    assert meta.sheet_state == "veryHidden"
    assert meta.protection.sheet
    meta["B2"] = "99"  # someone edits the run id (rows sorted: department, run_id, checksum)
    wb.save(tmp_path / "edited.xlsx")
    with pytest.raises(MetadataError, match="changed"):
        read_metadata(tmp_path / "edited.xlsx")


def test_workbook_without_metadata_is_not_matched(tmp_path: Path) -> None:
    info = WorkbookInfo(job="培训台账", period="2026-11")
    written = build_workbook(
        tmp_path / "w.xlsx", info, [TableSheet("清单", COLUMNS, [], title_row=False)]
    )

    with pytest.raises(MetadataError, match="not a workbook written by powerlist"):
        read_metadata(written.path)
    ws = openpyxl.load_workbook(written.path)["清单"]
    assert ws.max_row == 1 and ws.auto_filter.ref == "A1:G1"


def test_large_sheet_is_streamed(tmp_path: Path) -> None:
    rows = ((f"{i:06d}", "行政处罚", i) for i in range(20_000))
    columns = [Column("编码"), Column("类型"), Column("序号", kind="int")]
    written = build_workbook(
        tmp_path / "big.xlsx", INFO, [TableSheet("清单", columns, rows, title_row=False)]
    )

    assert written.rows == {"清单": 20_000}
    wb = openpyxl.load_workbook(written.path, read_only=True)
    tail = list(wb["清单"].iter_rows(min_row=20_001, values_only=True))
    wb.close()
    assert tail == [("019999", "行政处罚", 19_999)]


def test_bad_titles_and_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="sheet title"):
        TableSheet("a/b", [Column("x")], [])
    with pytest.raises(ValueError, match="unknown kind"):
        Column("x", kind="money")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="RRGGBB"):
        Column("x", colors={"保留": "green"})


def test_csv_fields_are_prefixed_when_they_could_be_formulas() -> None:
    assert [csv_safe(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert csv_safe("食品安全法") == "食品安全法"
    assert csv_safe(None) == ""


def test_a_run_records_the_workbook_with_checksum_size_and_rows(
    engine: Engine, tmp_path: Path
) -> None:
    written = build_workbook(
        tmp_path / "市场监管局.xlsx", INFO, [TableSheet("清单", COLUMNS, _rows(7))]
    )
    with session_scope(engine) as session:
        run = Run(job="yearly_review", period="2026", scope="all")
        session.add(run)
        session.flush()
        session.add(report_for(written, run_id=run.id, kind="review"))
    with session_scope(engine) as session:
        report = session.scalar(select(Report))
        assert report is not None
        assert (report.file_name, report.rows, report.bytes) == (
            "市场监管局.xlsx",
            7,
            written.bytes,
        )
        assert report.sha256 == sha256_of(Path(report.path))


def test_machine_columns_stay_in_the_grid_but_off_the_printed_page(tmp_path: Path) -> None:
    """An ID column the upload matches on (printed=False) is written and read back, but the
    print area stops before it and the print scale is fitted to the printed columns only."""
    columns = [Column("项目编码"), Column("审核发现", 60, wrap=True),
               Column("事项ID", 6, kind="int", printed=False)]  # fmt: skip
    written = build_workbook(
        tmp_path / "w.xlsx", INFO, [TableSheet("清单", columns, [("XK001", "无依据", 7)] * 3)]
    )
    ws = openpyxl.load_workbook(written.path)["清单"]
    assert ws["C3"].value == 7 and ws["C2"].value == "事项ID"
    assert ws.print_area == "'清单'!$A$1:$B$5"
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:B1"]  # the title centred on paper
    assert ws.print_title_rows == "$1:$2"
    with pytest.raises(ValueError, match="trailing"):
        TableSheet("清单", [Column("ID", printed=False), Column("名称")], [])


def test_key_columns_repeat_on_pages_across_only_when_the_sheet_is_too_wide(
    tmp_path: Path,
) -> None:
    narrow = [Column("序号", 5, kind="int"), Column("项目编码", 15), Column("名称", 40)]
    wide = [*narrow, *(Column(f"指标{i}", 30) for i in range(8))]
    written = build_workbook(tmp_path / "w.xlsx", INFO, [
        TableSheet("窄表", narrow, [(1, "XK001", "甲")], key_columns=2),
        TableSheet("宽表", wide, [(1, "XK001", "甲", *range(8))], key_columns=2),
    ])  # fmt: skip
    book = openpyxl.load_workbook(written.path)
    assert book["窄表"].print_title_cols is None
    assert book["宽表"].print_title_cols == "$A:$B"
    assert book["宽表"].page_setup.scale == 60  # the floor: the rest goes on pages across
