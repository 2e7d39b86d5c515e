"""Atomic artifact files: written to a temp file beside the target, fsynced, then renamed.

A reader (or a download) therefore sees the old file or the new one, never a partial one,
even when the writing process is killed half-way.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from powerlist.private_files import private_folder

TEMP_PREFIX = ".tmp-"


@dataclass(frozen=True)
class Artifact:
    """A file written in place, with what a Report row records about it."""

    path: Path
    sha256: str
    bytes: int


def write_atomic(target: Path, write: Callable[[Path], None]) -> Artifact:
    """Call `write(temp_path)`, fsync, rename onto `target`; return its checksum and size."""
    private_folder(target.parent)
    fd, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=target.suffix, dir=target.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        write(temp)
        with temp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        with suppress(FileNotFoundError):
            temp.unlink()
        raise
    _fsync_dir(target.parent)
    return Artifact(path=target, sha256=sha256_of(target), bytes=target.stat().st_size)


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def remove_stale_temps(folder: Path) -> int:
    """Delete temp files left by killed writers; returns how many were removed."""
    removed = 0
    if folder.is_dir():
        for temp in folder.rglob(f"{TEMP_PREFIX}*"):
            with suppress(FileNotFoundError):
                temp.unlink()
                removed += 1
    return removed


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
