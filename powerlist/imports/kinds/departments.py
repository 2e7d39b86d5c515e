"""Import the organisation list (部门名录) as an 编办 publishes it: departments by code.

A department without a code gets a stable short code made from its name (printed in the notes);
a changed file updates departments by code, so a renamed department keeps its items.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.imports.fields import ColumnMap, Field, SourceRow
from powerlist.imports.plan import Change, ImportKind
from powerlist.imports.problems import RowError
from powerlist.imports.text import BadValue, clean, code_text, fold, parse_date
from powerlist.models import Department
from powerlist.settings import get_settings
from powerlist.vocab import DepartmentLevel

# How offices write 层级; folded spelling → level.
LEVEL_SPELLINGS = {
    "市": DepartmentLevel.CITY,
    "市级": DepartmentLevel.CITY,
    "市本级": DepartmentLevel.CITY,
    "盟市": DepartmentLevel.CITY,
    "旗县区": DepartmentLevel.COUNTY,
    "旗县区级": DepartmentLevel.COUNTY,
    "旗县": DepartmentLevel.COUNTY,
    "县区": DepartmentLevel.COUNTY,
    "区县": DepartmentLevel.COUNTY,
    "县级": DepartmentLevel.COUNTY,
    "县": DepartmentLevel.COUNTY,
    "区": DepartmentLevel.COUNTY,
    "旗": DepartmentLevel.COUNTY,
    "苏木乡镇街道": DepartmentLevel.TOWNSHIP,
    "苏木乡镇": DepartmentLevel.TOWNSHIP,
    "乡镇街道": DepartmentLevel.TOWNSHIP,
    "乡镇": DepartmentLevel.TOWNSHIP,
    "街道": DepartmentLevel.TOWNSHIP,
    "乡镇级": DepartmentLevel.TOWNSHIP,
    "苏木": DepartmentLevel.TOWNSHIP,
    "市直": DepartmentLevel.CITY,
    "市直部门": DepartmentLevel.CITY,
    "市属": DepartmentLevel.CITY,
    "旗县区直": DepartmentLevel.COUNTY,
    "旗县区直属": DepartmentLevel.COUNTY,
    "县直": DepartmentLevel.COUNTY,
    "区直": DepartmentLevel.COUNTY,
    "镇": DepartmentLevel.TOWNSHIP,
    "乡": DepartmentLevel.TOWNSHIP,
}
# 机构类别 as 编办 lists name them; other spellings are kept as written.
CATEGORIES = ("政府工作部门", "直属机构", "部门管理机构", "派出机构", "事业单位", "议事协调机构")
COUNTY_PREFIX = re.compile(r"^(.{1,8}?(?:旗|县|区))")
TOWNSHIP_SUFFIX = re.compile(r"(?:街道|街道办事处|镇|乡|苏木|镇人民政府|乡人民政府)$")


def normalize_level(value: Any) -> str | None:
    """层级 as stored (市/旗县区/苏木乡镇街道), or None when the cell says nothing we know."""
    text = clean(value)
    if text is None:
        return None
    return LEVEL_SPELLINGS.get(fold(text).removesuffix("层级"))


def parse_level(value: Any) -> str | None:
    """A 层级 cell; an unknown spelling is an error listing the three levels."""
    level = normalize_level(value)
    if level is None and clean(value) is not None:
        raise BadValue(f"“{clean(value)}”不是有效的层级（可选：{'、'.join(DepartmentLevel)}）")
    return level


def short_code(name: str) -> str:
    """A stable short code from a department's name: the same name always gives the same code."""
    digest = hashlib.sha1(fold(name).encode("utf-8")).hexdigest()  # a label, not security
    return f"D{digest[:6].upper()}"


def default_region_and_level(name: str, region: str | None, level: str | None) -> tuple[str, str]:
    """所属地区 and 层级 when the file leaves them out: read from the name, else the city and 市."""
    city = get_settings().city
    if region is None:
        found = COUNTY_PREFIX.match(name)
        region = city if name.startswith(city) or found is None else found[1]
    if level is None:
        if TOWNSHIP_SUFFIX.search(name):
            level = DepartmentLevel.TOWNSHIP
        else:
            level = DepartmentLevel.CITY if region == city else DepartmentLevel.COUNTY
    return region, level


def new_department(name: str, region: str | None, level: str | None, taken: set[str]) -> Department:
    """A department to create from a name alone (items import --create-departments)."""
    region, level = default_region_and_level(name, region, level)
    code = _fresh_code(name, taken)
    return Department(code=code, name=name, level=level, region=region, active=True)


FIELDS = (
    Field(
        "name",
        "单位名称",
        ("部门名称", "机构名称", "单位全称", "部门全称", "机构全称", "部门", "单位"),
        required=True,
    ),
    Field(
        "code",
        "部门编码",
        ("单位编码", "机构编码", "部门代码", "单位代码", "机构代码", "编码", "代码"),
        parse=code_text,
    ),
    Field("short_name", "单位简称", ("部门简称", "机构简称", "简称")),
    Field("category", "机构类别", ("单位类别", "机构性质", "单位性质", "机构类型", "部门类别")),
    Field("level", "层级", ("行政层级", "机构层级", "级别", "单位层级"), parse=parse_level),
    Field("region", "所属地区", ("地区", "所属旗县区", "行政区划", "所在地区", "区域", "所属区域")),
    Field("merged_into", "撤并至", ("并入单位", "合并至", "撤并后单位", "划入单位", "并入")),
    Field("abolished_on", "撤销日期", ("撤并日期", "撤销时间", "撤并时间"), parse=parse_date),
)


