"""A run's scope (范围): all, one department (部门) or one receiving unit (承接单位), checked first.

The scope becomes part of a folder name under the reports folder, so it is resolved to a stored
code (a person may type the code or the name) and refused before any run or folder exists.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from powerlist.errors import UserError
from powerlist.listing import DepartmentNotFound, find_department
from powerlist.models import ReceivingUnit
from powerlist.regions import UnknownRegion, check_region, region_scope, scope_region

ALL = "all"
UNSAFE = ("/", "\\", "\x00", ":")


class BadScope(UserError):
    """The scope names no department or unit, or could not be a folder name."""


def is_path_safe(code: str) -> bool:
    """Whether `code` can be one folder name under the reports folder (no separators, no ..)."""
    return (
        bool(code)
        and code.strip() == code
        and code not in (".", "..")
        and not any(part in code for part in UNSAFE)
    )


def resolve_scope(session: Session, scope_kind: str, scope: str | None) -> str:
    """The stored code for `scope` (a code or a name), or "all"; BadScope otherwise.

    `scope_kind` is "department" or "unit" (what the job's units are).
    """
    wanted = (scope or "").strip()
    if wanted in ("", ALL, "全部", "全市"):
        return ALL
    region = scope_region(wanted)
    if region is not None:  # a 所属地区 (run --region)
        try:
            code = region_scope(check_region(session, region))
        except UnknownRegion as error:
            raise BadScope(str(error)) from error
        if not is_path_safe(code):
            raise BadScope(f"所属地区“{_shown(region)}”不能用作文件夹名：请先更正该地区名称")
        return code
    if scope_kind == "unit":
        code = session.scalars(
            select(ReceivingUnit.code).where(
                or_(ReceivingUnit.code == wanted, ReceivingUnit.name == wanted)
            )
        ).first()
        if code is None:
            raise BadScope(
                f"找不到承接单位“{_shown(wanted)}”：请填写承接单位的编码或全称，或不填（全部单位）"
            )
    else:
        try:
            code = find_department(session, wanted).code
        except DepartmentNotFound as error:
            raise BadScope(
                f"{error}：请用 powerlist departments list 查看部门编码，"
                "或不填 --department（全部部门）"
            ) from error
    if not is_path_safe(code):
        raise BadScope(f"编码“{_shown(code)}”不能用作文件夹名：请先更正该编码")
    return code


def _shown(text: str, limit: int = 40) -> str:
    """The typed text, cut short so a hostile value cannot flood the message."""
    return text if len(text) <= limit else text[:limit] + "…"
