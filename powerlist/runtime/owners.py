"""Who holds a claim: "host:pid" of the process, and whether that process is provably dead."""

from __future__ import annotations

import os
import socket


def current_owner() -> str:
    """This process as a claim owner, e.g. "worker-1:4242"."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_is_dead(owner: str | None) -> bool:
    """True when `owner` ran on this host and its process is gone (a killed worker child).

    An owner on another host is never declared dead here; its lease (heartbeat) decides.
    """
    if not owner:
        return True
    host, _, pid_text = owner.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False
