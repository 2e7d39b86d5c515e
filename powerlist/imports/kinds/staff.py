"""Import staff rosters (人员名册) of receiving units."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.imports.fields import ColumnMap, Field, SourceRow
from powerlist.imports.kinds.common import Units, choice
from powerlist.imports.kinds.keyed import KeyedImport, Made
from powerlist.imports.problems import RowError
from powerlist.imports.text import code_text, parse_bool
from powerlist.models import Staff
from powerlist.vocab import StaffRole

FIELDS = (
    Field("staff_no", "工号", ("人员编号", "职工编号", "人员代码"), parse=code_text, required=True),
    Field("name", "姓名", ("人员姓名",), required=True),
    Field("unit", "所在单位", ("承接单位", "单位", "工作单位", "单位名称"), required=True),
    Field(
        "role",
        "岗位",
        ("角色", "人员类别", "岗位类别"),
        required=True,
        parse=choice(tuple(StaffRole), "岗位"),
    ),
    Field("credential_no", "执法证号", ("执法证件号", "证件号", "执法证编号"), parse=code_text),
    Field("email", "邮箱", ("电子邮箱", "电子邮件", "Email")),
    Field("phone", "手机", ("电话", "联系电话", "手机号码", "手机号"), parse=code_text),
    Field("active", "在岗", ("是否在岗", "在岗状态"), parse=parse_bool),
)


class StaffImport(KeyedImport):
    """人员名册, keyed by 工号; the unit must already exist (delegations create units)."""

    name = "staff"
    title = "人员名册"
    fields = FIELDS
    key_field = "staff_no"

    def load(self, session: Session) -> None:
        """Existing staff by 工号, and receiving units by name or code."""
        self.units = Units(session)
        for person in session.scalars(select(Staff)):
            self.stored[(Staff, (person.staff_no,))] = person

    def make(self, row: SourceRow, columns: ColumnMap, errors: list[RowError]) -> Made | None:
        """One staff member; the unit must exist and an e-mail must look like one."""
        v = row.values
        unit = self.units.find(v["unit"])
        if unit is None:
            self.catalog.error(errors, columns, row, "unit", f"找不到承接单位“{v['unit']}”")
            return None
        email = v.get("email")
        if email and ("@" not in email or " " in email):
            self.catalog.error(errors, columns, row, "email", f"“{email}”不是有效的邮箱地址")
            return None
        values = {k: val for k, val in v.items() if k != "unit"} | {"unit_id": unit.id}
        if values.get("active") is None:
            values.pop("active", None)
        return Staff, (v["staff_no"],), values, f"{v['staff_no']} {v['name']}"
