"""Import kinds by the name `powerlist import KIND` uses."""

from __future__ import annotations

from powerlist.imports.kinds.catalog import CatalogImport
from powerlist.imports.kinds.delegations import DelegationsImport
from powerlist.imports.kinds.departments import DepartmentsImport
from powerlist.imports.kinds.handling import HandlingImport
from powerlist.imports.kinds.items import ItemsImport
from powerlist.imports.kinds.laws import LawsImport
from powerlist.imports.kinds.staff import StaffImport
from powerlist.imports.kinds.training import TrainingImport
from powerlist.imports.plan import ImportKind

KINDS: dict[str, type[ImportKind]] = {
    kind.name: kind
    for kind in (
        DepartmentsImport,
        ItemsImport,
        LawsImport,
        CatalogImport,
        DelegationsImport,
        HandlingImport,
        StaffImport,
        TrainingImport,
    )
}


def kind_named(name: str) -> ImportKind:
    """A fresh importer for `name` (each import holds its own lookups)."""
    try:
        return KINDS[name]()
    except KeyError:
        raise ValueError(f"未知的导入类型“{name}”；可选：{'、'.join(KINDS)}") from None
