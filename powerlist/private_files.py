"""Private files (文件权限): the database and report folders hold staff personal data, so
folders this process creates are 0700 and the SQLite database file is 0600, whatever the umask."""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(folder: Path) -> Path:
    """Create `folder` and any missing parents as 0700 (existing folders are left as they are)."""
    missing: list[Path] = []
    at = folder
    while not at.exists():
        missing.append(at)
        if at.parent == at:
            break
        at = at.parent
    for part in reversed(missing):
        try:
            part.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            continue  # created by a parallel step: fine
        os.chmod(part, FOLDER_MODE)  # mkdir's mode is masked by the umask
    return folder


def private_file(path: Path) -> None:
    """Make an existing file (and SQLite's -wal/-shm companions) readable by its owner only."""
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            if name.stat().st_mode & 0o077:
                os.chmod(name, FILE_MODE)
        except (FileNotFoundError, PermissionError):
            continue
