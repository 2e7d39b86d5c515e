"""Planted defects (预置问题): what a real list gets wrong, each counted in `DemoCity.planted`.

Each defect looks like one a real department makes: a repealed law is the predecessor of
the law the department applies today (城市规划法 where 城乡规划法 now stands), the regulation
not yet in force is cited by the department that will enforce it, and only the city
management bureau rests strong powers on its own normative documents. Cited articles stay
within each law's real article count.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from powerlist.demo.context import AS_OF, CITY_ITEMS, RegionContext, Row
from powerlist.demo.items import STRONG_POWERS
from powerlist.demo.laws import SUCCESSORS
from powerlist.demo.names import article, basis_article
from powerlist.demo.reference import ARTICLES, LOW_LEVEL_DOCUMENTS

PREDECESSORS = {new: old for old, new in SUCCESSORS.items()}
"""Law in force → the repealed law it replaced, which a stale item still cites."""

NOT_YET_EFFECTIVE = "包头市养犬管理条例"
DOG_KEEPING_DEPARTMENTS = ("gaj", "cgj")
"""Public security and city management enforce dog keeping, so only their items cite it."""

LOW_LEVEL_DEPARTMENTS = ("cgj",)
"""The departments whose own normative documents a strong power wrongly rests on."""


class Picker:
    """Hands out distinct items from a shuffled pool, so each planted defect is counted once."""

    def __init__(self, pool: list[Row], scale: float):
        self.pool = pool
        self.scale = scale
        self.used: set[int] = set()

    def take(
        self,
        city_count: float,
        categories: tuple[str, ...] = (),
        where: Callable[[Row], bool] | None = None,
    ) -> list[Row]:
        """Up to `city_count` items (scaled to the region), unused, of the given categories."""
        wanted = max(1, round(city_count * self.scale))
        chosen: list[Row] = []
        for item in self.pool:
            if len(chosen) == wanted:
                break
            if item["id"] in self.used or (categories and item["category"] not in categories):
                continue
            if where is not None and not where(item):
                continue
            self.used.add(item["id"])
            chosen.append(item)
        return chosen


def plant_item_defects(ctx: RegionContext, items: list[Row]) -> None:
    """Give the list the defects a real one has, each counted in `planted`."""
    bases_by_item: dict[int, list[Row]] = {}
    for basis in ctx.city.tables.get("item_bases", []):
        bases_by_item.setdefault(basis["item_id"], []).append(basis)
    pool = [i for i in items if i["sub_item"] is None and i["status"] == "保留"]
    ctx.rng.shuffle(pool)
    picker = Picker(pool, scale=len(items) / CITY_ITEMS)
    _plant_basis_defects(ctx, picker, bases_by_item)
    _plant_review_defects(ctx, picker, bases_by_item)
    _plant_duplicates(ctx, items)
    ctx.city.tables["item_bases"] = [
        b for b in ctx.city.tables["item_bases"] if b["basis_id"] is not None
    ]


def _department_codes(ctx: RegionContext) -> dict[int, str]:
    return {d["id"]: spec.code for d, spec in ctx.departments}


def _recite(ctx: RegionContext, basis: Row, title: str) -> None:
    """Point a citation at another law, at an article that law has."""
    basis["basis_id"] = ctx.laws[title]["id"]
    basis["articles"] = article(basis_article(ARTICLES[title], ctx.rng))


def _plant_basis_defects(ctx: RegionContext, picker: Picker, bases: dict[int, list[Row]]) -> None:
    rng, planted, laws = ctx.rng, ctx.city.planted, ctx.laws
    codes = _department_codes(ctx)
    for item in picker.take(95):  # no legal basis at all
        for basis in bases.get(item["id"], []):
            basis["basis_id"] = None
        planted["no_basis"] += 1

    def cites_a_successor(item: Row) -> bool:
        return any(b["basis_id"] in successor_ids for b in bases.get(item["id"], []))

    successor_ids = {laws[t]["id"]: t for t in PREDECESSORS if t in laws}
    for item in picker.take(28, where=cites_a_successor):  # still cites the repealed predecessor
        basis = next(b for b in bases[item["id"]] if b["basis_id"] in successor_ids)
        _recite(ctx, basis, PREDECESSORS[successor_ids[basis["basis_id"]]])
        planted["repealed_basis"] += 1
    for item in picker.take(
        6, where=lambda i: codes[i["department_id"]] in DOG_KEEPING_DEPARTMENTS
    ):
        _recite(ctx, bases[item["id"]][0], NOT_YET_EFFECTIVE)  # cites a regulation not in force
        planted["not_yet_effective_basis"] += 1
    for item in picker.take(
        40,
        categories=STRONG_POWERS,
        where=lambda i: codes[i["department_id"]] in LOW_LEVEL_DEPARTMENTS,
    ):
        for basis in bases[item["id"]]:  # only a normative document behind a strong power
            _recite(ctx, basis, rng.choice(LOW_LEVEL_DOCUMENTS))
        planted["basis_level_too_low"] += 1


def _plant_review_defects(ctx: RegionContext, picker: Picker, bases: dict[int, list[Row]]) -> None:
    rng, planted = ctx.rng, ctx.city.planted
    amended = {
        law["id"]: law["amended_on"] for law in ctx.laws.values() if law["status"] == "已修改"
    }

    def cites_amended(item: Row) -> bool:
        return any(b["basis_id"] in amended for b in bases.get(item["id"], []))

    for item in picker.take(60, where=cites_amended):  # reviewed before its law changed
        changed = max(amended[b["basis_id"]] for b in bases[item["id"]] if b["basis_id"] in amended)
        item["last_reviewed_on"] = changed - timedelta(days=rng.randint(20, 120))
        planted["basis_amended_since_review"] += 1
    for item in picker.take(540):  # not reviewed for over a year
        item["last_reviewed_on"] = date(AS_OF.year - 2, rng.randint(1, 12), rng.randint(1, 28))
        planted["stale_review"] += 1
    for item in picker.take(110):  # 责任事项 or 追责情形 missing
        item["responsibilities" if rng.random() < 0.5 else "accountability"] = None
        planted["missing_responsibility"] += 1


def _plant_duplicates(ctx: RegionContext, items: list[Row]) -> None:
    """The same code twice, the same name twice: copy-and-paste slips within a department."""
    planted = ctx.city.planted
    by_department: dict[int, list[Row]] = {}
    for item in items:
        if item["sub_item"] is None and item["status"] == "保留":
            by_department.setdefault(item["department_id"], []).append(item)
    big = sorted(by_department.values(), key=len, reverse=True)
    for group in big[: max(1, round(12 * len(items) / CITY_ITEMS))]:
        first, second, third = ctx.rng.sample(group, 3)
        twins = [
            i
            for i in group
            if i["category"] == third["category"] and i not in (first, second, third)
        ]
        fourth = ctx.rng.choice(twins or [i for i in group if i not in (first, second, third)])
        second["code"] = first["code"]
        planted["duplicate_code"] += 1
        fourth["name"] = third["name"]
        planted["duplicate_name"] += 1
