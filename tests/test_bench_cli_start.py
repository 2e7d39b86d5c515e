"""The CLI start-up benchmark: ratios to the bare Python and the verdict on issue 23's targets."""

from __future__ import annotations

import os

from benchmarks.cli_start import COMMANDS, import_seconds, report


def test_the_verdict_compares_the_best_runs_with_the_bare_python() -> None:
    bare, help_, runs, items = (label for label, _ in COMMANDS)
    times = {
        bare: [(0.25, 0.20), (0.20, 0.18)],
        help_: [(0.29, 0.25), (0.40, 0.30)],
        runs: [(0.30, 0.27)],
        items: [(0.32, 0.30)],
    }
    imports = {bare: 0.10, help_: 0.08, runs: 0.15, items: 0.20}
    lines = report(times, imports, 2)
    assert lines[2] == f"| {bare} | 0.200 | 0.225 | 1.00× | 0.180 | 1.00× | 0.100 | 1.00× |"
    assert lines[4].endswith("| 1.50× | 0.270 | 1.50× | 0.150 | 1.50× |")
    verdict = next(line for line in lines if line.startswith("targets:"))
    assert "--help 0.290 s (ok ≤ 0.3 s)" in verdict
    assert "powerlist runs list 1.50× (ok ≤ 1.5×)" in verdict
    assert "powerlist items list 1.60× (MISSES ≤ 1.5×)" in verdict


def test_import_time_is_read_from_python_importtime() -> None:
    bare = import_seconds(None, dict(os.environ))  # python -X importtime -c 'import typer, ...'
    assert 0.01 < bare < 10
