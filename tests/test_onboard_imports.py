"""A city's first day from its own files: the organisation list, unknown 实施主体, text fixes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine, select

from powerlist.db import session_scope
from powerlist.imports import ImportRejected, NoDataRejected, import_file
from powerlist.imports.kinds.departments import short_code
from powerlist.imports.text import clean
from powerlist.models import Department, PowerItem
from tests.fixtures_sheets import flat_xlsx, settings_env, write_csv

__all__ = ["settings_env"]

ORG_TITLE = "包头市党政机构和事业单位名录（2026年）"
ORG_HEADER = ["序号", "部门编码", "单位名称", "单位简称", "机构类别", "层级", "所属地区"]
ORG_ROWS = [
    [1, "sthjj", "包头市生态环境局", "市生态环境局", "政府工作部门", "市级", "包头市"],
    [2, "scjgj", "包头市市场监督管理局", "市场监管局", "政府工作部门", "市", "包头市"],
    [3, "gyjyj", "固阳县教育局", "县教育局", "政府工作部门", "旗县区", "固阳县"],
    [4, "gyjdb", "固阳县金山镇", None, "派出机构", "乡镇", "固阳县"],
]
ITEM_HEADER = ["序号", "权力类型", "项目编码", "项目名称", "子项", "实施依据", "实施主体"]


def _import(engine: Engine, kind: str, path: Path, **options: Any) -> Any:
    with session_scope(engine) as session:
        return import_file(session, kind, path, error_dir=path.parent / "errors", **options)


def _rejected(engine: Engine, kind: str, path: Path, **options: Any) -> ImportRejected:
    with pytest.raises(ImportRejected) as caught:
        _import(engine, kind, path, **options)
    return caught.value


def org_xlsx(path: Path, rows: list[list[Any]], header: list[str] = ORG_HEADER) -> Path:
    """The organisation list as an 编办 publishes it: a merged title row above the header."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "部门名录"
    ws.append([ORG_TITLE])
    ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    ws.merge_cells(f"A1:{openpyxl.utils.get_column_letter(len(header))}1")
    wb.save(path)
    return path


def _departments(engine: Engine) -> dict[str, Department]:
    with session_scope(engine) as session:
        found = {d.code: d for d in session.scalars(select(Department))}
        session.expunge_all()
    return found


def test_the_organisation_list_creates_departments_with_region_and_level(
    engine: Engine, tmp_path: Path, settings_env: object
) -> None:
    path = org_xlsx(tmp_path / "部门名录.xlsx", ORG_ROWS)
    result = _import(engine, "departments", path)
    assert (result.rows, result.counts.created) == (4, 4)
    found = _departments(engine)
    assert found["sthjj"].name == "包头市生态环境局"
    assert (found["sthjj"].level, found["sthjj"].region) == ("市", "包头市")
    assert (found["gyjyj"].level, found["gyjyj"].region) == ("旗县区", "固阳县")
    assert found["gyjdb"].level == "苏木乡镇街道"
    assert found["gyjdb"].category == "派出机构"
    again = _import(engine, "departments", path)
    assert again.already_imported


def test_a_department_without_a_code_gets_a_stable_one_and_the_import_prints_it(
    engine: Engine, tmp_path: Path, settings_env: object
) -> None:
    header = ["单位名称", "机构类别"]  # synonyms and no code column at all
    rows = [["固阳县卫生健康委员会", "政府工作部门"], ["包头市应急管理局", "政府工作部门"]]
    result = _import(engine, "departments", flat_xlsx(tmp_path / "a.xlsx", header, rows))
    code = short_code("固阳县卫生健康委员会")
    assert any(code in note and "固阳县卫生健康委员会" in note for note in result.notes)
    found = _departments(engine)
    assert (found[code].region, found[code].level) == ("固阳县", "旗县区")
    other = found[short_code("包头市应急管理局")]
    assert (other.region, other.level) == ("包头市", "市")
    # the same names in a changed file keep their codes: nothing new, only the change
    rows[1][1] = "直属机构"
    second = _import(engine, "departments", flat_xlsx(tmp_path / "b.xlsx", header, rows))
    assert (second.counts.created, second.counts.updated, second.counts.unchanged) == (0, 1, 1)


