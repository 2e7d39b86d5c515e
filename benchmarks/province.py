"""Province scale (~3,000 departments, ~500,000 items) on PostgreSQL with 1 and 2 Celery workers.

Uses a scratch database `powerlist_bench_<pid>` (or POWERLIST_BENCH_DB) on
POWERLIST_TEST_POSTGRES_URL's server (dropped at the end) and a private redis-server on a free
port (the shared Redis is never touched). The reminders run the day before first (every roster
written), then the measured next working day, when unchanged rosters are reused.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import suppress
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import create_engine, make_url, text

from benchmarks import steps
from benchmarks.measure import AS_OF, REMINDER_DAY, REMINDER_FIRST, Row, in_fresh_process, row, say

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).with_name("celery"))
# two benchmarks at once never share one; POWERLIST_BENCH_DB names another scratch database
BENCH_DB = os.environ.get("POWERLIST_BENCH_DB") or f"powerlist_bench_{os.getpid()}"


def load_province(url: str, items: int) -> dict[str, Any]:
    """Build the province demo (setup, not a table row)."""
    from powerlist import db
    from powerlist.demo.generate import generate_province
    from powerlist.demo.load import load_demo

    db.upgrade(url)
    engine = db.make_engine(url)
    started = time.perf_counter()
    load_demo(engine, generate_province(2026, items), reset=True)
    engine.dispose()
    return {"wall": time.perf_counter() - started, "cpu": time.process_time(), "count": 0}


def scratch_database() -> str:
    """Create (fresh) the scratch database; returns its URL."""
    server = os.environ.get("POWERLIST_TEST_POSTGRES_URL")
    if not server:
        raise SystemExit("--scale province needs POWERLIST_TEST_POSTGRES_URL (a PostgreSQL server)")
    url = make_url(server).set(drivername="postgresql+psycopg")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {BENCH_DB}"))
    admin.dispose()
    return url.set(database=BENCH_DB).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop the scratch database."""
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
    admin.dispose()


