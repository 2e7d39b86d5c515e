"""Open an uploaded workbook safely: size, zip and macro checks before openpyxl parses anything.

Hostile files (zip bombs, billion-laughs XML, macro-enabled or renamed files) fail fast with a
clear message; workbooks are then read in read-only, values-only mode (formulas never run).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import openpyxl
import openpyxl.xml
from openpyxl.cell.text import Text
from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

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
        reader = _LazyReader(path, read_only=True, keep_vba=False, data_only=True, keep_links=False)
        reader.read()
        return reader.wb
    except Exception as exc:  # openpyxl raises many types for damaged or hostile XML
        cause = exc.__cause__ or exc.__context__ or exc
        raise UnsafeFile(
            f"{path.name}: 无法读取工作簿（{type(cause).__name__}: {cause}）；{SAVE_AS}"
        ) from exc


STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"


class LazyStrings:
    """The shared-string table, parsed only as far as the cells read so far refer to it.

    openpyxl parses the whole table when it opens a workbook: 400,000 strings of a header-less
    sheet were parsed before its first row was read. Exporters number strings in order of first
    use, so the header scan needs only the table's head; a full import still parses it all.
    """

    def __init__(self, source: IO[bytes]) -> None:
        self._source: IO[bytes] | None = source
        self._nodes: Iterator[Any] | None = iterparse(source)  # defusedxml's, as openpyxl's
        self._strings: list[str] = []

    def __getitem__(self, index: int) -> str:
        """String number `index` (0-based), parsing the table up to it."""
        while (index >= len(self._strings) or index < 0) and self._nodes is not None:
            self._parse_more()
        return self._strings[index]

    def _parse_more(self, count: int = 4096) -> None:
        assert self._nodes is not None
        found = 0
        for _, node in self._nodes:
            if node.tag == STRING_TAG:
                self._strings.append(Text.from_tree(node).content.replace("x005F_", ""))
                node.clear()
                found += 1
                if found >= count:
                    return
        self._nodes = None
        if self._source is not None:
            self._source.close()
            self._source = None


class _HeadOnlySheet(ReadOnlyWorksheet):  # type: ignore[misc]
    """A read-only sheet that looks for <dimension> only before <sheetData> starts.

    openpyxl's own looks until <sheetData> ends: a sheet without <dimension> (openpyxl's own
    write-only files, many exporters) was parsed whole when the workbook was opened.
    """

    def _get_size(self) -> None:
        with self._get_source() as source:
            for _, element in iterparse(source, events=("start",)):
                if element.tag == DIMENSION_TAG and element.get("ref"):
                    bounds = SheetDimension.from_tree(element).boundaries
                    self._min_column, self._min_row, self._max_column, self._max_row = bounds
                    return
                if element.tag == DATA_TAG:
                    return


class _LazyReader(ExcelReader):  # type: ignore[misc]
    """openpyxl's read-only workbook reader that parses no sheet and no string table on open:
    shared strings are parsed on demand and a sheet's size is read from its head only."""

    def read_strings(self) -> None:
        found = self.package.find(SHARED_STRINGS)
        if found is not None:
            self.shared_strings = LazyStrings(self.archive.open(found.PartName[1:]))

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                self.read_chartsheet(sheet, rel)
                continue
            ws = _HeadOnlySheet(self.wb, sheet.name, rel.target, self.shared_strings)
            ws.sheet_state = sheet.state
            self.wb._sheets.append(ws)
