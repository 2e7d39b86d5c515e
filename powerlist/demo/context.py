"""What every generation step shares: the rows made so far, the region, the seed's random stream.

The output is a dict of table name → list of row dicts with explicit ids, ready for a bulk
insert. Nothing here touches the database, so the same seed always gives the same rows.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from powerlist.demo.reference import DepartmentSpec
from powerlist.power_types import PowerTypes

Row = dict[str, Any]

AS_OF = date(2026, 11, 1)
"""The demo is the state of the list on this day; fixed so a seed always gives the same city."""

CITY_ITEMS = 6834
CITY_CHANGED = {"取消": 310, "下放": 402, "委托": 179}  # 891 cancelled, delegated or entrusted


@dataclass
class DemoCity:
    """Generated rows per table plus the counts of planted defects.

    `next_ids` may be shared between chunks, so a province can be generated and written
    one region at a time with ids that continue across regions.
    """

    tables: dict[str, list[Row]] = field(default_factory=dict)
    planted: Counter[str] = field(default_factory=Counter)
    next_ids: Counter[str] = field(default_factory=Counter)

    def add(self, table: str, row: Row) -> Row:
        """Append a row to a table, giving it the next id."""
        self.next_ids[table] += 1
        row["id"] = self.next_ids[table]
        self.tables.setdefault(table, []).append(row)
        return row

    def chunk(self) -> DemoCity:
        """An empty chunk that continues this one's ids."""
        return DemoCity(next_ids=self.next_ids)

    def merge(self, other: DemoCity) -> None:
        """Append another chunk's rows and planted counts to this one."""
        for table, rows in other.tables.items():
            self.tables.setdefault(table, []).extend(rows)
        self.planted.update(other.planted)


@dataclass(frozen=True)
class Region:
    """A city (or league) whose municipal departments and districts are generated."""

    name: str
    prefix: str
    districts: dict[str, tuple[str, ...]]
    items: int
    changed: dict[str, int]
    county_departments: int = 0  # province scale: departments per county held as list owners
    max_targets: int = 10  # districts a delegated item goes to, at most
    handling_from_year: int = AS_OF.year - 1
    staff_scale: int = 1  # staff per receiving unit × this (province: ~100,000 staff)


@dataclass
class RegionContext:
    """One region being built: shared by the organisation, items, delegations and staff steps."""

    city: DemoCity
    region: Region
    laws: dict[str, Row]  # legal_bases rows by title (without 《》)
    rng: random.Random
    number: int
    requirements: dict[str, Row]
    sessions: list[Row]
    types: PowerTypes
    departments: list[tuple[Row, DepartmentSpec]] = field(default_factory=list)
    units: dict[str, Row] = field(default_factory=dict)

    @property
    def scale(self) -> float:
        """This region's size against Baotou's, to scale planted-defect counts."""
        return self.region.items / CITY_ITEMS


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integer parts proportional to `weights` (largest remainder)."""
    scale = sum(weights)
    raw = [total * w / scale for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - parts[i], -i), reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def aware(day: date) -> datetime:
    """Midnight UTC of `day`, for timestamp columns."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
