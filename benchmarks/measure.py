"""Measuring one benchmark step in a fresh process: wall, CPU, peak RSS and a row count.

Each step runs in its own spawned interpreter so its peak RSS is its own, not the sum of
every step before it; the table prints one `Row` per step.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from queue import Empty
from typing import Any


@dataclass
class Row:
    """One line of the benchmark table."""

    scale: str
    step: str
    what: str  # "ours", or a reference: "bare" (openpyxl alone) or "xlsxwriter"
    wall: float
    cpu: float
    peak_mb: float
    count: int
    unit: str = "rows"
    note: str = ""
    bytes: int = 0  # the files the step wrote (0: it wrote none)


class Clock:
    """Wall and CPU time that can be paused, so a step times only its own part."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0
        self._start: tuple[float, float] | None = None

    def __enter__(self) -> Clock:
        self._start = (time.perf_counter(), time.process_time())
        return self

    def __exit__(self, *_: object) -> None:
        assert self._start is not None
        self.wall += time.perf_counter() - self._start[0]
        self.cpu += time.process_time() - self._start[1]
        self._start = None


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB.

    Linux's VmHWM belongs to the address space exec made, so a spawned step does not report
    its parent's size; ru_maxrss (elsewhere) carries the size the process had when it was
    forked from the parent, e.g. a test run of several hundred MB.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(target: Callable[..., dict[str, Any]], args: tuple[Any, ...], out: Any) -> None:
    result = target(*args)
    result.setdefault("peak_mb", peak_mb())
    out.put(result)


def in_fresh_process(target: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run `target(*args)` in a spawned interpreter; it returns wall, cpu, count (and more)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(target, args, queue))
    process.start()
    while True:
        try:
            result: dict[str, Any] = queue.get(timeout=1)
            break
        except Empty:
            if not process.is_alive():
                raise RuntimeError(
                    f"benchmark step {target.__name__} died (exit code {process.exitcode})"
                ) from None
    process.join()
    return result


def print_table(rows: list[Row], out: Callable[[str], None] = print) -> None:
    """Print the table, with the ours/reference wall (and CPU) time ratio on each reference line."""
    ours: dict[tuple[str, str], Row] = {(r.scale, r.step): r for r in rows if r.what == "ours"}
    head = (
        f"| scale | step | who | wall s | CPU s | peak RSS MB | {'count':>9} | per s | file MB "
        "| ours/ref |"
    )
    out(head)
    out("|" + "|".join("---" for _ in range(10)) + "|")
    for row in rows:
        rate = row.count / row.wall if row.wall else 0.0
        ratio = ""
        mine = ours.get((row.scale, row.step))
        if row.what != "ours" and mine is not None and row.wall:
            ratio = f"{mine.wall / row.wall:.2f}× (CPU {mine.cpu / max(row.cpu, 1e-9):.2f}×)"
        size = f"{row.bytes / 1e6:.2f}" if row.bytes else ""
        out(
            f"| {row.scale} | {row.step} | {row.what} | {row.wall:.1f} | {row.cpu:.1f} | "
            f"{row.peak_mb:.0f} | {row.count:,} {row.unit} | {rate:,.0f} | {size} | {ratio}"
            + (f" {row.note}" if row.note else "")
            + " |"
        )


# The reference days every benchmark uses (the demo describes the list as of AS_OF).
AS_OF = "2026-11-01"
REMINDER_FIRST = "2026-10-30"  # a Friday: the first day, every roster is written
REMINDER_DAY = (
    "2026-11-02"  # the next working day (a Monday): rosters that did not change are reused
)


def row(scale: str, step: str, what: str, result: dict[str, object], unit: str) -> Row:
    """A table row from a step's result dict."""
    note = ""
    if "workbooks" in result:
        note = f"{result['workbooks']} workbooks, {result.get('status', '')}"
    if "db_cpu" in result:
        note += f"; PostgreSQL {result['db_cpu']:.0f} s CPU"
    return Row(scale, step, what, float(result["wall"]), float(result["cpu"]),  # type: ignore[arg-type]
               float(result["peak_mb"]), int(result["count"]), unit, note,
               int(result.get("bytes", 0)))  # type: ignore[arg-type]  # fmt: skip


def say(text: str) -> None:
    """Progress on stderr, so stdout is only the table."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()