class Cluster:
    """A private redis-server and N `celery worker` processes (concurrency 1 each)."""

    def __init__(self, folder: Path) -> None:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.folder = folder
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.broker = f"redis://127.0.0.1:{port}/0"
        self.workers: list[subprocess.Popen[bytes]] = []

    def start_workers(self, count: int) -> None:
        """Start `count` workers and wait until each is ready."""
        for n in range(count):
            log = self.folder / f"worker-{len(self.workers)}.log"
            command = [CELERY, "-A", "workers", "worker", "-P", "prefork", "-c", "1",
                       "-Q", f"{os.environ['POWERLIST_QUEUE_REPORTS']},"
                       f"{os.environ['POWERLIST_QUEUE_REMINDERS']}",
                       "-n", f"bench{n}-{uuid.uuid4().hex[:6]}@%h", "-l", "WARNING",
                       "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
            handle = log.open("ab")
            self.workers.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        time.sleep(8)  # workers connect; tasks wait in the queue meanwhile anyway

    def stop_workers(self) -> None:
        """Warm-stop every worker (SIGTERM to its process group)."""
        for worker in self.workers:
            with suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in self.workers:
            worker.wait(timeout=60)
        self.workers = []

    def close(self) -> None:
        """Stop the workers and the private redis-server."""
        self.stop_workers()
        self.redis.terminate()
        self.redis.wait(timeout=30)


class Sampler(threading.Thread):
    """Polls peak RSS and CPU time of every worker process (parent and pool children)."""

    def __init__(self, workers: list[subprocess.Popen[bytes]]) -> None:
        super().__init__(daemon=True)
        self.roots = [psutil.Process(w.pid) for w in workers]
        self.peak: dict[int, float] = {}
        self.cpu: dict[int, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        """Sample every 0.2 s until stopped."""
        while not self.stop.is_set():
            self.sample()
            time.sleep(0.2)

    def sample(self) -> None:
        """One sample of every process in every worker's tree."""
        for root in self.roots:
            with suppress(psutil.Error):
                for proc in [root, *root.children(recursive=True)]:
                    with suppress(psutil.Error):
                        rss = proc.memory_info().rss / 2**20
                        self.peak[proc.pid] = max(self.peak.get(proc.pid, 0.0), rss)
                        times = proc.cpu_times()
                        self.cpu[proc.pid] = times.user + times.system


def queued_run(cluster: Cluster, url: str, job: str, period: str, workers: int) -> dict[str, Any]:
    """Run a job through `workers` Celery workers; wall from dispatch to the run's end."""
    from powerlist import db
    from powerlist.db import session_scope
    from powerlist.runtime.ledger import PLAN
    from powerlist.runtime.runner import start_run
    from powerlist.runtime.views import get_run
    from tasks.dispatch import send_steps

    os.environ["POWERLIST_REPORTS_DIR"] = str(cluster.folder / f"{job}-{period}-{workers}")
    cluster.start_workers(workers)
    sampler = Sampler(cluster.workers)
    sampler.start()
    engine = db.make_engine(url)
    db_cpu = postgres_cpu()
    started = time.perf_counter()
    claim = start_run(engine, job, period, "all", trigger="bench", force=True)
    send_steps(claim.run_id, claim.generation, job, [PLAN])
    while True:
        with session_scope(engine) as session:
            view = get_run(session, claim.run_id)
        assert view is not None
        if view.finished:
            break
        time.sleep(0.5)
    wall = time.perf_counter() - started
    db_cpu = postgres_cpu() - db_cpu
    sampler.sample()
    sampler.stop.set()
    cluster.stop_workers()
    engine.dispose()
    return {"wall": wall, "cpu": sum(sampler.cpu.values()), "peak_mb": max(sampler.peak.values()),
            "status": view.status, "db_cpu": db_cpu}  # fmt: skip


def postgres_cpu() -> float:
    """CPU seconds used so far by this machine's PostgreSQL processes, counting backends that
    have exited (the postmaster's reaped children). The server shares the benchmark's cores;
    a local server only: psutil sees this machine's processes."""
    total = 0.0
    for proc in psutil.process_iter(["name"]):
        if proc.info["name"] == "postgres":
            with suppress(psutil.Error):
                times = proc.cpu_times()
                total += times.user + times.system + times.children_user + times.children_system
    return total


def province(
    folder: Path,
    items: int = 500_000,
    reminders: bool = True,
    review: bool = True,
    assessment: bool = True,
    worker_counts: tuple[int, ...] = (1, 2),
) -> list[Row]:
    """Province rows: load, then each job with 1 and 2 workers, then bare openpyxl.

    The reminders run with 2 workers on the first day (every roster written) and then on the
    next working day (the measured day), and with 1 worker on that day again (nothing more to
    send then: the 1-worker row shows the roster and summary work only). `worker_counts`
    limits the review and the assessment to those worker counts (the bare rows replay the
    last one's).
    """
    folder.mkdir(parents=True, exist_ok=True)
    url = scratch_database()
    cluster = Cluster(folder)
    tag = uuid.uuid4().hex[:8]
    os.environ.update({"POWERLIST_DATABASE_URL": url, "POWERLIST_BROKER_URL": cluster.broker,
                       "POWERLIST_QUEUE_REPORTS": f"bench-reports-{tag}",
                       "POWERLIST_QUEUE_REMINDERS": f"bench-reminders-{tag}",
                       "POWERLIST_REVIEW_AS_OF": AS_OF,
                       "POWERLIST_ASSESSMENT_AS_OF": AS_OF})  # fmt: skip
    rows: list[Row] = []
    try:
        say(f"province: loading {items:,} items into PostgreSQL")
        loaded = in_fresh_process(load_province, url, items)
        say(f"province: loaded in {loaded['wall']:.0f} s")
        items = steps.count_of(url, steps.PowerItem)
        staff = steps.count_of(url, steps.Staff)
        delegations = steps.count_of(url, steps.Delegation)
        runs: list[tuple[str, str, str, int, str, int]] = []
        if review:
            runs += [("yearly review", "yearly_review", "2026", items, "items", n)
                     for n in worker_counts]  # fmt: skip
        if assessment:
            job = "delegation_assessment"
            runs += [("delegation assessment", job, "2026", delegations, "delegations", n)
                     for n in worker_counts]  # fmt: skip
        if reminders:
            job = "training_reminders"
            runs += [
                ("training reminders (first day)", job, REMINDER_FIRST, staff, "staff", 2),
                ("training reminders (next day)", job, REMINDER_DAY, staff, "staff", 2),
                ("training reminders (next day, again)", job, REMINDER_DAY, staff, "staff", 1),
            ]
        for label, job, period, count, unit, workers in runs:
            result = queued_run(cluster, url, job, period, workers)
            result["count"] = count
            books = list((folder / f"{job}-{period}-{workers}").rglob("*.xlsx"))
            result["workbooks"] = len(books)
            result["bytes"] = sum(book.stat().st_size for book in books)
            rows.append(row("province", f"{label}, {workers} worker(s)", "ours", result, unit))
            say(f"province: {rows[-1]}")
        bare_runs = [("yearly review", "yearly_review")] if review else []
        bare_runs += [("delegation assessment", "delegation_assessment")] if assessment else []
        for label, job in bare_runs:
            say(f"province: bare openpyxl write-only on the {label}'s cells")
            reports = folder / f"{job}-2026-{worker_counts[-1]}"
            bare = in_fresh_process(steps.bare_write, str(reports), str(folder / f"bare-{job}"))
            rows.append(row("province", f"{label}, 1 worker(s)", "bare", bare, "rows"))
            reference = in_fresh_process(
                steps.bare_write, str(reports), str(folder / f"xw-{job}"), "xlsxwriter"
            )
            rows.append(row("province", f"{label}, 1 worker(s)", "xlsxwriter", reference, "rows"))
            say(f"province: {rows[-1]}")
    finally:
        cluster.close()
        drop_database(url)
    return rows