class DepartmentsImport(ImportKind):
    """部门名录, keyed by 部门编码 (or, without one, by name with a generated code)."""

    name = "departments"
    title = "部门名录"
    fields = FIELDS

    def prepare(
        self, session: Session, rows: list[tuple[SourceRow, ColumnMap]], errors: list[RowError]
    ) -> list[Change]:
        """One change per department; names and codes must be unique; 撤并至 must be known."""
        stored = session.scalars(select(Department)).all()
        self.by_code = {d.code: d for d in stored}
        self.by_name = {d.name: d for d in stored}
        self.taken = set(self.by_code)
        self.generated: list[tuple[str, str]] = []
        planned = self._identify(rows, errors)
        self.file_codes = {values["name"]: values["code"] for *_, values in planned}
        changes = []
        for row, columns, existing, values in planned:
            change = self._change(row, columns, existing, values, errors)
            if change is not None:
                changes.append(change)
        return changes

    def _identify(
        self, rows: list[tuple[SourceRow, ColumnMap]], errors: list[RowError]
    ) -> list[tuple[SourceRow, ColumnMap, Department | None, dict[str, Any]]]:
        """Each row's code (given, kept by name, or generated) and the stored department."""
        seen_code: dict[str, int] = {}
        seen_name: dict[str, int] = {}
        given = {code for row, _ in rows if (code := row.values.get("code"))}
        planned = []
        for row, columns in rows:
            name, code = row.values["name"], row.values.get("code")
            if code is None:
                known = self.by_name.get(name)
                code = known.code if known is not None else _fresh_code(name, self.taken)
                if known is None:
                    self.generated.append((code, name))
            problems = []
            if code in seen_code:
                problems.append(("code", f"部门编码“{code}”与第{seen_code[code]}行重复"))
            if name in seen_name:
                problems.append(("name", f"单位名称“{name}”与第{seen_name[name]}行重复"))
            seen_code.setdefault(code, row.row)
            seen_name.setdefault(name, row.row)
            existing = self.by_code.get(code)
            holder = self.by_name.get(name)
            if existing is None and holder is not None and holder.code not in given:
                existing = holder  # a department first made without its code gets it now
            if holder is not None and holder is not existing:
                problems.append(
                    (
                        "name",
                        f"单位名称“{name}”已属于编码为“{holder.code}”的部门；同一部门请用同一编码",
                    )
                )
            for key, message in problems:
                self.catalog.error(errors, columns, row, key, message)
            if not problems:
                planned.append((row, columns, existing, {"code": code, "name": name}))
        return planned

    def _change(
        self,
        row: SourceRow,
        columns: ColumnMap,
        existing: Department | None,
        values: dict[str, Any],
        errors: list[RowError],
    ) -> Change | None:
        """The change for one department; None (with an error) when 撤并至 cannot be resolved."""
        v = row.values
        for key in ("short_name", "category", "region", "level"):
            if v.get(key) is not None:
                values[key] = v[key]
        if existing is None or existing.region is None or existing.level is None:
            region, level = default_region_and_level(
                values["name"], values.get("region"), values.get("level")
            )
            values.setdefault("region", region)
            values.setdefault("level", level)
        if "merged_into" in v or "abolished_on" in v:
            values["abolished_on"] = v.get("abolished_on")
            values["active"] = v.get("merged_into") is None and v.get("abolished_on") is None
        if "merged_into" in v:
            values["merged_into_id"] = None
        extra: dict[str, Any] = {}
        target = v.get("merged_into")
        if target is not None:
            code = self.file_codes.get(target) or (
                target if target in self.file_codes.values() else None
            )
            found = self.by_code.get(code or target) or self.by_name.get(target)
            target_code = code or (found.code if found is not None else None)
            if target_code is None:
                self.catalog.error(
                    errors, columns, row, "merged_into", f"找不到撤并至的部门“{target}”"
                )
                return None
            if target_code == values["code"]:
                self.catalog.error(errors, columns, row, "merged_into", "不能撤并至本部门")
                return None
            if found is not None and found.code == target_code:
                values["merged_into_id"] = found.id
            else:
                values.pop("merged_into_id")
                extra["merged_into_code"] = target_code
        label = f"{values['code']} {values['name']}"
        return Change(Department, existing, values, label, extra)

    def notes(self) -> list[str]:
        """The codes generated for departments the file gave without one."""
        if not self.generated:
            return []
        shown = "、".join(f"{name}={code}" for code, name in self.generated[:20])
        more = "等" if len(self.generated) > 20 else ""
        return [f"为 {len(self.generated)} 个未填编码的部门生成了编码：{shown}{more}"]

    def after_write(self, session: Session, changes: list[Change]) -> None:
        """Point departments merged into one created by this same file at its new id."""
        pending = [c for c in changes if "merged_into_code" in c.extra]
        if not pending:
            return
        ids = dict(session.execute(select(Department.code, Department.id)).all())
        for change in pending:
            department = session.scalars(
                select(Department).where(Department.code == change.values["code"])
            ).one()
            department.merged_into_id = ids[change.extra["merged_into_code"]]
        session.flush()


def _fresh_code(name: str, taken: set[str]) -> str:
    code = short_code(name)
    while code in taken:
        code = short_code(code + name)
    taken.add(code)
    return code
