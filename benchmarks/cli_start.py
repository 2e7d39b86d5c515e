"""How fast the command line answers, against a bare Python that only imports Typer and SQLAlchemy.

    .venv/bin/python -m benchmarks.cli_start [--repeat 7] [--database sqlite:///./var/powerlist.db]

Uses the demo database in var/ when it is there (`make demo`), else builds the demo city in a
scratch folder. Each command runs REPEAT times, the commands taking turns so a busy machine
slows them alike; the table gives the best and median wall time and the ratio of the best to
the bare Python's best, then the cumulative import time (`python -X importtime`), which other
load on the machine disturbs much less than the wall time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEMO_DATABASE = Path("var/powerlist.db")
DEPARTMENT = "市生态环境局"
HELP_LIMIT = 0.3  # seconds (issue 23)
LIST_RATIO_LIMIT = 1.5  # × the bare Python (issue 23)
BARE = "import typer, sqlalchemy"
CLI = "from powerlist.cli import main; main()"

# (label, arguments after `powerlist`); None: the bare Python.
COMMANDS: list[tuple[str, list[str] | None]] = [
    ("bare python -c 'import typer, sqlalchemy'", None),
    ("powerlist --help", ["--help"]),
    ("powerlist runs list --json", ["runs", "list", "--json"]),
    (
        f"powerlist items list --department {DEPARTMENT}",
        ["items", "list", "--department", DEPARTMENT],
    ),
]


def command_line(args: list[str] | None, *, importtime: bool = False) -> list[str]:
    """The process to start: the installed `powerlist` script, or Python with the same code."""
    flags = ["-X", "importtime"] if importtime else []
    if args is None:
        return [sys.executable, *flags, "-c", BARE]
    script = Path(sys.executable).parent / "powerlist"
    if not importtime and script.is_file():
        return [str(script), *args]
    return [sys.executable, *flags, "-c", CLI, *args]


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of `argv`; a failure stops the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def import_seconds(args: list[str] | None, env: dict[str, str]) -> float:
    """Cumulative import time of the process's top-level imports (`-X importtime`), seconds."""
    done = subprocess.run(
        command_line(args, importtime=True), env=env, capture_output=True, text=True
    )
    total = 0
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|", 2)
        if not name[1:].startswith(" "):  # top level: nested imports are inside its cumulative
            total += int(cumulative)
    return total / 1e6


def demo_env(database: str | None, folder: Path) -> dict[str, str]:
    """Environment pointing at the demo database, building the demo if there is none."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POWERLIST_")}
    env["POWERLIST_REPORTS_DIR"] = str(folder / "reports")
    if database is None and DEMO_DATABASE.is_file():
        database = f"sqlite:///{DEMO_DATABASE.resolve()}"
    if database is None:
        database = f"sqlite:///{folder / 'demo.db'}"
        say(f"cli start: building the demo city in {database}")
        subprocess.run(
            command_line(["demo", "--reset", "--json"]),
            env={**env, "POWERLIST_DATABASE_URL": database},
            stdout=subprocess.DEVNULL,
            check=True,
        )
    env["POWERLIST_DATABASE_URL"] = database
    return env


Times = dict[str, list[tuple[float, float]]]


def measure(env: dict[str, str], repeat: int) -> Times:
    """(wall, CPU) per run of each command, the commands taking turns, after a warm-up round."""
    times: Times = {label: [] for label, _ in COMMANDS}
    for round_ in range(repeat + 1):
        for label, args in COMMANDS:
            measured = timed(command_line(args), env)
            if round_:  # round 0 warms the file cache and .pyc files
                times[label].append(measured)
    return times


def report(times: Times, imports: dict[str, float], repeat: int) -> list[str]:
    """The table and the verdict on the targets, as lines of Markdown."""
    walls = {label: [wall for wall, _ in runs] for label, runs in times.items()}
    cpus = {label: [cpu for _, cpu in runs] for label, runs in times.items()}
    bare_label = COMMANDS[0][0]
    bare, bare_cpu, bare_imports = (
        min(walls[bare_label]),
        min(cpus[bare_label]),
        imports[bare_label],
    )
    lines = [
        f"| command | wall s best of {repeat} | median | / bare | CPU s best | / bare "
        "| imports s | / bare |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, _ in COMMANDS:
        best, cpu = min(walls[label]), min(cpus[label])
        lines.append(
            f"| {label} | {best:.3f} | {statistics.median(walls[label]):.3f} | "
            f"{best / bare:.2f}× | {cpu:.3f} | {cpu / bare_cpu:.2f}× | "
            f"{imports[label]:.3f} | {imports[label] / bare_imports:.2f}× |"
        )
    help_best = min(walls[COMMANDS[1][0]])
    verdict = [
        f"--help {help_best:.3f} s ({'ok' if help_best <= HELP_LIMIT else 'MISSES'} ≤ 0.3 s)"
    ]
    for label, _ in COMMANDS[2:]:
        ratio = min(walls[label]) / bare
        ok = "ok" if ratio <= LIST_RATIO_LIMIT else "MISSES"
        verdict.append(f"{label.split(' --')[0]} {ratio:.2f}× ({ok} ≤ {LIST_RATIO_LIMIT}×)")
    load = os.getloadavg()
    lines += [
        "",
        "targets: " + "; ".join(verdict),
        f"machine: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
    ]
    return lines


def say(text: str) -> None:
    """Progress on stderr, so stdout is only the table."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> None:
    """Time the start-up of the CLI commands and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7, help="Timed runs per command (best of).")
    parser.add_argument(
        "--database", help="Database URL (default: var/powerlist.db or a new demo)."
    )
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="powerlist-cli-bench-"))
    try:
        env = demo_env(args.database, folder)
        times = measure(env, args.repeat)
        imports = {label: min(import_seconds(a, env) for _ in range(3)) for label, a in COMMANDS}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for line in report(times, imports, args.repeat):
        sys.stdout.write(line + "\n")


if __name__ == "__main__":
    main()
