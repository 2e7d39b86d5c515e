"""Import the power list (权责清单) in the layouts departments publish it in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from powerlist.imports.bases import guess_level, split_bases
from powerlist.imports.fields import ColumnMap, Field, SourceRow
from powerlist.imports.kinds.common import Departments, choice
from powerlist.imports.kinds.departments import new_department, normalize_level
from powerlist.imports.plan import BATCH, Change, ImportKind
from powerlist.imports.problems import RowError
from powerlist.imports.text import clean, code_text, fold
from powerlist.models import Department, ItemBasis, LegalBasis, PowerItem
from powerlist.power_types import UnknownPowerType, normalize_power_type, power_types
from powerlist.vocab import BasisStatus, ItemStatus

# Cells a merged main item (主项) spans over its sub-item (子项) rows, filled down when blank.
MAIN_ITEM_KEYS = ("category", "code", "name", "basis", "department", "unit")
NEW_BASIS_NOTE = "导入权责清单时自动创建；效力层级为推断，请在法律依据库中核实"

FIELDS = (
    Field(
        "category",
        "权力类型",
        ("事项类型", "职权类型", "权力类别", "事项类别", "类型", "类别"),
        required=True,
    ),
    Field(
        "code",
        "项目编码",
        ("事项编码", "职权编码", "权力编码", "编码", "事项代码", "基本编码"),
        parse=code_text,
        required=True,
    ),
    Field(
        "name",
        "项目名称",
        ("事项名称", "职权名称", "主项名称", "主项", "权力名称", "权力事项名称"),
        required=True,
    ),
    Field("sub_item", "子项", ("子项名称", "子项目名称", "子项目", "子项事项名称")),
    Field("basis", "实施依据", ("设定依据", "法定依据", "设定和实施依据", "法律依据", "依据")),
    Field(
        "department", "实施主体", ("责任主体", "实施部门", "行使主体", "实施机关"), required=True
    ),
    Field("unit", "承办机构", ("内设机构", "承办科室", "责任科室", "责任处室", "承办机构（科室）")),
    Field("responsibilities", "责任事项", ("责任事项内容",)),
    Field("accountability", "追责情形", ("问责情形", "追责情形依据", "责任追究情形")),
    Field("remarks", "备注"),
    Field("status", "状态", ("事项状态",), parse=choice(tuple(ItemStatus), "事项状态")),
)


class ItemsImport(ImportKind):
    """权责清单: one row per main item or sub-item, keyed by department, code and sub-item."""

    name = "items"
    title = "权责清单"
    fields = FIELDS
    # --create-departments: create the 实施主体 departments the database does not know yet
    create_departments = False

    def fill_down(self, rows: list[SourceRow]) -> None:
        """A sub-item row with a blank main item takes the main item's cells from the row above."""
        previous: SourceRow | None = None
        for row in rows:
            raw = row.raw
            if previous is not None and _blank(raw.get("name")) and not _blank(raw.get("sub_item")):
                for key in MAIN_ITEM_KEYS:
                    if _blank(raw.get(key)) and key in previous.raw:
                        raw[key] = previous.raw[key]
            previous = row

    def prepare(
        self, session: Session, rows: list[tuple[SourceRow, ColumnMap]], errors: list[RowError]
    ) -> list[Change]:
        """Check types, departments and duplicate codes; match existing items and legal bases."""
        departments = _ItemDepartments(session, self.create_departments)
        categories = _Categories()
        bases = _Registry(session)
        planned: list[tuple[SourceRow, ColumnMap, Department, dict[str, Any]]] = []
        seen: dict[tuple[str, str, str], int] = {}
        for row, columns in self.rejected:  # rows with bad cells: report their other problems
            _item_values(row, columns, departments, categories, errors, self.catalog)
        for row, columns in rows:
            values = _item_values(row, columns, departments, categories, errors, self.catalog)
            if values is None:
                continue
            department, item = values
            key = (department.code, item["code"], item.get("sub_item") or "")
            if key in seen:
                self.catalog.error(
                    errors,
                    columns,
                    row,
                    "code",
                    f"事项编码“{item['code']}”重复（与第{seen[key]}行相同）",
                )
                continue
            seen[key] = row.row
            planned.append((row, columns, department, item))
        departments.report_unknown(errors, self.catalog)
        self.new_departments = departments.created
        existing = _existing_items(session, {d.id for _, _, d, _ in planned if d.id is not None})
        before = _bases_of(session, [i.id for i in existing.values()])
        changes = []
        for row, _, department, item in planned:
            key = (department.id, item["code"], item.get("sub_item") or "")
            found = existing.get(key)
            cited = bases.cited(row.values.get("basis"))
            label = f"{item['code']} {item['name']}" + (
                f"／{item['sub_item']}" if item.get("sub_item") else ""
            )
            changes.append(
                Change(
                    PowerItem,
                    found,
                    item,
                    label,
                    {
                        "bases": cited,
                        "before_bases": before.get(found.id, []) if found is not None else [],
                        "has_basis_column": "basis" in row.values,
                        "department": department,
                    },
                )
            )
        self.new_bases = bases.created
        return changes

    def notes(self) -> list[str]:
        """Departments created from 实施主体 and legal bases the registry did not have."""
        out = [
            f"新建部门：{d.name}（编码 {d.code}，{d.region}，{d.level}）"
            for d in self.new_departments
        ]
        titles = "、".join(b.title for b in self.new_bases[:10])
        more = "等" if len(self.new_bases) > 10 else ""
        if self.new_bases:
            out.append(f"新建法律依据 {len(self.new_bases)} 部：{titles}{more}")
        return out

    def diff(self, change: Change) -> dict[str, tuple[Any, Any]]:
        """Changed item fields, plus the legal bases when the cited laws or articles changed."""
        out = super().diff(change)
        if change.existing is not None and change.extra["has_basis_column"]:
            before = change.extra["before_bases"]
            after = [_basis_text(b, a) for b, a in change.extra["bases"]]
            if before != after:
                out["legal_bases"] = (before, after)
        return out

    def update(self, change: Change, changed: dict[str, tuple[Any, Any]]) -> None:
        """Apply changes and bump the item's version."""
        super().update(change, changed)
        change.existing.version = (change.existing.version or 1) + 1

    def write(self, session: Session, changes: list[Change], actor: str) -> Any:
        """Create the legal bases first cited by this file, then the items and their citations."""
        session.add_all(self.new_departments)
        session.add_all(self.new_bases)
        session.flush()  # ids for the new departments and bases
        for change in changes:
            if change.values["department_id"] is None:
                change.values["department_id"] = change.extra["department"].id
        self.last_id_before = session.scalar(select(func.max(PowerItem.id))) or 0
        self.replace_bases = {
            id(c) for c in changes if c.existing is None or "legal_bases" in self.diff(c)
        }
        return super().write(session, changes, actor)

    def after_write(self, session: Session, changes: list[Change]) -> None:
        """(Re)write the ItemBasis rows of new items and of items whose bases changed."""
        created = {
            (c.values["department_id"], c.values["code"], c.values.get("sub_item") or ""): c
            for c in changes
            if c.existing is None
        }
        query = select(PowerItem.id, PowerItem.department_id, PowerItem.code, PowerItem.sub_item)
        for new_id, department_id, code, sub_item in session.execute(
            query.where(PowerItem.id > self.last_id_before)
        ):
            created[(department_id, code, sub_item or "")].new_id = new_id
        replaced = [c for c in changes if id(c) in self.replace_bases]
        stale = [c.row_id for c in replaced if c.extra["before_bases"]]
        for start in range(0, len(stale), BATCH):
            batch = stale[start : start + BATCH]
            session.execute(delete(ItemBasis).where(ItemBasis.item_id.in_(batch)))
        citations = [
            {"item_id": c.row_id, "basis_id": basis.id, "articles": articles}
            for c in replaced
            for basis, articles in c.extra["bases"]
        ]
        connection, statement = session.connection(), insert(ItemBasis.__table__)
        for start in range(0, len(citations), BATCH):
            connection.execute(statement, citations[start : start + BATCH])


