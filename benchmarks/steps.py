"""Benchmark steps, each run in a fresh process: our jobs, and the bare openpyxl doing its part.

"Bare" means openpyxl alone on the same cells: write-only writing exactly the cells our job
wrote (read back from our workbooks, untimed), and read-only reading the file we import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from benchmarks.measure import Clock
from powerlist import db
from powerlist.db import session_scope
from powerlist.jobs import get_job
from powerlist.models import Delegation, Department, LegalBasis, PowerItem, Staff
from powerlist.runtime.runner import run_in_process, start_run
from powerlist.runtime.steps import Limits


def load_city(url: str, seed: int = 2026) -> dict[str, Any]:
    """Build the Baotou demo city (setup, not a table row)."""
    from powerlist.demo.generate import generate_city
    from powerlist.demo.load import load_demo

    db.upgrade(url)
    engine = db.make_engine(url)
    with Clock() as clock:
        load_demo(engine, [generate_city(seed)], reset=True)
    engine.dispose()
    return {"wall": clock.wall, "cpu": clock.cpu, "count": 0}


def count_of(url: str, model: Any) -> int:
    """How many rows a table holds."""
    engine = db.make_engine(url)
    with session_scope(engine) as session:
        count = int(session.execute(select(func.count()).select_from(model)).scalar_one())
    engine.dispose()
    return count


def run_job(url: str, job: str, period: str, reports_root: str) -> dict[str, Any]:
    """Run a whole job in this process, as `powerlist run JOB --period P --force` does."""
    engine = db.make_engine(url)
    get_job(job)  # import the job's modules first, as a worker does when it starts
    with Clock() as clock:
        claim = start_run(engine, job, period, "all", trigger="bench", force=True)
        view = run_in_process(engine, claim, limits=Limits(), reports_root=Path(reports_root))
    engine.dispose()
    model = {"training_reminders": Staff, "delegation_assessment": Delegation}.get(job, PowerItem)
    books = list((Path(reports_root) / job / period).rglob("*.xlsx"))  # this run's own
    return {"wall": clock.wall, "cpu": clock.cpu, "count": count_of(url, model),
            "status": view.status, "workbooks": len(books),
            "bytes": sum(book.stat().st_size for book in books)}  # fmt: skip


def bare_write(source: str, target: str, library: str = "openpyxl") -> dict[str, Any]:
    """A library alone writing the same cells as every workbook under `source`, unstyled.

    `library` is "openpyxl" (write-only mode, the "bare" reference) or "xlsxwriter"
    (constant_memory mode, rows streamed as ours are): the two candidate writers.
    """
    write = {"openpyxl": _openpyxl_copy, "xlsxwriter": _xlsxwriter_copy}[library]
    clock, rows, written = Clock(), 0, 0
    out = Path(target)
    out.mkdir(parents=True, exist_ok=True)
    for number, path in enumerate(sorted(Path(source).rglob("*.xlsx"))):
        book = load_workbook(path, read_only=True)
        sheets = [(s.title, list(s.iter_rows(values_only=True))) for s in book.worksheets]
        book.close()
        copy = out / f"{number}.xlsx"
        with clock:
            write(copy, sheets)
        rows += sum(len(values) for _, values in sheets)
        written += copy.stat().st_size
    return {"wall": clock.wall, "cpu": clock.cpu, "count": rows, "bytes": written}


def _openpyxl_copy(path: Path, sheets: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
    copy = Workbook(write_only=True)
    for title, values in sheets:
        sheet = copy.create_sheet(title)
        for row in values:
            sheet.append(row)
    copy.save(path)


def _xlsxwriter_copy(path: Path, sheets: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
    import xlsxwriter

    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(str(path), options) as copy:
        for title, values in sheets:
            sheet = copy.add_worksheet(title)
            for number, row in enumerate(values):
                sheet.write_row(number, 0, row)


def write_import_file(folder: str, count: int) -> dict[str, Any]:
    """The 100,000-row published list (benchmarks/import_data.py)."""
    from benchmarks.import_data import HEADERS, rows
    from powerlist.excel import Column, TableSheet, WorkbookInfo, build_workbook

    columns = [Column(h, wrap=h in ("实施依据", "责任事项", "追责情形")) for h in HEADERS]
    with Clock() as clock:
        written = build_workbook(
            Path(folder) / "清单.xlsx",
            WorkbookInfo(job="基准", period="2026"),
            [TableSheet("权责清单", columns, list(rows(count, 50)))],
        )
    return {"wall": clock.wall, "cpu": clock.cpu, "count": count, "path": str(written.path)}


def import_ours(folder: str, path: str) -> dict[str, Any]:
    """`powerlist import items FILE` into a fresh SQLite database with the departments and laws."""
    from benchmarks.import_data import LAWS
    from powerlist.imports import import_file

    url = f"sqlite:///{folder}/import.db"
    db.upgrade(url)
    engine = db.make_engine(url)
    with session_scope(engine) as session:
        session.add_all(
            Department(code=f"t{i:02d}", name=f"包头市测试局{i:02d}", level="市") for i in range(50)
        )
        session.add_all(LegalBasis(title=f"《{t}》", level="法律", status="现行有效") for t in LAWS)
    with Clock() as clock, session_scope(engine) as session:
        result = import_file(session, "items", Path(path))
    engine.dispose()
    return {"wall": clock.wall, "cpu": clock.cpu, "count": result.rows}


def bare_read(path: str) -> dict[str, Any]:
    """openpyxl read-only reading every cell value of the same file."""
    rows = 0
    with Clock() as clock:
        book = load_workbook(path, read_only=True)
        for sheet in book.worksheets:
            for _ in sheet.iter_rows(values_only=True):
                rows += 1
        book.close()
    return {"wall": clock.wall, "cpu": clock.cpu, "count": rows}
