"""Row heights for wrapped text and the "(续)" rule: pure functions, no workbook needed."""

from __future__ import annotations

import random
import unicodedata

from openpyxl import load_workbook

from powerlist.excel import Column, TableSheet, WorkbookInfo, build_workbook
from powerlist.excel.heights import (
    CONTINUED_MARK,
    CONTINUES_MARK,
    MAX_ROW_POINTS,
    WIDE_RANGES,
    _laid_lines,
    _paragraph_lines,
    line_count,
    print_scale,
    row_height,
    row_points,
    split_for_rows,
)


def test_cjk_counts_about_double() -> None:
    assert line_count("a" * 19, 20) == 1
    assert line_count("汉" * 9, 20) == 1  # 9 x 2.1 = 18.9 units in 19 usable
    assert line_count("汉" * 10, 20) == 2
    assert line_count("汉" * 10, 40) == 1


def test_line_breaks_and_empty_lines_count() -> None:
    assert line_count("甲\n乙\n\n丙", 30) == 4
    assert line_count("", 10) == 1


def test_the_surely_wide_characters_are_all_east_asian_wide() -> None:
    for first, last in WIDE_RANGES:
        for code in range(ord(first), ord(last) + 1):
            assert unicodedata.east_asian_width(chr(code)) in "WF", hex(code)


def test_a_paragraph_of_wide_characters_is_counted_as_laid_out() -> None:
    # The shortcut for all-wide paragraphs (lines of equal capacity) against the
    # character-by-character layout, at widths from too narrow for one character up.
    rng = random.Random(23)
    wide = [chr(c) for first, last in WIDE_RANGES for c in range(ord(first), ord(last) + 1)]
    for _ in range(3000):
        paragraph = "".join(rng.choice(wide) for _ in range(rng.randint(1, 400)))
        usable = rng.randint(0, 600) / 4
        assert _paragraph_lines(paragraph, usable) == _laid_lines(paragraph, usable)
    assert _paragraph_lines("汉" * 10, 19.0) == 2 and _paragraph_lines("汉" * 9, 19.0) == 1
    assert _paragraph_lines("汉字", 2.0) == _laid_lines("汉字", 2.0) == 3  # none fits a line


def test_latin_words_move_whole_to_the_next_line() -> None:
    # "aaaa bbbb" in 6 usable units: "aaaa " then "bbbb" on its own line.
    assert line_count("aaaa bbbb", 7) == 2
    assert line_count("aaaa bbbbbbb", 7) == 3


def test_one_line_rows_store_no_height() -> None:
    assert row_height(["短", None, "ok"], [10, 10, 10]) is None


def test_the_tallest_cell_decides_and_the_height_is_capped() -> None:
    height = row_height(["短", "汉" * 30], [10, 10])
    assert height == row_points(line_count("汉" * 30, 10))
    assert row_height(["汉" * 5000], [10]) == MAX_ROW_POINTS


def test_a_text_that_fits_is_not_split() -> None:
    assert split_for_rows("汉" * 100, 50) == ["汉" * 100]


def test_an_extreme_text_goes_on_in_marked_parts_that_each_fit() -> None:
    text = "".join(f"第{n}条规定的内容。" for n in range(400))
    parts = split_for_rows(text, 50)
    assert len(parts) > 1
    assert all(p.endswith(CONTINUES_MARK) for p in parts[:-1])
    assert all(p.startswith(CONTINUED_MARK) for p in parts[1:])
    assert all(row_height([p], [50]) < MAX_ROW_POINTS for p in parts)
    rebuilt = "".join(p.removeprefix(CONTINUED_MARK).removesuffix(CONTINUES_MARK) for p in parts)
    assert rebuilt == text


def test_print_scale_fits_the_page_but_never_below_the_floor() -> None:
    assert print_scale([10] * 5, 784, 60) == 100
    assert 60 < print_scale([20] * 8, 784, 60) < 100
    assert print_scale([60] * 20, 784, 60) == 60


def test_the_writer_stores_heights_and_continued_rows(tmp_path) -> None:
    long_text = "".join(f"第{n}条规定的内容。" for n in range(400))
    target = tmp_path / "h.xlsx"
    sheet = TableSheet(
        "表",
        [Column("编码", 10), Column("说明", 40)],
        [("A", "短"), ("B", "汉" * 60), ("C", long_text)],
        title_row=False,
    )
    written = build_workbook(target, WorkbookInfo("测试", "2026年度", "全市"), [sheet])
    assert written.rows["表"] == 3  # data rows, not printed rows
    ws = load_workbook(target)["表"]
    assert ws.row_dimensions[1].height is None or ws.row_dimensions[1].height < 30
    assert ws.row_dimensions[2].height is None
    assert ws.row_dimensions[3].height == row_height(["汉" * 60], [40])
    assert ws.cell(4, 1).value == "C" and ws.cell(4, 2).value.endswith(CONTINUES_MARK)
    assert ws.cell(5, 1).value is None and ws.cell(5, 2).value.startswith(CONTINUED_MARK)
    assert (ws.page_setup.scale or 100) >= 60  # absent: 100 % and ws.print_title_rows == "$1:$1"
    assert "全市" in ws.oddHeader.center.text


def test_a_returned_form_keeps_one_row_per_item_and_gets_the_sign_off(tmp_path) -> None:
    long_text = "".join(f"第{n}条规定的内容。" for n in range(400))
    target = tmp_path / "r.xlsx"
    info = WorkbookInfo("测试", "2026年度", "市林草局", metadata={"run": "1"})
    build_workbook(
        target, info, [TableSheet("表", [Column("说明", 40)], [(long_text,)], title_row=False)]
    )
    wb = load_workbook(target)
    ws = wb["表"]
    assert ws.max_row == 2 and ws.row_dimensions[2].height == MAX_ROW_POINTS
    assert "填报单位（盖章）" in ws.oddFooter.left.text and "分管领导" in ws.oddFooter.left.text
    assert wb.security.lockStructure


def test_a_sheet_read_back_by_an_import_keeps_one_row_per_record(tmp_path) -> None:
    long_text = "".join(f"第{n}条规定的内容。" for n in range(400))
    target = tmp_path / "list.xlsx"
    sheet = TableSheet(
        "清单", [Column("依据", 40)], [(long_text,)], one_row_per_record=True, title_row=False
    )
    build_workbook(target, WorkbookInfo("公布", "2026年度", "全市"), [sheet])
    ws = load_workbook(target)["清单"]
    assert ws.max_row == 2 and ws.cell(2, 1).value == long_text
