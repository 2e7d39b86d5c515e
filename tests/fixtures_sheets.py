"""Spreadsheets in the layouts governments publish, broken and hostile files, and a tiny world.

The world: two departments (市市场监督管理局, 市生态环境局), two laws in the registry, one
receiving unit with two staff, a training requirement and an exam session.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.styles import Alignment
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from powerlist.db import session_scope
from powerlist.models import (
    AuditEvent,
    Department,
    ExamSession,
    ImportRecord,
    ItemBasis,
    LegalBasis,
    PowerItem,
    ReceivingUnit,
    Staff,
    TrainingRequirement,
)
from powerlist.settings import get_settings

MARKET = "包头市市场监督管理局"
ECOLOGY = "包头市生态环境局"

# The published list: title, subtitle, a two-level header, a main item merged over three
# sub-item rows, multi-line legal bases, full-width spaces, type variants, a section row,
# a blank row, a footer note and an extra column (联系电话).
TITLE = "包头市市场监督管理局权责清单"
SUBTITLE = "（2026年动态调整版）"
TOP_HEADER = ["序号", "权力类型", "项目编码", "项目名称", None, "实施依据", "实施主体", "承办机构",
              "责任事项", "追责情形", "备注", "联系电话"]  # fmt: skip
SUB_HEADER = [None, None, None, "主项名称", "子项名称", None, None, None, None, None, None, None]
LICENCE_BASIS = (
    "1.《中华人民共和国食品安全法》第三十五条第一款；\n"
    "2.《食品经营许可和备案管理办法》第二条、《中华人民共和国行政许可法》第十二条"
)
MAIN_ROWS: list[list[Any]] = [
    [1, "许可", "3302170001", "食品经营许可", "食品经营许可（新办）", LICENCE_BASIS, MARKET,
     "食品经营科", "受理、审查、决定", "不依法受理的", None, "0472-5110001"],
    [None, None, None, None, "食品经营许可（变更）", None, None, "食品经营科", "审查变更事项",
     "未按规定审查的", None, None],
    [None, None, None, None, "食品经营许可（延续）", None, None, "食品经营科", "审查延续申请",
     "未按规定审查的", "　按年度统计　 ", None],
    [2, "行政强制措施", "　3302170002 ", "查封、扣押不符合食品安全标准的食品　", None,
     "《中华人民共和国食品安全法》第一百一十条", MARKET, "执法稽查科", "实施查封、扣押",
     "违法实施查封扣押的", None, None],
]  # fmt: skip
PENALTY_ROW = [3, "处罚", "3302170003", "对未取得食品经营许可从事食品经营活动的处罚", None,
               "中华人民共和国食品安全法 第一百二十二条", MARKET, "执法稽查科", "立案、调查、处罚",
               "滥用职权的", None, None]  # fmt: skip
FOOTER = "注：本清单所列事项依据截至2026年10月31日的法律法规确定。"
EXPECTED_ITEMS = {
    ("3302170001", "食品经营许可（新办）"),
    ("3302170001", "食品经营许可（变更）"),
    ("3302170001", "食品经营许可（延续）"),
    ("3302170002", None),
    ("3302170003", None),
}

BAD_ROWS_CLI = [
    [4, "行政许可证", "3302170004", "食品生产许可", None, "", MARKET, "", "", "", None, None],
]
PUBLISHED_HEADERS = ["序号", "权力类型", "项目编码", "项目名称", "子项", "实施依据", "实施主体",
                     "承办机构", "责任事项", "追责情形", "备注"]  # fmt: skip


@pytest.fixture
def world(engine: Engine) -> Engine:
    """The tiny named world in a fresh database (SQLite and PostgreSQL)."""
    with session_scope(engine) as session:
        make_world(session)
    return engine


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """Settings read from a monkeypatched environment (reports under tmp_path)."""
    monkeypatch.setenv("POWERLIST_REPORTS_DIR", str(tmp_path / "reports"))
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def make_world(session: Session) -> None:
    """Departments, laws, a receiving unit with staff, a training requirement and an exam."""
    session.add_all([
        Department(code="scjgj", name=MARKET, short_name="市场监管局", level="市"),
        Department(code="sthjj", name=ECOLOGY, short_name="生态环境局", level="市"),
        LegalBasis(title="《中华人民共和国食品安全法》", doc_number="主席令第二十一号",
                   level="法律", status="现行有效"),
        LegalBasis(title="《中华人民共和国行政许可法》", doc_number="主席令第七号",
                   level="法律", status="现行有效"),
        ReceivingUnit(code="u00001", name="青山区市场监督管理局", district="青山区",
                      kind="旗县区部门"),
        TrainingRequirement(code="TR-DELEG", name="承接事项业务培训", kind="培训",
                            every_months=12),
        TrainingRequirement(code="EX-LAW", name="学法考法年度考试", kind="考试", every_months=12),
    ])  # fmt: skip
    session.flush()
    unit = session.scalar(select(ReceivingUnit))
    exam = session.scalar(select(TrainingRequirement).where(TrainingRequirement.code == "EX-LAW"))
    assert unit is not None and exam is not None
    session.add_all([
        Staff(unit_id=unit.id, staff_no="QS001", name="张敏", role="执法人员"),
        Staff(unit_id=unit.id, staff_no="QS002", name="李强", role="窗口人员"),
        ExamSession(requirement_id=exam.id, name="2026年学法考法考试", year=2026,
                    opens_on=date(2026, 9, 1), closes_on=date(2026, 9, 30)),
    ])  # fmt: skip


def table_counts(engine: Engine) -> dict[str, int]:
    """Row counts of the tables imports write, to show a refused import changed nothing."""
    with session_scope(engine) as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (PowerItem, ItemBasis, LegalBasis, AuditEvent, ImportRecord)
        }


def published_list_xlsx(path: Path, extra_rows: list[list[Any]] | None = None) -> Path:
    """The published list as a department's office lays it out, with merged cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "权责清单"
    ws.append([TITLE])
    ws.append([SUBTITLE])
    ws.append(TOP_HEADER)
    ws.append(SUB_HEADER)
    for row in MAIN_ROWS:
        ws.append(row)
    ws.append([])
    ws.append(["二、行政处罚"])
    ws.append(PENALTY_ROW)
    for row in extra_rows or []:
        ws.append(row)
    ws.append([FOOTER])
    last = ws.max_row
    for merged in ("A1:L1", "A2:L2", "D3:E3", f"A{last}:L{last}", "A10:L10"):
        ws.merge_cells(merged)
    for col in "ABCFGHIJKL":  # vertical header merges
        ws.merge_cells(f"{col}3:{col}4")
    for col in "ABCDFG":  # the main item spans its three sub-items
        ws.merge_cells(f"{col}5:{col}7")
    ws["F5"].alignment = Alignment(wrap_text=True)
    wb.save(path)
    return path