def test_a_renamed_department_keeps_its_items(
    engine: Engine, tmp_path: Path, settings_env: object
) -> None:
    _import(engine, "departments", org_xlsx(tmp_path / "2025.xlsx", ORG_ROWS))
    items = [[1, "行政许可", "001", "排污许可", None, "《中华人民共和国环境保护法》第四十五条",
              "包头市生态环境局"]]  # fmt: skip
    _import(engine, "items", flat_xlsx(tmp_path / "清单.xlsx", ITEM_HEADER, items))
    renamed = [list(r) for r in ORG_ROWS]
    renamed[0][2] = "包头市生态环境和林业局"
    result = _import(engine, "departments", org_xlsx(tmp_path / "2026.xlsx", renamed))
    assert (result.counts.created, result.counts.updated) == (0, 1)
    with session_scope(engine) as session:
        item = session.scalars(select(PowerItem)).one()
        department = session.get(Department, item.department_id)
        assert department is not None and department.name == "包头市生态环境和林业局"


def test_merged_and_abolished_departments_point_at_their_successor(
    engine: Engine, tmp_path: Path, settings_env: object
) -> None:
    header = [*ORG_HEADER, "撤并至", "撤销日期"]
    rows = [[*r, None, None] for r in ORG_ROWS]
    rows.append([5, "gylyj", "固阳县林业局", None, "政府工作部门", "旗县区", "固阳县",
                 "固阳县自然资源局", "2026年3月1日"])  # fmt: skip
    rows.append([6, "gyzrj", "固阳县自然资源局", None, "政府工作部门", "旗县区", "固阳县",
                 None, None])  # fmt: skip
    _import(engine, "departments", org_xlsx(tmp_path / "名录.xlsx", rows, header))
    found = _departments(engine)
    assert found["gylyj"].merged_into_id == found["gyzrj"].id
    assert not found["gylyj"].active and found["gylyj"].abolished_on.isoformat() == "2026-03-01"
    rows[4][7] = "不存在的局"
    errors = _rejected(engine, "departments", org_xlsx(tmp_path / "坏.xlsx", rows, header)).errors
    assert any("找不到撤并至的部门“不存在的局”" in e.message for e in errors)


def test_a_bad_organisation_list_is_refused_whole_with_every_error(
    engine: Engine, tmp_path: Path, settings_env: object
) -> None:
    rows = [list(r) for r in ORG_ROWS]
    rows[1][2] = rows[0][2]  # the same name twice
    rows[2][5] = "省级"  # not a level
    rejected = _rejected(engine, "departments", org_xlsx(tmp_path / "坏.xlsx", rows))
    where = {(e.row, e.column) for e in rejected.errors}
    assert (5, "C 单位名称") in where and (6, "F 层级") in where
    assert rejected.error_workbook is not None and rejected.error_workbook.exists()
    assert _departments(engine) == {}


def test_unknown_departments_are_named_once_and_the_fix_is_said(
    engine: Engine, tmp_path: Path, settings_env: object
) -> None:
    items = [
        [n, "行政处罚", f"00{n}", f"处罚{n}", None, "", "固阳县教育局"] for n in range(1, 4)
    ] + [[4, "行政许可", "004", "许可", None, "", "包头市生态环境局"]]
    path = flat_xlsx(tmp_path / "清单.xlsx", ITEM_HEADER, items)
    errors = _rejected(engine, "items", path).errors
    assert len(errors) == 2
    assert "找不到部门“固阳县教育局”（共 3 行）" in errors[0].message
    assert "powerlist import departments" in errors[0].message
    assert "--create-departments" in errors[0].message


def test_create_departments_makes_the_unknown_ones_from_the_columns_or_the_city(
    engine: Engine, tmp_path: Path, settings_env: object
) -> None:
    header = [*ITEM_HEADER, "所属地区", "层级"]
    items = [
        [1, "行政处罚", "001", "处罚一", None, "", "固阳县教育局", "固阳县", "旗县区"],
        [2, "行政处罚", "002", "处罚二", None, "", "固阳县教育局", "固阳县", "旗县区"],
        [3, "行政许可", "003", "许可", None, "", "市生态环境局", None, None],
    ]
    path = flat_xlsx(tmp_path / "清单.xlsx", header, items)
    result = _import(engine, "items", path, create_departments=True)
    assert result.counts.created == 3
    created = [n for n in result.notes if n.startswith("新建部门")]
    assert len(created) == 2
    found = {d.name: d for d in _departments(engine).values()}
    assert (found["固阳县教育局"].region, found["固阳县教育局"].level) == ("固阳县", "旗县区")
    assert (found["市生态环境局"].region, found["市生态环境局"].level) == ("包头市", "市")


# --- text and file fixes ------------------------------------------------------------------


