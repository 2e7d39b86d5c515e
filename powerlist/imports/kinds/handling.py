"""Import monthly handling statistics (办件统计) per delegated item and receiving unit."""

from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.imports.fields import ColumnMap, Field, SourceRow
from powerlist.imports.kinds.common import Units
from powerlist.imports.kinds.keyed import KeyedImport, Made
from powerlist.imports.problems import RowError
from powerlist.imports.text import code_text, parse_count, parse_month
from powerlist.models import Delegation, HandlingStat, PowerItem

COUNT_FIELDS = (
    Field("received", "受理数", ("受理量", "收件数", "受理件数"), parse=parse_count),
    Field("completed", "办结数", ("办结量", "办结件数"), parse=parse_count),
    Field("on_time", "按时办结数", ("按时办结量", "按期办结数"), parse=parse_count),
    Field("overdue", "超期数", ("超期办结数", "逾期数", "超时办结数"), parse=parse_count),
    Field("complaints", "投诉数", ("投诉量", "投诉件数"), parse=parse_count),
    Field("poor_ratings", "差评数", ("差评量", "不满意数"), parse=parse_count),
    Field("returned", "退件数", ("退回数", "不予受理数", "退件量"), parse=parse_count),
    # 好差评 (国办发〔2019〕51号), optional: without these columns there is no satisfaction data.
    Field("ratings", "评价数", ("好差评评价数", "参评数"), parse=parse_count),
    Field("good_ratings", "好评数", ("满意数", "好评量"), parse=parse_count),
    Field("poor_ratings_fixed", "差评整改数", ("差评已整改数", "整改数"), parse=parse_count),
)
FIELDS = (
    Field("code", "事项编码", ("项目编码", "职权编码", "编码"), parse=code_text, required=True),
    Field("unit", "承接单位", ("接收单位", "承接主体", "单位"), required=True),
    Field("month", "月份", ("统计月份", "年月", "统计期间"), parse=parse_month, required=True),
    *COUNT_FIELDS,
)


class HandlingImport(KeyedImport):
    """办件统计, keyed by delegation and month; the delegation must be in force that month."""

    name = "handling"
    title = "办件统计"
    fields = FIELDS
    key_field = "month"

    def load(self, session: Session) -> None:
        """Delegations by (item code, unit id), and existing monthly stats."""
        self.units = Units(session)
        self.delegations: dict[tuple[str, int], list[Delegation]] = {}
        rows = session.execute(
            select(Delegation, PowerItem.code).join(PowerItem, Delegation.item_id == PowerItem.id)
        )
        for delegation, code in rows:
            self.delegations.setdefault((code, delegation.unit_id), []).append(delegation)
        for stat in session.scalars(select(HandlingStat)):
            self.stored[(HandlingStat, (stat.delegation_id, stat.month))] = stat

    def make(self, row: SourceRow, columns: ColumnMap, errors: list[RowError]) -> Made | None:
        """One month of one delegation; 按时办结 and 超期 cannot exceed 办结."""
        v = row.values
        unit = self.units.find(v["unit"])
        if unit is None:
            self.catalog.error(errors, columns, row, "unit", f"找不到承接单位“{v['unit']}”")
            return None
        month: date = v["month"]
        month_end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        in_force = [
            d
            for d in self.delegations.get((v["code"], unit.id), [])
            if d.since <= month_end and (d.revoked_on is None or d.revoked_on >= month)
        ]
        if not in_force:
            self.catalog.error(
                errors,
                columns,
                row,
                "code",
                f"事项“{v['code']}”在{month:%Y年%m月}未下放或委托给“{unit.name}”",
            )
            return None
        for key, message in impossible_counts(v):
            self.catalog.error(errors, columns, row, key, message)
            return None
        delegation = max(in_force, key=lambda d: d.since)
        values = {f.key: v[f.key] for f in COUNT_FIELDS if v.get(f.key) is not None}
        values |= {"delegation_id": delegation.id, "month": month}
        return (
            HandlingStat,
            (delegation.id, month),
            values,
            f"{v['code']} {unit.name} {month:%Y-%m}",
        )


LIMITS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("on_time", "overdue"), "completed", "按时办结数与超期数之和大于办结数"),
    (("completed",), "received", "办结数大于受理数"),
    (("returned",), "received", "退件数大于受理数"),
    (("complaints",), "received", "投诉数大于受理数"),
    (("poor_ratings",), "received", "差评数大于受理数"),
    (("ratings",), "received", "评价数大于受理数"),
    (("good_ratings", "poor_ratings"), "ratings", "好评数与差评数之和大于评价数"),
    (("poor_ratings_fixed",), "poor_ratings", "差评整改数大于差评数"),
)
"""Counts a month cannot exceed: the parts (left) are at most the whole (right)."""


def impossible_counts(values: dict[str, int | None]) -> list[tuple[str, str]]:
    """(column key, message) for each count that exceeds what the month can hold.

    A column the report does not have is not checked against; an empty cell counts as 0.
    """
    found = []
    for parts, whole, message in LIMITS:
        if values.get(whole) is None or all(values.get(p) is None for p in parts):
            continue
        total = sum(values.get(p) or 0 for p in parts)
        if total > (values[whole] or 0):
            found.append((parts[0], f"{message}（{total} > {values[whole]}）"))
    return found
