"""Generate a demo city or province as plain rows, deterministically from a seed.

The steps live in their own modules: organisation (departments, receiving units), items
(items, legal bases, statuses, upper catalog), delegations (delegations and handling),
staff (staff, training, exams) and planted (the planted defects, 预置问题). Planted defects
(missing basis, repealed basis, stale reviews, merged departments, zero-case delegations,
overdue training, …) are counted in `DemoCity.planted`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from powerlist.demo.context import (
    AS_OF,
    CITY_CHANGED,
    CITY_ITEMS,
    DemoCity,
    Region,
    RegionContext,
    Row,
    apportion,
)
from powerlist.demo.delegations import add_delegations, add_handling
from powerlist.demo.items import STRONG_POWERS, TYPE_WEIGHTS, add_catalog, add_items, set_statuses
from powerlist.demo.laws import add_laws
from powerlist.demo.organisation import add_departments
from powerlist.demo.planted import plant_item_defects
from powerlist.demo.planted_legal import plant_legal_defects
from powerlist.demo.reference import DISTRICTS
from powerlist.demo.staff import REQUIREMENTS, add_requirements, add_staff_and_training
from powerlist.power_types import power_types

__all__ = [
    "AS_OF",
    "CITY_CHANGED",
    "CITY_ITEMS",
    "REQUIREMENTS",
    "STRONG_POWERS",
    "TYPE_WEIGHTS",
    "DemoCity",
    "Region",
    "Row",
    "apportion",
    "generate_city",
    "generate_province",
]

PROVINCE_CITIES = (
    "呼和浩特市", "包头市", "乌海市", "赤峰市", "通辽市", "鄂尔多斯市",
    "呼伦贝尔市", "巴彦淖尔市", "乌兰察布市", "兴安盟", "锡林郭勒盟", "阿拉善盟",
)  # fmt: skip


def generate_city(seed: int = 2026) -> DemoCity:
    """Baotou at the scale of the article: 51 active departments, 6,834 items, 891 changed."""
    region = Region("包头市", "包头市", DISTRICTS, CITY_ITEMS, CITY_CHANGED)
    chunks = _generate([region], seed)
    city = next(chunks)
    for chunk in chunks:
        city.merge(chunk)
    return city


def generate_province(seed: int = 2026, items: int = 500_000) -> Iterator[DemoCity]:
    """An autonomous region for benchmarks: 12 cities with their counties, ~3,000 departments.

    Yields one chunk for shared data and one per city, so memory stays at one city's rows.
    """
    rng = random.Random(seed)
    per_city = apportion(items, [rng.uniform(0.6, 1.4) for _ in PROVINCE_CITIES])
    regions = []
    for name, city_items in zip(PROVINCE_CITIES, per_city, strict=True):
        districts = {
            f"{name}第{k}旗县区": tuple(f"第{k}旗县区第{j}镇" for j in range(1, 5))
            for k in range(1, 10)
        }
        changed = {s: city_items * n // CITY_ITEMS for s, n in CITY_CHANGED.items()}
        regions.append(
            Region(
                name, name, districts, city_items, changed,
                county_departments=22, max_targets=3, handling_from_year=AS_OF.year,
                staff_scale=3,
            )
        )  # fmt: skip
    return _generate(regions, seed)


def _generate(regions: list[Region], seed: int) -> Iterator[DemoCity]:
    rng = random.Random(seed)
    shared = DemoCity()
    laws = add_laws(shared)
    add_requirements(shared)
    requirements = {r["code"]: r for r in shared.tables["training_requirements"]}
    sessions = list(shared.tables["exam_sessions"])
    types = power_types()
    yield shared
    for number, region in enumerate(regions, start=1):
        chunk = shared.chunk()
        ctx = RegionContext(chunk, region, laws, rng, number, requirements, sessions, types)
        build_region(ctx)
        yield chunk


def build_region(ctx: RegionContext) -> None:
    """Every step of one region, in order; each step reads what the earlier ones made."""
    add_departments(ctx)
    items = add_items(ctx)
    set_statuses(ctx, items)
    plant_defects(ctx, items)
    add_catalog(ctx, items)
    delegations = add_delegations(ctx, items)
    add_handling(ctx, delegations)
    add_staff_and_training(ctx)
    plant_legal_defects(ctx.city, ctx.rng, ctx.laws)  # legal-review cases: after delegations


def plant_defects(ctx: RegionContext, items: list[Row]) -> None:
    """The planted-defects step (预置问题): every defect the review and assessment must find.

    Other modules' plants hook in here, after the items and their bases exist.
    """
    plant_item_defects(ctx, items)
