"""Every import template round-trips: filled in as it is, it imports (a whole city from them)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from sqlalchemy import Engine

from powerlist.db import session_scope
from powerlist.imports import KINDS, import_file
from powerlist.imports.kinds.registry import kind_named
from powerlist.imports.templates import GUIDE_SHEET, write_templates
from powerlist.imports.text import fold
from tests.fixtures_sheets import settings_env
from tests.test_onboard_city import FILES

__all__ = ["settings_env"]


def test_templates_have_a_title_marked_header_guide_and_drop_downs(tmp_path: Path) -> None:
    paths = write_templates(tmp_path)
    assert len(paths) == len(KINDS) == 8
    wb = openpyxl.load_workbook(tmp_path / "导入模板-法律依据库.xlsx")
    ws = wb.worksheets[0]
    header = [c.value for c in ws[2]]
    assert "＊法规名称" in header and "文号" in header
    guide = {row[0]: row for row in wb[GUIDE_SHEET].iter_rows(min_row=2, values_only=True)}
    assert guide["效力级别"][1] == "必填" and "行政法规" in guide["效力级别"][4]
    lists = {str(v.sqref) for v in ws.data_validations.dataValidation}
    level_col = openpyxl.utils.get_column_letter(header.index("＊效力级别") + 1)
    assert f"{level_col}3:{level_col}502" in lists
    items = openpyxl.load_workbook(tmp_path / "导入模板-权责清单.xlsx").worksheets[0]
    assert items.data_validations.dataValidation  # 权力类型


def test_every_filled_template_imports_as_it_is(
    engine: Engine, tmp_path: Path, settings_env: object
) -> None:
    write_templates(tmp_path / "模板")
    done = set()
    for kind, header, rows in FILES:
        spec = kind_named(kind)
        template = tmp_path / "模板" / f"导入模板-{spec.title}.xlsx"
        wb = openpyxl.load_workbook(template)
        ws = wb.worksheets[0]
        columns = {fold(str(c.value)): c.column for c in ws[2]}
        for offset, row in enumerate(rows):
            for name, value in zip(header, row, strict=True):
                field = spec.catalog.by_spelling.get(fold(name))
                if field is not None and value not in (None, ""):
                    ws.cell(3 + offset, columns[fold(field.label)], value)
        filled = tmp_path / f"{kind}.xlsx"
        wb.save(filled)
        with session_scope(engine) as session:
            result = import_file(session, kind, filled, error_dir=tmp_path / "errors")
        assert result.rows == len(rows), kind
        done.add(kind)
    assert done == set(KINDS)