def _item_values(
    row: SourceRow,
    columns: ColumnMap,
    departments: Departments,
    categories: _Categories,
    errors: list[RowError],
    catalog: Any,
) -> tuple[Department, dict[str, Any]] | None:
    values = row.values
    category = categories.find(values["category"]) if values.get("category") else None
    if category is None and values.get("category"):
        allowed = "、".join(power_types().names)
        catalog.error(
            errors,
            columns,
            row,
            "category",
            f"未知的权力类型“{values['category']}”（可选：{allowed}）",
        )
    named = values.get("department")
    department = departments.find(named, row, columns) if named else None
    if category is None or department is None:
        return None
    sub_item = values.get("sub_item")
    item: dict[str, Any] = {
        "code": values["code"],
        "name": values["name"],
        "sub_item": None if sub_item == values["name"] else sub_item,
        "category": category,
        "department_id": department.id,
    }
    for key in ("unit", "responsibilities", "accountability", "remarks", "status"):
        if key in values and (values[key] is not None or key != "status"):
            item[key] = values[key]
    item["extra"] = row.extra or None
    return department, item


# Columns of an items file that say where a department to create sits (kept as item extras).
REGION_HEADERS = frozenset(fold(h) for h in ("所属地区", "地区", "所属旗县区", "行政区划"))
LEVEL_HEADERS = frozenset(fold(h) for h in ("层级", "实施主体层级", "部门层级", "行政层级"))


