"""Open an uploaded workbook safely: size, zip and macro checks before openpyxl parses anything.

Hostile files (zip bombs, billion-laughs XML, macro-enabled or renamed files) fail fast with a
clear message; workbooks are then read in read-only, values-only mode (formulas never run).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import openpyxl.xml

from powerlist.settings import get_settings

ZIP_SIGNATURE = b"PK\x03\x04"
MACRO_SUFFIXES = {".xlsm", ".xltm", ".xlam"}
MAX_MEMBERS = 1000
RATIO_CHECK_FROM_BYTES = 1024 * 1024  # tiny members may compress very well legitimately
REQUIRED_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")


class UnsafeFile(ValueError):
    """A file refused before parsing: too large, not a workbook, macro-enabled or a zip bomb."""


def ensure_defusedxml() -> None:
    """Refuse to run when openpyxl would parse XML without defusedxml (billion-laughs guard)."""
    if not openpyxl.xml.DEFUSEDXML:
        raise RuntimeError(
            "openpyxl is not using defusedxml: install defusedxml and unset OPENPYXL_DEFUSEDXML"
        )


def check_file_size(path: Path) -> int:
    """The file's size, or UnsafeFile when it is over the configured import limit."""
    limit = get_settings().import_max_bytes
    size = path.stat().st_size
    if size > limit:
        raise UnsafeFile(f"{path.name}: 文件过大 file is {size:,} bytes, the limit is {limit:,}")
    return size


def check_workbook_zip(path: Path) -> None:
    """Check an .xlsx from its zip directory alone: declared sizes, ratios, macros, part names."""
    settings = get_settings()
    if path.suffix.lower() in MACRO_SUFFIXES:
        raise UnsafeFile(f"{path.name}: 含宏的工作簿不予接收 macro-enabled workbooks are refused")
    with path.open("rb") as handle:
        if handle.read(4) != ZIP_SIGNATURE:
            raise UnsafeFile(
                f"{path.name}: 不是 .xlsx 文件 not an .xlsx workbook "
                "(an old .xls, a password-protected workbook, or a renamed file?)"
            )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise UnsafeFile(f"{path.name}: 文件已损坏 damaged .xlsx ({exc})") from exc
    if len(members) > MAX_MEMBERS:
        raise UnsafeFile(
            f"{path.name}: {len(members)} parts in the workbook, at most {MAX_MEMBERS}"
        )
    names = {member.filename for member in members}
    _check_members(path, members, names, settings.import_max_ratio)
    total = sum(member.file_size for member in members)
    if total > settings.import_max_uncompressed_bytes:
        raise UnsafeFile(
            f"{path.name}: 解压后过大 unpacks to {total:,} bytes, "
            f"the limit is {settings.import_max_uncompressed_bytes:,} (zip bomb?)"
        )


def _check_members(path: Path, members: list[zipfile.ZipInfo], names: set[str], ratio: int) -> None:
    missing = [name for name in REQUIRED_MEMBERS if name not in names]
    if missing:
        raise UnsafeFile(f"{path.name}: 不是 .xlsx 文件 not an .xlsx workbook (no {missing[0]})")
    for member in members:
        name = member.filename
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
            raise UnsafeFile(f"{path.name}: unsafe part name {name!r}")
        if name.lower().endswith("vbaproject.bin"):
            raise UnsafeFile(f"{path.name}: 含宏的工作簿不予接收 workbook contains macros")
        if member.file_size > RATIO_CHECK_FROM_BYTES:
            member_ratio = member.file_size / max(member.compress_size, 1)
            if member_ratio > ratio:
                raise UnsafeFile(
                    f"{path.name}: part {name} inflates {member_ratio:.0f}-fold "
                    f"(limit {ratio}), zip bomb refused"
                )


def open_workbook(path: Path) -> Any:
    """Check `path`, then open it read-only with cached values only (no formula is evaluated)."""
    ensure_defusedxml()
    check_file_size(path)
    check_workbook_zip(path)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for damaged or hostile XML
        cause = exc.__cause__ or exc.__context__ or exc
        raise UnsafeFile(
            f"{path.name}: 无法读取 cannot read the workbook ({type(cause).__name__}: {cause})"
        ) from exc
