"""Legal defects planted in the demo city (合法性审核 cases), each counted in `DemoCity.planted`.

Called once per generated region after its delegations exist. It changes a few rows in place
(never adds handling or training rows) so the other jobs' planted figures stay as they are:

- receiving units get a canonical 单位类型 (vocab.UnitKind), e.g. 苏木乡镇街道 → 苏木乡镇 / 街道;
- a licence (行政许可) is entrusted to a 事业单位 (行政许可法第二十四条) → delegation_unlawful;
- a penalty power (行政处罚) is delegated to a 苏木乡镇（街道） with no decision document
  (行政处罚法第二十四条) → delegation_without_decision;
- entrusted coercive powers (行政强制法第十七条) already in the data are counted;
- a penalty cites only 《行政处罚法》 (a procedural law) → procedural_basis_only;
- a licence rests only on a 设区的市 government rule (行政许可法第十五条) → basis_level_too_low;
- two departments hold the same item (职责交叉) → overlapping_duty in both workbooks.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from powerlist.demo.names import chinese_numeral
from powerlist.demo.reference import ARTICLES, DEPARTMENTS
from powerlist.vocab import UnitKind, unit_kind

Row = dict[str, Any]

PROCEDURAL_TITLES = frozenset(
    {"中华人民共和国行政许可法", "中华人民共和国行政处罚法", "中华人民共和国行政强制法"}
)
CITY_RULE = "包头市城市供热管理办法"  # a 设区的市 地方政府规章 in the demo's law registry
PENALTY_LAW = "中华人民共和国行政处罚法"


def plant_legal_defects(city: Any, rng: random.Random, laws: dict[str, Row]) -> None:
    """Plant one case of each legal rule in `city` (a DemoCity) and count them in `planted`."""
    units = city.tables.get("receiving_units", [])
    for unit in units:
        unit["kind"] = unit_kind(unit["kind"], unit["name"]).value
    world = _World(city, laws)
    _count_entrusted_coercion(city, world)
    _entrust_licence_to_institution(city, rng, world)
    _penalty_to_township_without_decision(city, rng, world)
    _procedural_only(city, world, laws)
    _city_rule_licence(city, world, laws)
    _overlapping_duty(city, world)


class _World:
    """Lookups over the generated rows: items, bases, units, and which items are clean."""

    def __init__(self, city: Any, laws: dict[str, Row]):
        tables = city.tables
        self.items: dict[int, Row] = {i["id"]: i for i in tables.get("power_items", [])}
        self.bases: dict[int, list[Row]] = {}
        for basis in tables.get("item_bases", []):
            self.bases.setdefault(basis["item_id"], []).append(basis)
        self.laws_by_id = {law["id"]: law for law in laws.values()}
        self.units: dict[int, Row] = {u["id"]: u for u in tables.get("receiving_units", [])}
        self.delegations: list[Row] = tables.get("delegations", [])
        self.departments = {d["id"]: d for d in tables.get("departments", [])}
        self.catalog_codes = {e["code"] for e in tables.get("upper_catalog_entries", [])}
        self.delegated_items = {d["item_id"] for d in self.delegations}
        reviewed = [i["last_reviewed_on"] for i in self.items.values() if i["last_reviewed_on"]]
        self.recent = max(reviewed) - timedelta(days=60) if reviewed else None
        names: dict[tuple[int, str], int] = {}
        codes: dict[tuple[int, str], int] = {}
        for item in self.items.values():
            key = (item["department_id"], item["name"])
            names[key] = names.get(key, 0) + 1
            code = (item["department_id"], item["code"])
            codes[code] = codes.get(code, 0) + 1
        self.name_counts, self.code_counts = names, codes
        self.used: set[int] = set()

    def clean(self, item: Row, category: str, status: str = "保留") -> bool:
        """An item with no other planted defect: in force 法律 bases, recent review, unique."""
        department = self.departments.get(item["department_id"])
        bases = self.bases.get(item["id"], [])
        laws = [self.laws_by_id.get(b["basis_id"]) for b in bases]
        return (
            item["id"] not in self.used
            and item["category"] == category
            and item["status"] == status
            and item["sub_item"] is None
            and department is not None
            and department["active"]
            and department["level"] == "市"
            and item["code"] not in self.catalog_codes
            and self.name_counts[(item["department_id"], item["name"])] == 1
            and self.code_counts[(item["department_id"], item["code"])] == 1
            and bool(item["responsibilities"] and item["accountability"])
            and self.recent is not None
            and item["last_reviewed_on"] is not None
            and item["last_reviewed_on"] >= self.recent
            and bool(laws)
            and all(
                law is not None
                and law["level"] == "法律"
                and law["status"] == "现行有效"
                and law["title"] not in PROCEDURAL_TITLES
                for law in laws
            )
        )

    def take(self, item: Row) -> Row:
        self.used.add(item["id"])
        return item

    def active(self, delegation: Row) -> bool:
        return delegation["revoked_on"] is None


def _count_entrusted_coercion(city: Any, world: _World) -> None:
    for delegation in world.delegations:
        item = world.items.get(delegation["item_id"])
        entrusted = delegation["mode"] == "委托" and world.active(delegation)
        if item and entrusted and item["category"] == "行政强制":
            city.planted["delegation_entrusts_coercion"] += 1


def _entrust_licence_to_institution(city: Any, rng: random.Random, world: _World) -> None:
    """Turn one delegated licence into an entrustment to a 政务服务中心 (a 事业单位)."""
    candidates = [
        item
        for item in world.items.values()
        if item["category"] == "行政许可"
        and item["status"] == "下放"
        and item["sub_item"] is None
        and item["code"] not in world.catalog_codes
    ]
    if not candidates:
        return
    item = world.take(rng.choice(sorted(candidates, key=lambda i: i["id"])))
    item["status"] = "委托"
    rows = [d for d in world.delegations if d["item_id"] == item["id"]]
    for n, delegation in enumerate(rows, start=1):
        delegation["mode"] = "委托"
        delegation["agreement"] = f"委托书〔{delegation['since'].year}〕{n}号"
        delegation["decision_document"] = None
    active = [d for d in rows if world.active(d)]
    if not active:
        return
    target = active[0]
    district = world.units[target["unit_id"]]["district"]
    name = f"{district}政务服务中心"
    unit = next((u for u in world.units.values() if u["name"] == name), None)
    if unit is None:
        unit = city.add(
            "receiving_units",
            {
                "code": f"u{city.next_ids['receiving_units'] + 1:05d}",
                "name": name,
                "district": district,
                "kind": UnitKind.PUBLIC_INSTITUTION.value,
                "head_name": None,
                "head_email": None,
                "active": True,
            },
        )
        world.units[unit["id"]] = unit
    target["unit_id"] = unit["id"]
    city.planted["licence_entrusted_to_non_organ"] += 1


def _penalty_to_township_without_decision(city: Any, rng: random.Random, world: _World) -> None:
    """Re-point one delegated penalty power to a 苏木乡镇（街道） and drop its decision document."""
    towns: dict[str, list[Row]] = {}
    for unit in world.units.values():
        if unit["kind"] in (UnitKind.TOWNSHIP.value, UnitKind.SUBDISTRICT.value):
            towns.setdefault(unit["district"], []).append(unit)
    candidates = [
        d
        for d in world.delegations
        if d["mode"] == "下放"
        and world.active(d)
        and world.items[d["item_id"]]["category"] == "行政处罚"
        and world.items[d["item_id"]]["id"] not in world.used
        and towns.get(world.units[d["unit_id"]]["district"])
    ]
    if not candidates:
        return
    delegation = rng.choice(candidates)
    taken = {(d["item_id"], d["unit_id"], d["since"]) for d in world.delegations}
    district = world.units[delegation["unit_id"]]["district"]
    for town in sorted(towns[district], key=lambda u: u["id"]):
        if (delegation["item_id"], town["id"], delegation["since"]) not in taken:
            world.take(world.items[delegation["item_id"]])
            delegation["unit_id"] = town["id"]
            delegation["agreement"] = None
            delegation["decision_document"] = None
            city.planted["penalty_delegated_to_township_without_decision"] += 1
            return


def _procedural_only(city: Any, world: _World, laws: dict[str, Row]) -> None:
    """A penalty whose only cited basis is 《行政处罚法》 (no 设定依据)."""
    law = laws.get(PENALTY_LAW)
    item = next((i for i in world.items.values() if world.clean(i, "行政处罚")), None)
    if law is None or item is None:
        return
    world.take(item)
    bases = world.bases[item["id"]]
    bases[0]["basis_id"] = law["id"]
    for extra in bases[1:]:
        extra["basis_id"] = None  # dropped with the other removed citations
    city.tables["item_bases"] = [b for b in city.tables["item_bases"] if b["basis_id"] is not None]
    city.planted["procedural_basis_only"] += 1


def _city_rule_licence(city: Any, world: _World, laws: dict[str, Row]) -> None:
    """A licence resting only on a 设区的市 government rule (行政许可法第十五条)."""
    law = laws.get(CITY_RULE)
    # A department whose own field has the rule (能源局: 城市供热), so the citation is plausible.
    codes = {spec.code for spec in DEPARTMENTS if CITY_RULE in spec.laws}
    holders = {d["id"] for d in city.tables.get("departments", []) if d["code"] in codes}
    item = next(
        (
            i
            for i in world.items.values()
            if i["department_id"] in holders and world.clean(i, "行政许可")
        ),
        None,
    )
    if law is None or item is None or item["id"] in world.delegated_items:
        return
    world.take(item)
    for number, basis in enumerate(world.bases[item["id"]], start=2):
        basis["basis_id"] = law["id"]
        basis["articles"] = f"第{chinese_numeral(min(number, ARTICLES[CITY_RULE]))}条"
    city.planted["licence_on_city_rule"] += 1


def _overlapping_duty(city: Any, world: _World) -> None:
    """Give a clean inspection item of one department the name of another's (职责交叉)."""
    items = sorted(world.items.values(), key=lambda i: i["id"])
    first = next((i for i in items if world.clean(i, "行政检查")), None)
    if first is None:
        return
    other = next(
        (
            i
            for i in items
            if world.clean(i, "行政检查")
            and i["department_id"] != first["department_id"]
            and (i["department_id"], first["name"]) not in world.name_counts
        ),
        None,
    )
    if other is None:
        return
    world.take(first)
    world.take(other)
    other["name"] = first["name"]
    city.planted["overlapping_duty"] += 2  # a finding in each department's workbook