def test_a_full_width_space_inside_a_name_is_removed() -> None:
    assert clean("对超\u3000过规定时限的处罚") == "对超过规定时限的处罚"
    assert clean("\u3000食品经营许可\u3000") == "食品经营许可"


def test_a_full_width_space_inside_an_imported_name_does_not_hide_a_duplicate(
    engine: Engine, tmp_path: Path, settings_env: object
) -> None:
    path = org_xlsx(
        tmp_path / "名录.xlsx", [[1, "a1", "固阳县\u3000教育局", None, None, None, None]]
    )
    _import(engine, "departments", path)
    assert _departments(engine)["a1"].name == "固阳县教育局"


def test_a_header_only_file_is_refused_as_having_no_data_rows(
    engine: Engine, tmp_path: Path, settings_env: object
) -> None:
    for path in (
        org_xlsx(tmp_path / "只有表头.xlsx", []),
        write_csv(tmp_path / "空.csv", [[], [""]], "utf-8"),
    ):
        with pytest.raises(NoDataRejected) as caught:
            _import(engine, "departments", path)
        assert "没有数据行" in caught.value.errors[0].message


def test_a_merged_range_over_the_data_does_not_make_rows_vanish(
    engine: Engine, tmp_path: Path, settings_env: object
) -> None:
    import zipfile

    source = org_xlsx(tmp_path / "源.xlsx", ORG_ROWS)
    path = tmp_path / "合并.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":  # a range drawn over the data rows
                data = data.replace(b'ref="A1:G1"', b'ref="A4:XFD1048576"')
                assert b"A4:XFD1048576" in data
            new.writestr(info, data)
    result = _import(engine, "departments", path)
    assert result.rows == len(ORG_ROWS)


def test_every_problem_of_a_row_is_reported(
    engine: Engine, tmp_path: Path, settings_env: object
) -> None:
    items = [[1, "行政许可证", "001", "许可", None, "", "不存在的局"]]
    errors = _rejected(
        engine, "items", flat_xlsx(tmp_path / "清单.xlsx", ITEM_HEADER, items)
    ).errors
    columns = {e.column for e in errors if e.row == 2}
    assert columns == {"B 权力类型", "G 实施主体"}
    items = [[1, "行政许可", "001", "许可", None, "", "不存在的局", "作废"]]
    header = [*ITEM_HEADER, "状态"]
    errors = _rejected(engine, "items", flat_xlsx(tmp_path / "清单2.xlsx", header, items)).errors
    assert {e.column for e in errors} == {"H 状态", "G 实施主体"}


def test_a_nul_byte_anywhere_in_a_csv_is_refused_naming_its_row(
    engine: Engine, tmp_path: Path, settings_env: object
) -> None:
    rows = [ORG_HEADER] + [[n, f"c{n}", f"单位{n}", "", "", "", ""] for n in range(1, 400)]
    path = write_csv(tmp_path / "名录.csv", rows, "utf-8")
    data = path.read_bytes()
    at = data.index("单位300".encode())
    path.write_bytes(data[:at] + b"\x00" + data[at:])
    assert at > 4096
    errors = _rejected(engine, "departments", path).errors
    assert "第301行" in errors[0].message and "NUL" in errors[0].message


def test_departments_created_from_the_list_get_their_real_codes_from_the_organisation_list(
    engine: Engine, tmp_path: Path, settings_env: object
) -> None:
    items = [[1, "行政许可", "001", "许可", None, "", "固阳县教育局"]]
    path = flat_xlsx(tmp_path / "清单.xlsx", ITEM_HEADER, items)
    _import(engine, "items", path, create_departments=True)
    result = _import(engine, "departments", org_xlsx(tmp_path / "名录.xlsx", ORG_ROWS))
    assert (result.counts.created, result.counts.updated) == (3, 1)
    with session_scope(engine) as session:
        item = session.scalars(select(PowerItem)).one()
        department = session.get(Department, item.department_id)
        assert department is not None and department.code == "gyjyj"


def test_every_problem_of_a_roster_row_is_reported(
    engine: Engine, tmp_path: Path, settings_env: object
) -> None:
    header = ["工号", "姓名", "所在单位", "岗位", "在岗"]
    rows = [["X1", "张三", "不存在的单位", "执法人员", "也许"]]
    errors = _rejected(engine, "staff", flat_xlsx(tmp_path / "名册.xlsx", header, rows)).errors
    assert {e.column for e in errors} == {"E 在岗", "C 所在单位"}
