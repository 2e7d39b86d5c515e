"""The identity a review workbook carries so an upload can be matched to its run and department.

Written as the shared hidden metadata sheet (`powerlist.excel`, very hidden, protected, with a
checksum over its values): job, run id, year, department code, the item ids and the active
delegation ids sent.
"""

from __future__ import annotations

from dataclasses import dataclass

FORMAT = "powerlist-review/1"


class IdentityError(ValueError):
    """The workbook's metadata is not that of a review workbook, or is incomplete."""


@dataclass(frozen=True)
class WorkbookIdentity:
    """Which run and department a review workbook was generated for."""

    run_id: int
    year: int
    department_code: str
    item_ids: tuple[int, ...]
    delegation_ids: tuple[int, ...] = ()

    def to_metadata(self) -> dict[str, str]:
        """The key/value metadata written into the workbook."""
        return {
            "format": FORMAT,
            "run_id": str(self.run_id),
            "year": str(self.year),
            "department_code": self.department_code,
            "item_ids": ",".join(str(i) for i in self.item_ids),
            "delegation_ids": ",".join(str(i) for i in self.delegation_ids),
        }


def identity_from_metadata(values: dict[str, str]) -> WorkbookIdentity:
    """Rebuild the identity from a workbook's (checksum-verified) metadata."""
    if values.get("format") != FORMAT:
        raise IdentityError(f"不是年度审核工作簿（格式标识 {values.get('format')!r}）")
    try:
        return WorkbookIdentity(
            run_id=int(values["run_id"]),
            year=int(values["year"]),
            department_code=values["department_code"],
            item_ids=_ids(values.get("item_ids", "")),
            delegation_ids=_ids(values.get("delegation_ids", "")),
        )
    except (KeyError, ValueError) as error:
        raise IdentityError(f"标识内容不完整（{error}）") from error


def _ids(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(",") if x.strip())
