"""Measure the items import on a 100,000-row published list, and the zip-bomb refusal.

    .venv/bin/python benchmarks/import_speed.py [ROWS]
    .venv/bin/python -m benchmarks.import_speed --compare [ROWS]


Writes a list in the published layout with the report style (write-only), imports it into a
fresh SQLite database, re-imports it (content-hash no-op), and refuses a 300 MB zip bomb;
prints seconds, rows/s and peak memory (RSS) for each step. `--compare` runs, each in a fresh
process on the same file: bare openpyxl read-only, bare python-calamine, and our import.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.import_data import HEADERS, LAWS, rows
from powerlist import db
from powerlist.db import session_scope
from powerlist.excel import Column, TableSheet, WorkbookInfo, build_workbook
from powerlist.excel.reading import UnsafeFile, open_workbook
from powerlist.imports import import_file
from powerlist.models import Department, LegalBasis


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(count: int = 100_000) -> None:
    """Run the measurements and print them."""
    folder = Path(tempfile.mkdtemp(prefix="powerlist-bench-"))
    url = f"sqlite:///{folder}/bench.db"
    db.upgrade(url)
    engine = db.make_engine(url)
    with session_scope(engine) as session:
        session.add_all(
            Department(code=f"t{i:02d}", name=f"包头市测试局{i:02d}", level="市") for i in range(50)
        )
        session.add_all(LegalBasis(title=f"《{t}》", level="法律", status="现行有效") for t in LAWS)

    start = time.perf_counter()
    _cpu_mark[0] = time.process_time()
    columns = [Column(h, wrap=h in ("实施依据", "责任事项", "追责情形")) for h in HEADERS]
    written = build_workbook(
        folder / "清单.xlsx",
        WorkbookInfo(job="基准", period="2026"),
        [TableSheet("权责清单", columns, list(rows(count, 50)))],
    )
    seconds = time.perf_counter() - start
    size_mb = written.bytes / 1e6
    report(f"write {count:,} rows ({size_mb:.1f} MB)", seconds, count)

    start = time.perf_counter()
    with session_scope(engine) as session:
        result = import_file(session, "items", written.path)
    report(
        f"import {result.rows:,} rows (created {result.counts.created:,})",
        time.perf_counter() - start,
        count,
    )

    start = time.perf_counter()
    with session_scope(engine) as session:
        again = import_file(session, "items", written.path)
    assert again.already_imported
    report("re-import same file (hash no-op)", time.perf_counter() - start, count)

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.fixtures_sheets import zip_bomb_xlsx

    bomb = zip_bomb_xlsx(folder / "bomb.xlsx", inflated_mb=300)
    start = time.perf_counter()
    try:
        open_workbook(bomb)
    except UnsafeFile as exc:
        refused = str(exc)
    report(f"zip bomb {bomb.stat().st_size / 1e6:.1f} MB → 300 MB refused: {refused[:60]}",
           time.perf_counter() - start, None)  # fmt: skip
    engine.dispose()


def calamine_read(path: str) -> dict[str, object]:
    """python-calamine alone reading every cell value of the file (the import's row reader)."""
    from python_calamine import CalamineWorkbook

    from benchmarks.measure import Clock

    rows = 0
    with Clock() as clock:
        book = CalamineWorkbook.from_path(path)
        for name in book.sheet_names:
            for _ in book.get_sheet_by_name(name).iter_rows():
                rows += 1
        book.close()
    return {"wall": clock.wall, "cpu": clock.cpu, "count": rows}


def compare(count: int = 100_000) -> None:
    """Bare openpyxl read-only, bare calamine and our import of one list, each in a fresh
    process; one line each with wall, CPU, peak RSS and ours/bare openpyxl."""
    import os

    from benchmarks import steps
    from benchmarks.measure import in_fresh_process

    folder = tempfile.mkdtemp(prefix="powerlist-bench-")
    path = in_fresh_process(steps.write_import_file, folder, count)["path"]
    got = {
        "bare openpyxl read-only": in_fresh_process(steps.bare_read, path),
        "bare python-calamine": in_fresh_process(calamine_read, path),
        "ours (import items)": in_fresh_process(steps.import_ours, folder, path),
    }
    bare = got["bare openpyxl read-only"]
    sys.stdout.write(f"load average {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f}\n")
    for name, step in got.items():
        sys.stdout.write(
            f"{name:<26} wall {step['wall']:7.2f} s  CPU {step['cpu']:7.2f} s  "
            f"peak {step['peak_mb']:5.0f} MB  {step['count']:>9,} rows  "
            f"wall {step['wall'] / bare['wall']:.2f}× CPU {step['cpu'] / bare['cpu']:.2f}×\n"
        )


_cpu_mark = [time.process_time()]


def report(what: str, seconds: float, rows: int | None) -> None:
    """One line: what, wall seconds, CPU seconds, rows/s (wall), peak RSS."""
    cpu = time.process_time() - _cpu_mark[0]
    _cpu_mark[0] = time.process_time()
    rate = f"{rows / seconds:,.0f} rows/s" if rows else ""
    line = f"{what:<64} {seconds:8.3f} s (cpu {cpu:7.3f} s) {rate:>14}  peak {peak_mb():,.0f} MB"
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    if "--compare" in sys.argv:
        numbers = [a for a in sys.argv[1:] if a != "--compare"]
        compare(int(numbers[0]) if numbers else 100_000)
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
