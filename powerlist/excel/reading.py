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
SAVE_AS = (
    "请在 Excel 中打开并另存为 .xlsx（Excel 工作簿）后再上传"  # what to do, ending most refusals
)


class UnsafeFile(ValueError):
    """A file refused before parsing: too large, not a workbook, macro-enabled or a zip bomb."""


def ensure_defusedxml() -> None:
    """Refuse to run when openpyxl would parse XML without defusedxml (billion-laughs guard)."""
    if not openpyxl.xml.DEFUSEDXML:
        raise RuntimeError(
            "openpyxl 未使用 defusedxml，不能安全读取上传的文件；"
            "请安装 defusedxml 并取消环境变量 OPENPYXL_DEFUSEDXML"
        )


def check_file_size(path: Path) -> int:
    """The file's size, or UnsafeFile when it is over the configured import limit."""
    limit = get_settings().import_max_bytes
    size = path.stat().st_size
    if size > limit:
        raise UnsafeFile(
            f"{path.name}: 文件过大（{size:,} 字节，上限 {limit:,} 字节）；请拆分成几个文件后再导入"
        )
    return size


def check_workbook_zip(path: Path) -> None:
    """Check an .xlsx from its zip directory alone: declared sizes, ratios, macros, part names."""
    settings = get_settings()
    if path.suffix.lower() in MACRO_SUFFIXES:
        raise UnsafeFile(
            f"{path.name}: 含宏的工作簿（{path.suffix}）不予接收；"
            "请在 Excel 中另存为不含宏的 .xlsx（Excel 工作簿）后再上传"
        )
    with path.open("rb") as handle:
        if handle.read(4) != ZIP_SIGNATURE:
            raise UnsafeFile(
                f"{path.name}: 不是 .xlsx 文件"
                f"（可能是旧版 .xls、设了打开密码的工作簿或改了扩展名的文件）；{SAVE_AS}"
            )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise UnsafeFile(
            f"{path.name}: 文件已损坏，无法解压（{exc}）；请重新导出或在 Excel 中另存后再上传"
        ) from exc
    if len(members) > MAX_MEMBERS:
        raise UnsafeFile(
            f"{path.name}: 工作簿含 {len(members)} 个部件，超过上限 {MAX_MEMBERS} 个；"
            "请删去多余的工作表和图片，另存为新的 .xlsx 后再上传"
        )
    names = {member.filename for member in members}
    _check_members(path, members, names, settings.import_max_ratio)
    total = sum(member.file_size for member in members)
    if total > settings.import_max_uncompressed_bytes:
        raise UnsafeFile(
            f"{path.name}: 解压后过大（{total:,} 字节，上限 "
            f"{settings.import_max_uncompressed_bytes:,} 字节），疑似压缩炸弹，不予接收；"
            "请检查文件来源，或拆分成几个文件后再上传"
        )


def _check_members(path: Path, members: list[zipfile.ZipInfo], names: set[str], ratio: int) -> None:
    missing = [name for name in REQUIRED_MEMBERS if name not in names]
    if missing:
        raise UnsafeFile(f"{path.name}: 不是 .xlsx 文件（缺少 {missing[0]}）；{SAVE_AS}")
    for member in members:
        name = member.filename
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
            raise UnsafeFile(f"{path.name}: 工作簿含不安全的部件名“{name}”，不予接收；{SAVE_AS}")
        if name.lower().endswith("vbaproject.bin"):
            raise UnsafeFile(
                f"{path.name}: 工作簿含宏（{name}），不予接收；"
                "请在 Excel 中另存为不含宏的 .xlsx（Excel 工作簿）后再上传"
            )
        if member.file_size > RATIO_CHECK_FROM_BYTES:
            member_ratio = member.file_size / max(member.compress_size, 1)
            if member_ratio > ratio:
                raise UnsafeFile(
                    f"{path.name}: 部件 {name} 解压后膨胀 {member_ratio:.0f} 倍"
                    f"（上限 {ratio} 倍），"
                    "疑似压缩炸弹，不予接收；请检查文件来源，或在 Excel 中另存后再上传"
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
            f"{path.name}: 无法读取工作簿（{type(cause).__name__}: {cause}）；{SAVE_AS}"
        ) from exc
