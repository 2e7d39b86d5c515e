"""The identity a review workbook carries so an upload can be matched to its run and department.

Stored in a very hidden, protected sheet: run id, year, department code, the item ids sent,
and a checksum over them, so a workbook from another run, department or a hand-edited
identity is refused on import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

META_SHEET = "_审核标识"
FORMAT = "powerlist-review/1"


class IdentityError(ValueError):
    """The workbook's identity sheet is missing or does not match its checksum."""


@dataclass(frozen=True)
class WorkbookIdentity:
    """Which run and department a review workbook was generated for."""

    run_id: int
    year: int
    department_code: str
    item_ids: tuple[int, ...]

    @property
    def checksum(self) -> str:
        """SHA-256 over the identity fields, in a fixed order."""
        text = "|".join(
            [FORMAT, str(self.run_id), str(self.year), self.department_code,
             ",".join(str(i) for i in sorted(self.item_ids))]
        )  # fmt: skip
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_cells(self) -> dict[str, str]:
        """The key/value cells of the identity sheet."""
        return {
            "format": FORMAT,
            "run_id": str(self.run_id),
            "year": str(self.year),
            "department_code": self.department_code,
            "item_ids": ",".join(str(i) for i in self.item_ids),
            "checksum": self.checksum,
        }


def identity_from_cells(cells: dict[str, str]) -> WorkbookIdentity:
    """Rebuild the identity from the sheet's cells and check its checksum."""
    try:
        if cells.get("format") != FORMAT:
            raise IdentityError(f"格式标识应为 {FORMAT}，实际为 {cells.get('format')!r}")
        ids = tuple(int(x) for x in _split(cells.get("item_ids", "")))
        identity = WorkbookIdentity(
            run_id=int(cells["run_id"]),
            year=int(cells["year"]),
            department_code=cells["department_code"],
            item_ids=ids,
        )
    except (KeyError, ValueError, TypeError) as error:
        if isinstance(error, IdentityError):
            raise
        raise IdentityError(f"标识内容不完整或已损坏（{error}）") from error
    if identity.checksum != cells.get("checksum"):
        raise IdentityError("校验码不符：标识内容已被改动")
    return identity


def _split(text: str) -> Iterable[str]:
    return (part for part in text.split(",") if part.strip())


def sheet_password(run_id: int, department_code: str) -> str:
    """A per-workbook protection password (deters edits; not a secret)."""
    return hashlib.sha256(f"powerlist:{run_id}:{department_code}".encode()).hexdigest()[:12]
