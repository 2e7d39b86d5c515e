"""Run-owner liveness (issue 24 item 9): the owner names the process's start time, so a new
process that reuses a dead worker's PID does not keep the dead worker's claim alive."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from powerlist.runtime.owners import current_owner, owner_is_dead, process_start


def test_the_owner_carries_the_process_start_time() -> None:
    host, pid, start = current_owner().rsplit(":", 2)
    assert host == socket.gethostname() and int(pid) == os.getpid()
    assert int(start) == process_start(os.getpid())
    assert not owner_is_dead(current_owner())


def test_a_reused_pid_with_another_start_time_is_dead() -> None:
    start = process_start(os.getpid())
    assert start is not None
    reused = f"{socket.gethostname()}:{os.getpid()}:{start + 1}"
    assert owner_is_dead(reused)


def test_a_finished_process_is_dead_and_other_hosts_are_left_to_the_lease() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    start = process_start(child.pid)
    assert start is not None
    assert not owner_is_dead(f"{socket.gethostname()}:{child.pid}:{start}")
    child.kill()
    child.wait()
    assert owner_is_dead(f"{socket.gethostname()}:{child.pid}:{start}")
    assert not owner_is_dead(f"another-host:{os.getpid()}:1")
    assert not owner_is_dead(f"{socket.gethostname()}:{os.getpid()}")  # the old form: by PID
