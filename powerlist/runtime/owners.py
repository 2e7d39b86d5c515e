"""Who holds a claim: "host:pid:start" of the process, and whether that process is provably dead.

`start` is the process's start time (clock ticks since boot, /proc/<pid>/stat field 22), so a
new process that happens to get a dead worker's PID is not mistaken for it (PID reuse). An
owner written without it ("host:pid") is judged by the PID alone.
"""

from __future__ import annotations

import os
import socket


def current_owner() -> str:
    """This process as a claim owner, e.g. "worker-1:4242:9876543"."""
    pid = os.getpid()
    start = process_start(pid)
    return f"{socket.gethostname()}:{pid}" + (f":{start}" if start is not None else "")


def process_start(pid: int) -> int | None:
    """The start time of process `pid` in clock ticks since boot (None where /proc is absent)."""
    stat = _stat_fields(pid)
    if stat is None or len(stat) < 20:
        return None
    try:
        return int(stat[19])  # field 22 of /proc/<pid>/stat, counted after the ")"
    except ValueError:
        return None


def owner_is_dead(owner: str | None) -> bool:
    """True when `owner` ran on this host and its process is gone (a killed worker child),
    or its PID now belongs to a process started at another time.

    An owner on another host is never declared dead here; its lease (heartbeat) decides.
    """
    if not owner:
        return True
    host, pid_text, start_text = _parts(owner)
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    if start_text.isdigit():
        start = process_start(pid)
        if start is not None and start != int(start_text):
            return True  # the PID was reused by another process
    return _is_zombie(pid)


def _parts(owner: str) -> tuple[str, str, str]:
    """(host, pid, start) of "host:pid:start" or "host:pid" (a host may itself hold colons)."""
    head, _, last = owner.rpartition(":")
    host, _, middle = head.rpartition(":")
    if host and middle.isdigit() and last.isdigit():
        return host, middle, last
    return head, last, ""


def _stat_fields(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _is_zombie(pid: int) -> bool:
    fields = _stat_fields(pid)
    return bool(fields) and fields[0] == "Z"  # type: ignore[index]
