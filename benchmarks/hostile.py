"""Hostile uploads measured (issue 24): time and peak memory of refusing them, each in a fresh
process. Not a test: `python -m benchmarks.hostile [rows]` prints the figures.

- a header-less sheet (rows under the row cap, no recognisable header): read_tables gives it
  up after the header scan window instead of parsing it whole;
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
        ws.append([f"数据{n}", n, f"备注{n % 7}", "作废", ""])
    book.save(path)
    return path


def headerless(path: str) -> dict[str, Any]:
    """Refuse a header-less sheet through the list importer's reader."""
    from powerlist.imports.kinds.registry import kind_named
    from powerlist.imports.sources import NoTable, read_tables

    started, cpu = time.perf_counter(), time.process_time()
    try:
        read_tables(Path(path), kind_named("items").catalog.is_header)
        outcome = "read"
    except NoTable:
        outcome = "refused"
    return {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu,
            "count": 0, "outcome": outcome}  # fmt: skip


def pasted_decisions(path: str) -> dict[str, Any]:
    """Read a pasted 审核事项 sheet as the decisions importer does (10 items sent)."""
    from openpyxl import load_workbook

    from powerlist.review.decisions import (
        DecisionImportError,
        _read_rows,
        capped_rows,
        listed_problems,
    )

    started, cpu = time.perf_counter(), time.process_time()
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        _, _, problems = _read_rows(
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
    """Build both files under a temp folder and print one line per case."""
    with tempfile.TemporaryDirectory() as folder:
        sheet = _write(Path(folder) / "无表头.xlsx", rows, ["甲", "乙", "丙", "丁", "戊"])
        columns = ["项目编码", "事项ID", "状态", "审核意见", "说明"]
        decisions = _write(Path(folder) / "审核.xlsx", 1_000_000, columns, "审核事项")
        for name, target, path in (
            (f"header-less sheet, {rows:,} rows", headerless, sheet),
            ("审核事项 with 1,000,000 rows", pasted_decisions, decisions),
        ):
            size = path.stat().st_size / 2**20
            got = in_fresh_process(target, str(path))
            line = (
                f"{name} ({size:.1f} MB): wall {got['wall']:.2f} s, CPU {got['cpu']:.2f} s, "
                f"peak RSS {got['peak_mb']:.0f} MB, answer {got['count']} lines ({got['outcome']})"
            )
            sys.stdout.write(line + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 199_999)
