"""Import problems: every one names file, sheet, row, column and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class RowError:
    """One thing wrong with one cell (or row) of an imported file."""

    file: str
    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file, f"工作表“{self.sheet}”" if self.sheet else ""]
        if self.row is not None:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"“{self.column}”列")
        return " ".join(part for part in where if part) + f"：{self.message}"


@dataclass
class ImportRejected(Exception):
    """The file was refused as a whole and nothing was written; `error_workbook` marks bad cells."""

    file: str
    errors: list[RowError]
    error_workbook: Path | None = None
    extra: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        shown = "\n".join(f"  {error}" for error in self.errors[:50])
        more = f"\n  …另有 {len(self.errors) - 50} 处错误" if len(self.errors) > 50 else ""
        head = (
            f"{self.file}: 导入被拒绝，共 {len(self.errors)} 处错误，整个文件未导入；"
            "请按下列位置改正后重新导入"
        )
        return f"{head}\n{shown}{more}"


class NoDataRejected(ImportRejected):
    """The file has no data rows at all (blank, or a header only): bad input, not bad rows."""
