"""`make bench`: the jobs at city (SQLite, in-process) and province scale (PostgreSQL, Celery).

    .venv/bin/python -m benchmarks.run --scale city|province|both

Prints one table: per job our wall, CPU, peak RSS, rows or items per second, and the bare
openpyxl doing only its part on the same rows in the same run, with the ours/bare ratio.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks import steps
from benchmarks.measure import (
    AS_OF,
    REMINDER_DAY,
    REMINDER_FIRST,
    Row,
    in_fresh_process,
    print_table,
    row,
    say,
)

IMPORT_ROWS = 100_000


def city(folder: Path) -> list[Row]:
    """Baotou (51 departments, 6,834 items) on SQLite in this machine's processes."""
    url = f"sqlite:///{folder}/city.db"
    os.environ["POWERLIST_REVIEW_AS_OF"] = AS_OF
    os.environ["POWERLIST_ASSESSMENT_AS_OF"] = AS_OF
    say(f"city: loading the demo into {url}")
    loaded = in_fresh_process(steps.load_city, url)
    say(f"city: demo loaded in {loaded['wall']:.1f} s")
    rows: list[Row] = []
    jobs = [
        ("yearly review", "yearly_review", "2026", "items"),
        ("delegation assessment", "delegation_assessment", "2026", "delegations"),
        ("training reminders (first day)", "training_reminders", REMINDER_FIRST, "staff"),
        ("training reminders (next day)", "training_reminders", REMINDER_DAY, "staff"),
    ]
    for label, job, period, unit in jobs:
        reports = folder / job
        ours = in_fresh_process(steps.run_job, url, job, period, str(reports))
        rows.append(row("city", label, "ours", ours, unit))
        written = reports / job / period  # this run's own workbooks (a reused one is not rewritten)
        bare = in_fresh_process(
            steps.bare_write, str(written), str(folder / f"{job}-{period}-bare")
        )
        rows.append(row("city", label, "bare", bare, "rows"))
        reference = in_fresh_process(
            steps.bare_write, str(written), str(folder / f"{job}-{period}-xw"), "xlsxwriter"
        )
        rows.append(row("city", label, "xlsxwriter", reference, "rows"))
        say(f"city: {label} done")
    path = str(in_fresh_process(steps.write_import_file, str(folder), IMPORT_ROWS)["path"])
    rows.append(row("city", "import 100k-row list", "ours",
                    in_fresh_process(steps.import_ours, str(folder), path), "rows"))  # fmt: skip
    rows.append(row("city", "import 100k-row list", "bare",
                    in_fresh_process(steps.bare_read, path), "rows"))  # fmt: skip
    return rows


def out(text: str) -> None:
    """One line of the table on stdout."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> None:
    """Parse the scale, run the steps, print the table, remove the scratch folder."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=["city", "province", "both"], default="both")
    parser.add_argument(
        "--province-items", type=int, default=500_000, help="Items in the province (scaled down)."
    )
    parser.add_argument(
        "--no-province-reminders", action="store_true", help="Province: skip the reminders."
    )
    parser.add_argument(
        "--no-province-review", action="store_true", help="Province: skip the yearly review."
    )
    parser.add_argument(
        "--no-province-assessment",
        action="store_true",
        help="Province: skip the delegation assessment.",
    )
    parser.add_argument(
        "--province-workers",
        type=int,
        choices=[1, 2],
        help="Province: run the review and the assessment with only this many workers "
        "(default: 1 and then 2).",
    )
    parser.add_argument("--keep", action="store_true", help="Keep the scratch folder.")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="powerlist-bench-"))
    rows: list[Row] = []
    try:
        if args.scale in ("city", "both"):
            rows += city(folder / "city")
        if args.scale in ("province", "both"):
            from benchmarks.province import province

            rows += province(
                folder / "province",
                args.province_items,
                reminders=not args.no_province_reminders,
                review=not args.no_province_review,
                assessment=not args.no_province_assessment,
                worker_counts=(args.province_workers,) if args.province_workers else (1, 2),
            )
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    load = os.getloadavg()
    print_table(rows, out)
    out(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
