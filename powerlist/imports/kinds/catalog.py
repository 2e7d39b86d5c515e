"""Import the upper-level catalog (上级目录) and its decisions (取消/下放/调整) on items."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.imports.fields import ColumnMap, Field, SourceRow
from powerlist.imports.kinds.common import choice
from powerlist.imports.kinds.keyed import KeyedImport, Made
from powerlist.imports.problems import RowError
from powerlist.imports.text import code_text, parse_date
from powerlist.models import UpperCatalogEntry
from powerlist.power_types import UnknownPowerType, normalize_power_type, power_types
from powerlist.vocab import CatalogDecision, DepartmentLevel

FIELDS = (
    Field(
        "code",
        "事项编码",
        ("项目编码", "职权编码", "编码", "基本编码"),
        parse=code_text,
        required=True,
    ),
    Field("name", "事项名称", ("项目名称", "职权名称", "主项名称"), required=True),
    Field("category", "权力类型", ("事项类型", "职权类型", "类型"), required=True),
    Field("level", "层级", ("实施层级", "行使层级"), parse=choice(tuple(DepartmentLevel), "层级")),
    Field("department_name", "实施部门", ("实施主体", "主管部门", "部门")),
    Field(
        "decision",
        "调整方式",
        ("决定", "处理意见", "调整类型", "调整情况", "调整意见"),
        required=True,
        parse=choice(tuple(CatalogDecision), "调整方式"),
    ),
    Field("decision_document", "决定文件", ("文件依据", "依据文件", "调整依据", "文号")),
    Field("decided_on", "决定日期", ("调整日期", "发布日期"), parse=parse_date),
    Field("basis", "设定依据", ("实施依据", "法定依据", "依据")),
)


class CatalogImport(KeyedImport):
    """上级目录 entries, keyed by code and level; a new decision updates the entry (audited)."""

    name = "catalog"
    title = "上级目录"
    fields = FIELDS
    key_field = "code"

    def load(self, session: Session) -> None:
        """Existing entries by (code, level)."""
        for entry in session.scalars(select(UpperCatalogEntry)):
            self.stored[(UpperCatalogEntry, (entry.code, entry.level))] = entry

    def make(self, row: SourceRow, columns: ColumnMap, errors: list[RowError]) -> Made | None:
        """One catalog entry, its type mapped to the configured power types."""
        values = dict(row.values)
        try:
            values["category"] = normalize_power_type(values["category"])
        except UnknownPowerType:
            allowed = "、".join(power_types().names)
            self.catalog.error(
                errors,
                columns,
                row,
                "category",
                f"未知的权力类型“{values['category']}”（可选：{allowed}）",
            )
            return None
        values["level"] = values.get("level") or DepartmentLevel.CITY
        key = (values["code"], values["level"])
        return UpperCatalogEntry, key, values, f"{values['code']} {values['name']}"
