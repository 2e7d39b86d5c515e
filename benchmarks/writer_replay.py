"""Replay the workbooks a job writes through `build_workbook`, without the job's queries.

    python -m benchmarks.writer_replay capture DB_URL JOB PERIOD FILE.pickle
    python -m benchmarks.writer_replay replay FILE.pickle OUT_DIR [--profile]

`capture` runs the job once and keeps every workbook's `WorkbookInfo` and sheets (rows as
lists); `replay` writes them again with whichever `powerlist.excel` is on the path, so two
writers (e.g. this branch and main, via PYTHONPATH) are compared on the same real workbooks.
"""

from __future__ import annotations

import dataclasses
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.measure import Clock


def capture(url: str, job: str, period: str, out: str) -> int:
    """Run `job` once in this process and pickle every workbook it writes; return the count."""
    from powerlist.excel import writer

    books: list[tuple[str, Any, list[Any]]] = []
    original = writer._write_workbook

    def keep(temp: Path, info: Any, sheets: Any) -> Any:
        listed = [dataclasses.replace(s, rows=[list(r) for r in s.rows]) for s in sheets]
        books.append((temp.name, info, listed))
        return original(temp, info, listed)

    writer._write_workbook = keep  # type: ignore[assignment]
    from benchmarks.steps import run_job

    with tempfile.TemporaryDirectory() as reports:
        run_job(url, job, period, reports)
    Path(out).write_bytes(pickle.dumps(books))
    return len(books)


def replay(source: str, out: str, profile: bool = False) -> dict[str, Any]:
    """Write the captured workbooks again; return CPU, wall, bytes and rows."""
    from powerlist.excel import build_workbook

    books = pickle.loads(Path(source).read_bytes())
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    written = rows = 0
    with Clock() as clock:
        for number, (_, info, sheets) in enumerate(books):
            result = build_workbook(folder / f"{number}.xlsx", info, sheets)
            written += result.bytes
            rows += result.total_rows
    if profiler is not None:
        profiler.stop()
        sys.stdout.write(profiler.output_text(unicode=True, color=False, show_all=False))
    return {"wall": clock.wall, "cpu": clock.cpu, "bytes": written, "rows": rows,
            "workbooks": len(books)}  # fmt: skip


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "capture":
        sys.stdout.write(f"{capture(*args)}\n")
    else:
        sys.stdout.write(f"{replay(args[0], args[1], '--profile' in args)}\n")
