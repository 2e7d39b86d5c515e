"""Real Celery processes for the runtime tests: workers and beats as subprocesses, each test on
its own queues (so a shared Redis never mixes tests), plus a private AOF redis-server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from celery import Celery
from sqlalchemy import Engine

from powerlist.db import session_scope
from powerlist.runtime.views import RunView, get_run
from powerlist.settings import Settings
from workers.config import celery_config

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).with_name("celery"))

# Short timeouts for tests (production defaults are minutes to an hour).
FAST = {
    "POWERLIST_TASK_SOFT_TIME_LIMIT": "6",
    "POWERLIST_TASK_TIME_LIMIT": "8",
    "POWERLIST_VISIBILITY_TIMEOUT": "10",
    "POWERLIST_UNACKED_RESTORE_INTERVAL": "1",
    "POWERLIST_HEARTBEAT_SECONDS": "0.5",
    "POWERLIST_LEASE_SECONDS": "6",
    "POWERLIST_MAX_ATTEMPTS": "3",
    "POWERLIST_RETRY_BACKOFF_MAX": "1",
}


@dataclass
class Cluster:
    """Environment shared by the test's workers, beats and its own client app."""

    database_url: str
    broker_url: str
    folder: Path
    overrides: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        tag = uuid.uuid4().hex[:8]
        self.env = {
            **os.environ,
            **FAST,
            "PYTHONPATH": str(ROOT),
            "POWERLIST_DATABASE_URL": self.database_url,
            "POWERLIST_BROKER_URL": self.broker_url,
            "POWERLIST_QUEUE_REPORTS": f"reports-{tag}",
            "POWERLIST_QUEUE_REMINDERS": f"reminders-{tag}",
            "POWERLIST_REPORTS_DIR": str(self.folder / "reports"),
            "POWERLIST_EXTRA_JOB_MODULES": "tests.jobs_for_tests",
            **self.overrides,
        }

    @property
    def settings(self) -> Settings:
        """The settings the subprocesses see."""
        values = {
            key.removeprefix("POWERLIST_").lower(): value
            for key, value in self.env.items()
            if key.startswith("POWERLIST_") and not key.startswith("POWERLIST_TEST_")
        }
        return Settings(**values)

    def client(self) -> Celery:
        """A Celery app in the test process that sends to this cluster's broker and queues."""
        config = celery_config(self.settings)
        config.pop("include")
        app = Celery("powerlist-test-client")
        app.conf.update(config)
        return app

    def send(self, task: str, **kwargs: Any) -> None:
        """Send a task by name to the reports queue."""
        app = self.client()
        app.send_task(task, kwargs=kwargs, queue=self.env["POWERLIST_QUEUE_REPORTS"])
        app.close()

    def worker(self, name: str, concurrency: int = 1) -> subprocess.Popen[bytes]:
        """Start `celery -A workers worker` on both queues; returns once it is ready."""
        log = self.folder / f"{name}.log"
        queues = f"{self.env['POWERLIST_QUEUE_REPORTS']},{self.env['POWERLIST_QUEUE_REMINDERS']}"
        command = [CELERY, "-A", "workers", "worker", "-P", "prefork", "-c", str(concurrency)]
        command += ["-Q", queues, "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h", "-l", "INFO"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        process = self._start(command, log)
        wait_for(lambda: "ready." in log.read_text(errors="replace"), 60, f"{name} ready", log)
        return process

    def use_schedule(self, text: str) -> Path:
        """Write a schedule TOML that every process started afterwards uses."""
        path = self.folder / "schedule.toml"
        path.write_text(text, encoding="utf-8")
        self.env["POWERLIST_SCHEDULE_FILE"] = str(path)
        return path

    def beat(self, name: str) -> subprocess.Popen[bytes]:
        """Start `celery -A workers beat` with its own (fresh) schedule state file."""
        log = self.folder / f"{name}.log"
        state = self.folder / f"{name}-state"
        command = [CELERY, "-A", "workers", "beat", "-s", str(state), "-l", "INFO"]
        return self._start(command, log)

    def _start(
        self, command: list[str], log: Path, extra: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        handle = log.open("ab")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**self.env, **(extra or {})},
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL a worker or beat with all its children (the whole process group)."""
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        """Stop every process this cluster started (warm shutdown, then kill)."""
        for process in self.processes:
            if process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill(process)

    def logs(self) -> str:
        """Every process log of this cluster, for assertion messages."""
        return "\n".join(p.read_text(errors="replace") for p in self.folder.glob("*.log"))


def wait_for(
    condition: Callable[[], Any], timeout: float, what: str, log: Path | None = None
) -> Any:
    """Poll `condition` until truthy; fail with `what` (and the log tail) after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{tail}")


def run_of(engine: Engine, run_id: int) -> RunView:
    """The run as recorded in the ledger."""
    with session_scope(engine) as session:
        view = get_run(session, run_id)
    assert view is not None
    return view


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AofRedis:
    """A private redis-server with AOF (appendfsync always) that the test may kill and restart."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Its URL."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start (or restart) on the same port and data folder."""
        import redis

        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--dir", str(self.folder), "--appendonly", "yes", "--appendfsync", "always"]
        command += ["--maxmemory-policy", "noeviction", "--save", ""]
        log = (self.folder / "redis.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)

        def answers() -> bool:
            try:
                return bool(redis.Redis.from_url(self.url, socket_timeout=1).ping())
            except redis.RedisError:
                return False

        wait_for(answers, 20, "private redis-server")

    def kill(self) -> None:
        """SIGKILL the server (no shutdown save)."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop the server if it runs."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
