"""Finding the header row (表头) of a returned form: our workbooks print a title row above it
(row 2), workbooks downloaded before that have it in row 1; both must upload the same."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

HEADER_SCAN_ROWS = 3  # the title row, the header; one spare for a row a user inserted above


@dataclass(frozen=True)
class FoundHeader:
    """The header's texts and its 1-based row number; data rows start on the next row."""

    texts: list[str]
    row: int

    def index(self, required: Sequence[str]) -> dict[str, int]:
        """Column index of each required header text (all present: see `find_header`)."""
        return {text: self.texts.index(text) for text in required}


def find_header(
    lines: Iterator[Sequence[Any]], sheet: str, required: Sequence[str]
) -> tuple[FoundHeader | None, list[str]]:
    """Read up to HEADER_SCAN_ROWS rows for the first one holding every required column.

    Consumes the rows it reads, so the caller's next row is the first data row. When none
    holds them all, the problem names the row that came closest and the columns it lacks.
    """
    best: tuple[int, int, list[str]] | None = None  # (matches, row, texts)
    for number in range(1, HEADER_SCAN_ROWS + 1):
        values = next(lines, None)
        if values is None:
            break
        texts = [str(v).strip() if v is not None else "" for v in values]
        matches = sum(1 for text in required if text in texts)
        if matches == len(required):
            return FoundHeader(texts, number), []
        if best is None or matches > best[0]:
            best = (matches, number, texts)
    row, texts = (best[1], best[2]) if best else (1, [])
    missing = "、".join(text for text in required if text not in texts)
    return None, [f"工作表“{sheet}”第{row}行（表头）缺少列：{missing}"]