class _ItemDepartments:
    """实施主体 lookup: an unknown name is reported once, or created (--create-departments)."""

    def __init__(self, session: Session, create: bool) -> None:
        self.known = Departments(session)
        self.create = create
        self.taken = set(session.scalars(select(Department.code)))
        self.created: list[Department] = []
        self.by_name: dict[str, Department] = {}
        self.unknown: dict[str, tuple[SourceRow, ColumnMap, str, int]] = {}

    def find(self, name: str, row: SourceRow, columns: ColumnMap) -> Department | None:
        """The department, a new one (when creating), or None (recorded as unknown)."""
        found = self.known.find(name)
        if not isinstance(found, str):
            return found
        if self.create:
            if name not in self.by_name:
                region = _extra(row, REGION_HEADERS)
                level = normalize_level(_extra(row, LEVEL_HEADERS))
                department = new_department(name, region, level, self.taken)
                self.by_name[name] = department
                self.created.append(department)
            return self.by_name[name]
        self.remember(name, row, columns, found)
        return None

    def remember(self, name: str, row: SourceRow, columns: ColumnMap, message: str) -> None:
        """Count one more row naming the unknown department `name`."""
        first = self.unknown.get(name)
        self.unknown[name] = (
            (row, columns, message, 1) if first is None else (*first[:3], first[3] + 1)
        )

    def report_unknown(self, errors: list[RowError], catalog: Any) -> None:
        """One error per unknown department, at the first row naming it, saying how to fix it."""
        for row, columns, message, count in self.unknown.values():
            catalog.error(
                errors,
                columns,
                row,
                "department",
                f"{message}（共 {count} 行）：请先导入部门名录"
                "（powerlist import departments 文件），或导入时加 --create-departments 自动创建",
            )


def _extra(row: SourceRow, headers: frozenset[str]) -> str | None:
    return next((clean(v) for h, v in row.extra.items() if fold(h) in headers), None)


class _Categories:
    """Configured power type names by published spelling, resolved once per distinct spelling."""

    def __init__(self) -> None:
        self.by_spelling: dict[str, str | None] = {}

    def find(self, spelling: str) -> str | None:
        """The configured type name, or None for an unknown spelling."""
        if spelling not in self.by_spelling:
            try:
                self.by_spelling[spelling] = normalize_power_type(spelling)
            except UnknownPowerType:
                self.by_spelling[spelling] = None
        return self.by_spelling[spelling]


class _Registry:
    """Legal bases by folded title; a title not in the registry becomes a new basis."""

    def __init__(self, session: Session) -> None:
        self.by_title: dict[str, LegalBasis] = {}
        order = {BasisStatus.IN_FORCE: 0, BasisStatus.AMENDED: 1}
        for basis in sorted(
            session.scalars(select(LegalBasis)).all(), key=lambda b: order.get(b.status, 2)
        ):
            self.by_title.setdefault(_title_key(basis.title), basis)
        self.created: list[LegalBasis] = []
        self.by_cell: dict[str | None, list[tuple[LegalBasis, str | None]]] = {}

    def cited(self, cell: str | None) -> list[tuple[LegalBasis, str | None]]:
        """The bases and articles a 实施依据 cell cites (split once per distinct cell text).

        Rows citing the same text share one (read-only) list.
        """
        found = self.by_cell.get(cell)
        if found is None:
            found = [(self.resolve(title), articles) for title, articles in split_bases(cell)]
            self.by_cell[cell] = found
        return found

    def resolve(self, title: str) -> LegalBasis:
        """The registered basis with this title, or a new one (created on write)."""
        key = _title_key(title)
        if key not in self.by_title:
            basis = LegalBasis(
                title=f"《{title}》",
                doc_number="",
                level=guess_level(title),
                status=BasisStatus.IN_FORCE,
                note=NEW_BASIS_NOTE,
            )
            self.by_title[key] = basis
            self.created.append(basis)
        return self.by_title[key]


def _existing_items(
    session: Session, department_ids: set[int]
) -> dict[tuple[int, str, str], PowerItem]:
    found: dict[tuple[int, str, str], PowerItem] = {}
    if department_ids:
        query = (
            select(PowerItem)
            .where(PowerItem.department_id.in_(department_ids))
            .order_by(PowerItem.id)
        )
        for item in session.scalars(query):
            found.setdefault((item.department_id, item.code, item.sub_item or ""), item)
    return found


def _bases_of(session: Session, item_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for start in range(0, len(item_ids), 5000):
        query = (
            select(ItemBasis.item_id, LegalBasis, ItemBasis.articles)
            .join(LegalBasis, ItemBasis.basis_id == LegalBasis.id)
            .where(ItemBasis.item_id.in_(item_ids[start : start + 5000]))
            .order_by(ItemBasis.id)
        )
        for item_id, basis, articles in session.execute(query):
            out.setdefault(item_id, []).append(_basis_text(basis, articles))
    return out


def _basis_text(basis: LegalBasis, articles: str | None) -> str:
    return basis.title + (articles or "")


def _title_key(title: str) -> str:
    return fold(title.strip().strip("《》"))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