def published_list_rows() -> list[list[Any]]:
    """The same list flattened as a CSV export leaves it: blanks under the main item."""
    header = ["序号", "事项类型", "事项编码", "主项名称", "子项名称", "设定依据", "责任主体",
              "承办机构", "责任事项", "追责情形", "备注", "联系电话"]  # fmt: skip
    rows = [[TITLE], header, *MAIN_ROWS, [], ["二、行政处罚"], PENALTY_ROW, [FOOTER]]
    return [["" if v is None else v for v in row] for row in rows]


def write_csv(path: Path, rows: list[list[Any]], encoding: str) -> Path:
    """Rows written as CSV in `encoding` (utf-8-sig, utf-8 or gb18030)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def flat_xlsx(path: Path, headers: list[str], rows: list[list[Any]], title: str = "Sheet") -> Path:
    """A plain one-header workbook."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


# --- hostile files ------------------------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="清单" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def _package(
    path: Path, sheet_xml: bytes | None = None, content_types: str = CONTENT_TYPES
) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)
    archive.writestr("[Content_Types].xml", content_types)
    archive.writestr("_rels/.rels", ROOT_RELS)
    archive.writestr("xl/workbook.xml", WORKBOOK)
    archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
    if sheet_xml is not None:
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return archive


def zip_bomb_xlsx(path: Path, inflated_mb: int = 300) -> Path:
    """A real-looking .xlsx (no <dimension>) whose one sheet inflates to `inflated_mb` MB."""
    row = "".join(f'<c r="{c}1" t="inlineStr"><is><t>食品经营许可</t></is></c>' for c in "ABCDEFGH")
    block = (f"<row>{row}</row>" * 2000).encode()
    repeats = inflated_mb * 1024 * 1024 // len(block) + 1
    with (
        _package(path) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out,
    ):
        out.write(SHEET_HEAD.encode())
        for _ in range(repeats):
            out.write(block)
        out.write(SHEET_TAIL.encode())
    return path


def billion_laughs_xlsx(path: Path) -> Path:
    """A small .xlsx whose sheet XML declares nested entities (a billion laughs)."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE lolz [{entities}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    with _package(path, sheet.encode()):
        pass
    return path


def macro_xlsx(path: Path) -> Path:
    """A workbook carrying a vbaProject.bin part (whatever its file name says)."""
    sheet = (SHEET_HEAD + SHEET_TAIL).encode()
    with _package(path, sheet) as archive:
        archive.writestr("xl/vbaProject.bin", os.urandom(2048))
    return path


def renamed_binary(path: Path) -> Path:
    """An executable renamed to .xlsx."""
    path.write_bytes(b"\x7fELF\x02\x01\x01" + os.urandom(4096))
    return path


def streamed_sheet_xlsx(
    path: Path, rows: Iterable[str], strings: Iterable[str] = (), tail: str = ""
) -> Path:
    """A minimal .xlsx (no <dimension>) whose one sheet is `rows` of row XML then `tail`, with a
    shared-string table of `strings` (<si> XML) then `tail` when any are given. A malformed
    `tail` proves a reader never parsed that far: it would fail there."""
    table = list(strings)
    types = CONTENT_TYPES.replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    with _package(path, content_types=types if table else CONTENT_TYPES) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(SHEET_HEAD.encode())
            for row in rows:
                out.write(row.encode())
            out.write((tail + SHEET_TAIL).encode())
        if table:
            head = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            archive.writestr("xl/sharedStrings.xml", head + "".join(table) + tail + "</sst>")
    return path
