"""Import delegations (下放/委托): which unit received which item from which department, since when.

An unknown receiving unit (承接单位) is created when its 旗县区 is given.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.imports.fields import ColumnMap, Field, SourceRow
from powerlist.imports.kinds.common import Departments, Units, choice
from powerlist.imports.kinds.keyed import KeyedImport, Made
from powerlist.imports.plan import Change, Counts
from powerlist.imports.problems import RowError
from powerlist.imports.text import code_text, parse_date
from powerlist.models import Delegation, PowerItem, ReceivingUnit
from powerlist.vocab import DelegationMode, UnitKind, infer_unit_kind, unit_kind

FIELDS = (
    Field("code", "事项编码", ("项目编码", "职权编码", "编码"), parse=code_text, required=True),
    Field("sub_item", "子项", ("子项名称",)),
    Field("department", "委托部门", ("下放部门", "原实施主体", "实施主体", "部门"), required=True),
    Field(
        "unit", "承接单位", ("接收单位", "承接主体", "受委托单位", "承接单位名称"), required=True
    ),
    Field("unit_code", "承接单位编码", ("单位编码",), parse=code_text),
    Field("district", "所属旗县区", ("旗县区", "所在旗县区", "地区")),
    Field("unit_kind", "单位类型", ("承接单位类型",)),
    Field(
        "mode",
        "方式",
        ("下放/委托", "调整方式", "类型", "承接方式"),
        required=True,
        parse=choice(tuple(DelegationMode), "方式"),
    ),
    Field(
        "since",
        "起始日期",
        ("下放日期", "委托日期", "生效日期", "承接日期"),
        required=True,
        parse=parse_date,
    ),
    Field("revoked_on", "收回日期", ("终止日期", "取消日期"), parse=parse_date),
    Field("agreement", "委托协议", ("协议编号", "协议", "委托书")),
    Field("decision_document", "下放决定文号", ("下放决定", "下放文件", "决定文号")),
)


class DelegationsImport(KeyedImport):
    """下放/委托, keyed by item, receiving unit and start date."""

    name = "delegations"
    title = "下放委托事项"
    fields = FIELDS
    key_field = "code"

    def load(self, session: Session) -> None:
        """Items by (department, code, sub-item), units, and existing delegations."""
        self.departments = Departments(session)
        self.units = Units(session)
        self.new_units: dict[str, ReceivingUnit] = {}
        self.items: dict[tuple[int, str], list[PowerItem]] = {}
        for item in session.scalars(select(PowerItem)):
            self.items.setdefault((item.department_id, item.code), []).append(item)
        for d in session.scalars(select(Delegation)):
            self.stored[(Delegation, (d.item_id, d.unit_id, d.since))] = d
        self.unit_ids = {u.name: u.id for u in session.scalars(select(ReceivingUnit))}

    def make(self, row: SourceRow, columns: ColumnMap, errors: list[RowError]) -> Made | None:
        """One delegation; the item must exist under the delegating department."""
        v = row.values
        department = self.departments.find(v["department"])
        if isinstance(department, str):
            self.catalog.error(errors, columns, row, "department", department)
            return None
        item = self._item(department.id, v["code"], v.get("sub_item"))
        if isinstance(item, str):
            self.catalog.error(errors, columns, row, "code", item)
            return None
        if v.get("unit_kind"):
            try:
                v["unit_kind"] = unit_kind(v["unit_kind"], v["unit"]).value
            except ValueError as error:
                self.catalog.error(errors, columns, row, "unit_kind", str(error))
                return None
        unit = self._unit(v)
        if isinstance(unit, str):
            self.catalog.error(errors, columns, row, "unit_kind", unit)
            return None
        if unit is None:
            self.catalog.error(
                errors,
                columns,
                row,
                "unit",
                f"找不到承接单位“{v['unit']}”（新单位请填写“所属旗县区”）",
            )
            return None
        if v.get("revoked_on") and v["revoked_on"] < v["since"]:
            self.catalog.error(errors, columns, row, "revoked_on", "收回日期早于起始日期")
            return None
        values: dict[str, Any] = {
            "item_id": item.id,
            "from_department_id": department.id,
            "mode": v["mode"],
            "since": v["since"],
        }
        for key in ("revoked_on", "agreement", "decision_document"):
            if key in v:
                values[key] = v[key]
        values["_unit"] = unit
        key = (item.id, unit.id or unit.name, v["since"])
        return Delegation, key, values, f"{item.code} → {unit.name}"

    def existing(self, model: type, key: tuple) -> Any | None:
        """The stored delegation (never for a unit this file creates)."""
        return self.stored.get((model, key)) if isinstance(key[1], int) else None

    def diff(self, change: Change) -> dict[str, tuple[Any, Any]]:
        """Changed fields, ignoring the unit object carried for new units."""
        values = change.values
        unit = values.pop("_unit")
        try:
            return super().diff(change)
        finally:
            values["_unit"] = unit

    def write(self, session: Session, changes: list[Change], actor: str) -> Counts:
        """Create the new receiving units first, then the delegations."""
        session.add_all(self.new_units.values())
        session.flush()
        for change in changes:
            change.values["unit_id"] = change.values.pop("_unit").id
        return super().write(session, changes, actor)

    def notes(self) -> list[str]:
        """New receiving units this file creates."""
        names = "、".join(self.new_units)
        return [f"新建承接单位 {len(self.new_units)} 个：{names}"] if self.new_units else []

    def _item(self, department_id: int, code: str, sub_item: str | None) -> PowerItem | str:
        candidates = self.items.get((department_id, code), [])
        if sub_item:
            candidates = [i for i in candidates if i.sub_item == sub_item]
        elif len(candidates) > 1:
            candidates = [i for i in candidates if not i.sub_item] or candidates
        if not candidates:
            return f"该部门没有编码为“{code}”的事项" + (f"（子项“{sub_item}”）" if sub_item else "")
        if len(candidates) > 1:
            return f"编码“{code}”对应多个子项，请填写“子项”列"
        return candidates[0]

    def _unit(self, v: dict[str, Any]) -> ReceivingUnit | str | None:
        found = self.units.find(v["unit"]) or (
            v.get("unit_code") and self.units.find(v["unit_code"])
        )
        if found:
            return found
        if v["unit"] in self.new_units:
            return self.new_units[v["unit"]]
        if not v.get("district"):
            return None
        kind = v.get("unit_kind") or infer_unit_kind(v["unit"])
        if kind is None:
            allowed = "、".join(k.value for k in UnitKind)
            return f"新承接单位“{v['unit']}”请填写“单位类型”（{allowed}）"
        code = v.get("unit_code") or "RU-" + hashlib.sha1(v["unit"].encode()).hexdigest()[:10]
        unit = ReceivingUnit(
            code=code,
            name=v["unit"],
            district=v["district"],
            kind=kind,
            active=True,
        )
        self.new_units[v["unit"]] = unit
        return unit
