"""Hidden, protected metadata inside a workbook (run id, department, checksum) and reading it back.

A review workbook goes out to a department and comes back filled in; the metadata sheet lets
the upload be matched to its run and department, and its checksum shows it was not edited.
The checksum detects edits, it does not authenticate: anyone can compute SHA-256.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from powerlist.excel.cells import clean_text

METADATA_SHEET = "_powerlist"
CHECKSUM_KEY = "checksum"


class MetadataError(ValueError):
    """The workbook carries no powerlist metadata, or it was changed after it was written."""


def metadata_checksum(metadata: Mapping[str, str]) -> str:
    """SHA-256 over the metadata's keys and values in a canonical JSON form."""
    canonical = json.dumps(
        dict(sorted(metadata.items())), ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def add_metadata_sheet(wb: Any, metadata: Mapping[str, str]) -> None:
    """Append a very hidden, protected sheet of key/value rows plus their checksum
    (`wb` is the writer's workbook; the text is written as text, never a formula)."""
    if CHECKSUM_KEY in metadata:
        raise ValueError(f"metadata key {CHECKSUM_KEY!r} is reserved")
    values = {str(k): clean_text(str(v)) for k, v in metadata.items()}
    ws = wb.add_worksheet(METADATA_SHEET)
    text = wb.add_format({"quote_prefix": True})
    rows = [*sorted(values.items()), (CHECKSUM_KEY, metadata_checksum(values))]
    for row, (key, value) in enumerate(rows):
        ws.write_string(row, 0, key, text)
        if value:
            ws.write_string(row, 1, value, text)
    ws.very_hidden()
    ws.protect()


def read_metadata(path: Path) -> dict[str, str]:
    """The metadata of a powerlist workbook, checked against its checksum (safe, read-only open)."""
    from powerlist.excel.reading import open_workbook  # late: reading imports the size guards

    wb = open_workbook(path)
    try:
        if METADATA_SHEET not in wb.sheetnames:
            raise MetadataError(f"{path.name}: not a workbook written by powerlist (no metadata)")
        values: dict[str, str] = {}
        for row in wb[METADATA_SHEET].iter_rows(max_col=2, max_row=1000, values_only=True):
            if row and row[0] is not None:
                values[str(row[0])] = "" if row[1] is None else str(row[1])
    finally:
        wb.close()
    checksum = values.pop(CHECKSUM_KEY, None)
    if checksum != metadata_checksum(values):
        raise MetadataError(
            f"{path.name}: the hidden metadata was changed after the file was written"
        )
    return values
