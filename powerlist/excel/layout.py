"""What a report workbook is made of: columns, table sheets, the 说明 (notes) sheet facts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from powerlist.artifacts import Artifact

ColumnKind = Literal["text", "int", "float", "percent", "date", "datetime"]
KINDS: tuple[str, ...] = ("text", "int", "float", "percent", "date", "datetime")

# Fill colours for status columns (conditional formatting), Excel's own "good/neutral/bad".
GOOD = "C6EFCE"
WARN = "FFEB9C"
BAD = "FFC7CE"
INFO = "DDEBF7"
MUTED = "EDEDED"

INVALID_TITLE_CHARS = set("[]:*?/\\")


@dataclass(frozen=True)
class Column:
    """One column: its Chinese header, width, wrapping, value kind, drop-down and colours.

    `choices` become a drop-down list (数据验证) over the column; `colors` maps a cell value to
    a fill colour (hex RRGGBB) applied by conditional formatting, not per-cell styles.
    Every body cell wraps its text; `wrap` marks a long-text column, whose fitted width is
    capped lower (50) so its text wraps onto more lines instead of widening the sheet.
    """

    header: str
    width: float | None = None
    wrap: bool = False
    kind: ColumnKind = "text"
    choices: Sequence[str] = ()
    colors: Mapping[str, str] = field(default_factory=dict)
    # False for a column that is for the machine (an ID the upload matches on): it stays in
    # the grid but is left off the printed page. Only trailing columns can be unprinted.
    printed: bool = True

    def __post_init__(self) -> None:
        if not self.header.strip():
            raise ValueError("a column needs a header")
        if self.kind not in KINDS:
            raise ValueError(f"column {self.header!r}: unknown kind {self.kind!r}")
        for value, color in self.colors.items():
            if len(color) != 6 or any(c not in "0123456789abcdefABCDEF" for c in color):
                raise ValueError(f"column {self.header!r}: colour for {value!r} is not RRGGBB")


@dataclass(frozen=True)
class BarChartSpec:
    """A horizontal bar chart placed right of a table: columns `first`..`last` (1-based) as
    series, the first column as categories, over the first `rows` data rows (None: all)."""

    title: str
    first: int
    last: int
    rows: int | None = None
    stacked: bool = False
    width: float = 18.0
    height_per_row: float = 0.45


# The sheet row (1-based) of the first data row: title row 1, header row 2.
FIRST_DATA_ROW = 3


@dataclass
class TableSheet:
    """A sheet with a title row, one header row and data rows (an iterable; may be a
    generator); `title_row=False` leaves the header in row 1.

    A cell taller than the tallest row goes on in "(续)" rows, unless `one_row_per_record`
    (a sheet read back by an import) or the workbook is a returned form (has metadata).
    """

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    hidden: bool = False
    chart: BarChartSpec | None = None
    # One sheet row per data row, never "(续)" rows: for sheets that are imported back.
    one_row_per_record: bool = False
    # A title row above the header (department, period, sheet), merged across the columns;
    # the header is then row 2 (readers find it with `excel.headers.find_header`).
    title_row: bool = True
    # Leading columns (e.g. 序号, 项目编码) printed again on every page across, when the sheet
    # is too wide for one page at the smallest print scale.
    key_columns: int = 0

    def __post_init__(self) -> None:
        if not self.title or len(self.title) > 31 or INVALID_TITLE_CHARS & set(self.title):
            raise ValueError(f"sheet title {self.title!r}: 1-31 characters, none of []:*?/\\")
        if not self.columns:
            raise ValueError(f"sheet {self.title!r} has no columns")
        printed = [column.printed for column in self.columns]
        if not printed[0] or printed != sorted(printed, reverse=True):
            raise ValueError(f"sheet {self.title!r}: only trailing columns can be left unprinted")
        if not 0 <= self.key_columns < self.printed_columns:
            raise ValueError(f"sheet {self.title!r}: key_columns must leave columns to print")

    @property
    def printed_columns(self) -> int:
        """How many leading columns print (the rest are for the machine)."""
        return sum(1 for column in self.columns if column.printed)


@dataclass(frozen=True)
class Flagged:
    """A cell value to highlight, with a note shown as a cell comment (error workbooks)."""

    value: Any
    note: str


@dataclass(frozen=True)
class Formula:
    """A cell formula our code builds (never user text), e.g. a status computed with TODAY().

    `text` starts with "="; the spreadsheet computes it when the file is opened, so the
    workbook stays true on later days without being rewritten.
    """

    text: str

    def __post_init__(self) -> None:
        if not self.text.startswith("="):
            raise ValueError(f"a formula starts with '=': {self.text!r}")


@dataclass(frozen=True)
class WorkbookInfo:
    """Facts for the 说明 sheet, plus hidden metadata that lets an upload be matched to a run."""

    job: str
    period: str
    department: str = "全市"
    generated_at: datetime | None = None
    sources: Sequence[str] = ()
    notes: Sequence[str] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WrittenWorkbook:
    """A workbook written in place: path, checksum, size, and data rows per sheet."""

    path: Path
    sha256: str
    bytes: int
    rows: dict[str, int]

    @property
    def total_rows(self) -> int:
        """Data rows over all table sheets (what a Report row records)."""
        return sum(self.rows.values())

    @property
    def artifact(self) -> Artifact:
        """The same file as a plain `Artifact`."""
        return Artifact(path=self.path, sha256=self.sha256, bytes=self.bytes)
