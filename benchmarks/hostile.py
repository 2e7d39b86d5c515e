"""Hostile uploads measured (issue 24): time and peak memory of refusing them, each in a fresh
process. Not a test: `python -m benchmarks.hostile [rows]` prints the figures.

- a header-less sheet (rows under the row cap, no recognisable header): read_tables gives it
  up after the header scan window instead of parsing it whole;
- the same sheet imported whole (`import_file`, SQLite): refused, and no error workbook written;
- a sheet of 199,999 blank rows: given up after HEADER_SCAN_MAX_ROWS rows;
- a 审核事项 sheet with a million pasted rows: the decisions reader stops at the workbook's own
  item count plus the margin (here 10 items sent), and lists at most 200 problems.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.measure import in_fresh_process


def _write(path: Path, rows: int, header: list[str], sheet: str = "Sheet") -> Path:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.append(header)
    for n in range(rows):
        values = [f"数据{n}", n, f"备注{n % 7}", "作废", ""]
        ws.append(values + ["取消"] * (len(header) - len(values)))
    book.save(path)
    return path


def _counting_reader() -> list[int]:
    """Count the rows the list reader takes from openpyxl's sheet parser (to show the window)."""
    from powerlist.imports import sources

    counted = [0]
    real = sources.sheet_rows

    def counting(*args: Any, **kwargs: Any) -> Any:
        for row in real(*args, **kwargs):
            counted[0] += 1
            yield row

    sources.sheet_rows = counting  # type: ignore[assignment]
    return counted


def headerless(path: str) -> dict[str, Any]:
    """Refuse a header-less sheet through the list importer's reader."""
    from powerlist.imports.kinds.registry import kind_named
    from powerlist.imports.sources import NoTable, read_tables

    counted = _counting_reader()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        read_tables(Path(path), kind_named("items").catalog.is_header)
        outcome = "read"
    except NoTable:
        outcome = f"refused after {counted[0]:,} rows parsed"
    return {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu,
            "count": 1, "outcome": outcome}  # fmt: skip


def headerless_import(path: str) -> dict[str, Any]:
    """`powerlist import items` of the header-less file into a fresh SQLite database."""
    from powerlist import db
    from powerlist.db import session_scope
    from powerlist.imports import ImportRejected, import_file

    folder = Path(path).parent
    url = f"sqlite:///{folder}/hostile.db"
    db.upgrade(url)
    engine = db.make_engine(url)
    errors = folder / "import-errors"
    counted = _counting_reader()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        with session_scope(engine) as session:
            import_file(session, "items", Path(path), error_dir=errors)
        outcome, count = "imported", 0
    except ImportRejected as rejected:
        books = len(list(errors.glob("*.xlsx"))) if errors.exists() else 0
        outcome = f"refused after {counted[0]:,} rows parsed, {books} error workbooks"
        count = len(rejected.errors)
    engine.dispose()
    return {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu,
            "count": count, "outcome": outcome}  # fmt: skip


def _write_blank(path: Path, rows: int) -> Path:
    """A sheet of `rows` rows whose only cell is an empty string (no header, no data)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.fixtures_sheets import streamed_sheet_xlsx

    blank = (f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t></t></is></c></row>'
             for n in range(1, rows + 1))  # fmt: skip
    return streamed_sheet_xlsx(path, blank)


def pasted_decisions(path: str) -> dict[str, Any]:
    """Read a pasted 审核事项 sheet as the decisions importer does (10 items sent)."""
    from openpyxl import load_workbook

    from powerlist.review.decisions import (
        DecisionImportError,
        _read_item_rows,
        capped_rows,
        listed_problems,
    )

    started, cpu = time.perf_counter(), time.process_time()
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        _, _, problems = _read_item_rows(
            capped_rows("p.xlsx", book["审核事项"].iter_rows(values_only=True), 10)
        )
        answer = listed_problems(problems)
    except DecisionImportError as error:
        answer = error.problems
    finally:
        book.close()
    return {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu,
            "count": len(answer), "outcome": answer[0][:40] if answer else ""}  # fmt: skip


def main(rows: int = 199_999) -> None:
    """Build the files under a temp folder and print one line per case."""
    with tempfile.TemporaryDirectory() as folder:
        sheet = _write(Path(folder) / "无表头.xlsx", rows, ["甲", "乙", "丙", "丁", "戊"])
        blank = _write_blank(Path(folder) / "空行.xlsx", rows)
        from powerlist.review.decisions import REQUIRED_HEADERS

        columns = list(REQUIRED_HEADERS)
        decisions = _write(Path(folder) / "审核.xlsx", 1_000_000, columns, "审核事项")
        for name, target, path in (
            (f"header-less sheet, {rows:,} rows", headerless, sheet),
            (f"header-less sheet, {rows:,} rows, import_file", headerless_import, sheet),
            (f"blank sheet, {rows:,} empty rows", headerless, blank),
            ("审核事项 with 1,000,000 rows", pasted_decisions, decisions),
        ):
            size = path.stat().st_size / 2**20
            got = in_fresh_process(target, str(path))
            line = (
                f"{name} ({size:.1f} MB): wall {got['wall']:.2f} s, CPU {got['cpu']:.2f} s, "
                f"peak RSS {got['peak_mb']:.0f} MB, answer {got['count']} lines ({got['outcome']})"
            )
            sys.stdout.write(line + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 199_999)
