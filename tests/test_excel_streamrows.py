"""Body rows written by RowStreamer are the bytes XlsxWriter's own path writes, streamed
sheets and in-memory ones alike."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from powerlist.excel import Column, Flagged, Formula, TableSheet, WorkbookInfo, build_workbook
from powerlist.excel.streamrows import RowStreamer

INFO = WorkbookInfo(
    job="测试",
    period="2026",
    department="全市",
    sources=("人员库",),
    generated_at=datetime(2026, 11, 2, 8, 0),
)
COLUMNS = (
    Column("文本"),
    Column("要求", wrap=True),
    Column("人数", kind="int"),
    Column("学时", kind="float"),
    Column("比例", kind="percent"),
    Column("到期日", kind="date"),
    Column("时间", kind="datetime"),
    Column("状态"),
)
TEXTS = (
    "=1+1", "+x", "-3", "@a", " 前导空格", "尾随空格 ", "a\nb", "x\n", "&<>\"'", "<r>rich</r>",
    "_x0041_", "控制\x01字符", "回车\rx", "制表\tx", "\ufffe", "", "\u3000全角空格", "单位",
    "培训考试要求" * 120,
)  # fmt: skip
ODD = (None, True, float("nan"), float("inf"), 10**17, -0.0, Flagged(0.5, "说明"),
       Formula("=TODAY()"), datetime(2026, 3, 4, 5, 6), "文字", 7, 1e-9)  # fmt: skip


def _rows(count: int) -> Iterator[Sequence[Any]]:
    """Mostly plain rows (the direct path) with every odd value now and then (the general)."""
    day = date(2026, 1, 1)
    for i in range(count):
        row: list[Any] = [
            TEXTS[i % len(TEXTS)],
            "培训" * (i % 9 + 1),
            i,
            i / 3,
            0.25,
            day + timedelta(days=i % 300),
            datetime(2026, 1, 1, 8, 30),
            Formula(f'=IF(F{i + 3}>=TODAY(),"完成"&"<x>","已逾期")') if i % 3 else None,
        ]
        if i % 7 == 0:
            row[2 + i % 5] = ODD[(i // 7) % len(ODD)]
        if i % 11 == 0:
            row[0] = ODD[(i // 11) % len(ODD)]
        yield row


def _write(path: Path, streamed: bool = True) -> Path:
    """A workbook of two sheets: rows as a generator are streamed, a short list is not."""
    rows = _rows(3_000) if streamed else list(_rows(400))
    sheets = [
        TableSheet("清单", COLUMNS, rows),
        TableSheet("标题", COLUMNS, list(_rows(40)), title_row=True),
    ]
    return build_workbook(path, INFO, sheets).path


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:  # core.xml holds the time the file was made
        return {n: package.read(n) for n in package.namelist() if n != "docProps/core.xml"}


@pytest.mark.parametrize("streamed", [True, False], ids=["streamed", "in-memory"])
def test_direct_rows_are_the_bytes_xlsxwriter_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: bool
) -> None:
    direct = _write(tmp_path / "direct.xlsx", streamed)
    monkeypatch.setattr(RowStreamer, "write", lambda *_: False)  # every row the general way
    general = _write(tmp_path / "general.xlsx", streamed)

    assert _parts(direct) == _parts(general)
    ws = openpyxl.load_workbook(direct, read_only=True)["清单"]
    values = list(ws.iter_rows(min_row=3, max_row=12, values_only=True))  # title, header
    assert values[1][:3] == ("+x", "培训" * 2, 1) and values[8][0] == "&<>\"'"
    assert values[5][0] == "尾随空格 " and values[5][5] == datetime(2026, 1, 6)


def test_rows_mixing_plain_and_odd_values_read_back(tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(_write(tmp_path / "mixed.xlsx"))["清单"]

    # data from row 3 (title, header); i = 18's long text goes on over further rows (续)
    assert ws["A3"].value is None and ws["C3"].value is None  # i = 0: None in both
    assert ws["D10"].value == pytest.approx(7 / 3) and ws["E10"].value is True  # i = 7
    assert ws["A14"].value == "True" and ws["A16"].value == "制表\tx"  # i = 11, 13
    assert ws["A4"].value == "+x" and ws["A4"].data_type == "s"  # text, not a formula
    assert ws["H4"].value == '=IF(F4>=TODAY(),"完成"&"<x>","已逾期")' and ws["H3"].value is None
    assert ws["A21"].value.endswith("（接下行）") and ws["A22"].value.startswith("（续）")
    assert any(cell.comment is not None for (cell,) in ws.iter_rows(min_col=5, max_col=5))
