"""Generate a demo city or province as plain rows, deterministically from a seed.

The output is a dict of table name → list of row dicts with explicit ids, ready for a bulk
insert. Nothing here touches the database, so the same seed always gives the same rows.
Planted defects (missing basis, repealed basis, stale reviews, merged departments,
zero-case delegations, overdue training, …) are counted in `DemoCity.planted`.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from powerlist.demo.names import SUB_ITEM_SETS, article, item_names
from powerlist.demo.planted_legal import plant_legal_defects
from powerlist.demo.reference import (
    DEPARTMENTS,
    DISTRICTS,
    GENERAL_LAWS,
    GIVEN,
    LAWS,
    LOW_LEVEL_DOCUMENTS,
    MERGED_DEPARTMENTS,
    REPEALED_LAWS,
    SURNAMES,
    DepartmentSpec,
)
from powerlist.demo.texts import ACCOUNTABILITY, OFFICES, responsibilities_for
from powerlist.power_types import power_types

Row = dict[str, Any]

AS_OF = date(2026, 11, 1)
"""The demo is the state of the list on this day; fixed so a seed always gives the same city."""

CITY_ITEMS = 6834
CITY_CHANGED = {"取消": 310, "下放": 402, "委托": 179}  # 891 cancelled, delegated or entrusted

# Share of each power type in a typical municipal list (penalties dominate real lists).
TYPE_WEIGHTS: dict[str, float] = {
    "行政处罚": 0.58,
    "行政检查": 0.08,
    "行政许可": 0.065,
    "行政强制": 0.06,
    "其他行政权力": 0.05,
    "行政确认": 0.04,
    "公共服务": 0.035,
    "行政备案": 0.025,
    "行政给付": 0.02,
    "行政奖励": 0.02,
    "行政征收": 0.01,
    "行政裁决": 0.005,
}

STRONG_POWERS = ("行政许可", "行政处罚", "行政强制")
"""Powers only laws and regulations may create (行政许可法 §14–17, 行政处罚法 §10–16, …)."""

PROVINCE_CITIES = (
    "呼和浩特市", "包头市", "乌海市", "赤峰市", "通辽市", "鄂尔多斯市",
    "呼伦贝尔市", "巴彦淖尔市", "乌兰察布市", "兴安盟", "锡林郭勒盟", "阿拉善盟",
)  # fmt: skip


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


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integer parts proportional to `weights` (largest remainder)."""
    scale = sum(weights)
    raw = [total * w / scale for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - parts[i], -i), reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


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
    laws = _add_laws(shared)
    _add_requirements(shared)
    requirements = list(shared.tables["training_requirements"])
    sessions = list(shared.tables["exam_sessions"])
    yield shared
    for number, region in enumerate(regions, start=1):
        chunk = shared.chunk()
        _RegionBuilder(chunk, region, laws, rng, number, requirements, sessions).build()
        yield chunk


def _add_laws(city: DemoCity) -> dict[str, Row]:
    by_title: dict[str, Row] = {}
    for law in LAWS:
        by_title[law.title] = city.add(
            "legal_bases",
            {
                "title": f"《{law.title}》",
                "doc_number": "",
                "level": law.level,
                "status": law.status,
                "issuer": law.issuer,
                "promulgated_on": law.promulgated,
                "effective_on": law.effective,
                "amended_on": law.amended,
                "repealed_on": law.repealed,
                "superseded_by_id": None,
                "note": None,
            },
        )
    successors = {
        "中华人民共和国城市规划法": "中华人民共和国城乡规划法",
        "城市房屋拆迁管理条例": "国有土地上房屋征收与补偿条例",
        "中华人民共和国食品卫生法": "中华人民共和国食品安全法",
    }
    for old, new in successors.items():
        by_title[old]["superseded_by_id"] = by_title[new]["id"]
    return by_title


REQUIREMENTS: tuple[Row, ...] = (
    {"code": "TR-DELEG", "name": "承接事项业务培训（谁委托、谁培训）", "kind": "培训",
     "applies_to_role": None, "every_months": 12, "hours_per_year": 20.0,
     "counts_from": "last_completion"},
    {"code": "TR-ENF", "name": "行政执法人员年度集中培训", "kind": "培训",
     "applies_to_role": "执法人员", "every_months": 12, "hours_per_year": 40.0,
     "counts_from": "last_completion"},
    {"code": "CR-CERT", "name": "行政执法证件审验", "kind": "证件",
     "applies_to_role": "执法人员", "every_months": 24, "hours_per_year": None,
     "counts_from": "last_completion"},
    {"code": "EX-LAW", "name": "国家工作人员学法考法年度考试", "kind": "考试",
     "applies_to_role": None, "every_months": 12, "hours_per_year": None,
     "counts_from": "fixed"},
)  # fmt: skip


def _add_requirements(city: DemoCity) -> None:
    for requirement in REQUIREMENTS:
        city.add("training_requirements", dict(requirement))
    exam_id = city.tables["training_requirements"][-1]["id"]
    sessions = (
        ("2025年度学法考法考试", 2025, "2025-10-13", "2025-10-24", False),
        ("2025年度学法考法补考", 2025, "2025-11-17", "2025-11-28", True),
        ("2026年度学法考法考试", 2026, "2026-10-12", "2026-10-23", False),
        ("2026年度学法考法补考", 2026, "2026-11-16", "2026-11-27", True),
    )
    for name, year, opens, closes, resit in sessions:
        city.add(
            "exam_sessions",
            {
                "requirement_id": exam_id,
                "name": name,
                "year": year,
                "opens_on": date.fromisoformat(opens),
                "closes_on": date.fromisoformat(closes),
                "resit": resit,
                "pass_mark": 60.0,
            },
        )


class _RegionBuilder:
    """Builds one region's departments, items, catalog, delegations, staff and records."""

    def __init__(
        self,
        city: DemoCity,
        region: Region,
        laws: dict[str, Row],
        rng: random.Random,
        number: int,
        requirements: list[Row],
        sessions: list[Row],
    ):
        self.number = number
        self.requirements = {r["code"]: r for r in requirements}
        self.sessions = sessions
        self.city = city
        self.region = region
        self.laws = laws
        self.rng = rng
        self.types = power_types()
        self.departments: list[tuple[Row, DepartmentSpec]] = []
        self.units: dict[str, Row] = {}

    def build(self) -> None:
        self._add_departments()
        items = self._add_items()
        self._set_statuses(items)
        self._plant_item_defects(items)
        self._add_catalog(items)
        delegations = self._add_delegations(items)
        self._add_handling(delegations)
        self._add_staff_and_training()
        plant_legal_defects(self.city, self.rng, self.laws)  # legal-review cases (issue 16)

    # --- departments -------------------------------------------------------------------
    def _add_departments(self) -> None:
        prefix = f"r{self.number:02d}-" if self.region.county_departments else ""
        codes: dict[str, Row] = {}
        for spec in DEPARTMENTS:
            name = spec.name.replace("包头市", self.region.prefix, 1)
            row = self.city.add(
                "departments",
                {
                    "code": f"{prefix}{spec.code}",
                    "name": name,
                    "short_name": name.removeprefix(self.region.prefix),
                    "level": "市",
                    "parent_id": None,
                    "active": True,
                    "merged_into_id": None,
                    "abolished_on": None,
                    "contact_email": f"{prefix}{spec.code}@example.gov.cn",
                },
            )
            codes[spec.code] = row
            self.departments.append((row, spec))
        for code, (successor, since) in MERGED_DEPARTMENTS.items():
            codes[code]["active"] = False
            codes[code]["merged_into_id"] = codes[successor]["id"]
            codes[code]["abolished_on"] = date.fromisoformat(since)
            self.city.planted["merged_departments"] += 1
        if self.region.county_departments:
            self._add_county_departments(prefix)

    def _add_county_departments(self, prefix: str) -> None:
        specs = [s for s in DEPARTMENTS if s.code not in MERGED_DEPARTMENTS]
        for k, district in enumerate(self.region.districts, start=1):
            for spec in specs[: self.region.county_departments]:
                row = self.city.add(
                    "departments",
                    {
                        "code": f"{prefix}c{k:02d}-{spec.code}",
                        "name": f"{district}{spec.unit_suffix}",
                        "short_name": spec.unit_suffix,
                        "level": "旗县区",
                        "parent_id": None,
                        "active": True,
                        "merged_into_id": None,
                        "abolished_on": None,
                        "contact_email": None,
                    },
                )
                self.departments.append((row, spec))

    # --- items -------------------------------------------------------------------------
    def _add_items(self) -> list[Row]:
        weights = [
            spec.weight * (1.0 if d["level"] == "市" else 0.35) for d, spec in self.departments
        ]
        counts = apportion(self.region.items, weights)
        items: list[Row] = []
        for index, ((department, spec), count) in enumerate(
            zip(self.departments, counts, strict=True), start=1
        ):
            items.extend(self._department_items(index, department, spec, count))
        return items

    def _department_items(
        self, index: int, department: Row, spec: DepartmentSpec, count: int
    ) -> Iterator[Row]:
        rng = self.rng
        categories = list(TYPE_WEIGHTS)
        per_type = apportion(count, [TYPE_WEIGHTS[c] for c in categories])
        law_titles = tuple(t for t in spec.laws if t in self.laws)
        made = 0
        for category, wanted in zip(categories, per_type, strict=True):
            names = item_names(category, spec.nouns, law_titles, rng)
            seq = 0
            remaining = wanted
            while remaining > 0:
                seq += 1
                name = next(names)
                main_code = f"{self.types.code_of(category)}{index:04d}{seq:04d}"
                subs: tuple[str | None, ...] = (None,)
                if remaining >= 2 and rng.random() < 0.12:
                    subs = rng.choice(SUB_ITEM_SETS)[: min(remaining, 4)]
                for k, sub in enumerate(subs, start=0 if subs[0] is None else 1):
                    made += 1
                    remaining -= 1
                    yield self._item(department, spec, category, name, sub, f"{main_code}{k:03d}")
        assert made == count

    def _item(
        self,
        department: Row,
        spec: DepartmentSpec,
        category: str,
        name: str,
        sub: str | None,
        code: str,
    ) -> Row:
        rng = self.rng
        reviewed = AS_OF.replace(year=AS_OF.year - 1, month=11, day=1) + timedelta(
            rng.randint(0, 40)
        )
        row = self.city.add(
            "power_items",
            {
                "code": code,
                "name": name,
                "sub_item": sub,
                "category": category,
                "department_id": department["id"],
                "unit": OFFICES.get(category, "业务科"),
                "responsibilities": responsibilities_for(category),
                "accountability": ACCOUNTABILITY,
                "status": "保留",
                "remarks": None,
                "extra": None,
                "last_reviewed_on": reviewed,
                "version": rng.randint(1, 4),
                "updated_at": _aware(reviewed),
            },
        )
        law_titles = [t for t in spec.laws if t in self.laws] or list(GENERAL_LAWS)
        if category in STRONG_POWERS:  # planted level defects are the only low-level citations
            law_titles = [t for t in law_titles if t not in LOW_LEVEL_DOCUMENTS] or list(
                GENERAL_LAWS
            )
        cited = next((t for t in law_titles if f"《{t}》" in name), None) or rng.choice(law_titles)
        self._cite(row, cited)
        if rng.random() < 0.3 and category in ("行政处罚", "行政强制", "行政许可"):
            general = {"行政处罚": 0, "行政强制": 2, "行政许可": 1}[category]
            self._cite(row, GENERAL_LAWS[general])
        return row

    def _cite(self, item: Row, title: str) -> None:
        self.city.add(
            "item_bases",
            {
                "item_id": item["id"],
                "basis_id": self.laws[title]["id"],
                "articles": article(self.rng.randint(5, 120)),
            },
        )

    def _plant_item_defects(self, items: list[Row]) -> None:
        """Give the list the defects a real one has, each counted in `planted`."""
        bases_by_item: dict[int, list[Row]] = {}
        for basis in self.city.tables.get("item_bases", []):
            bases_by_item.setdefault(basis["item_id"], []).append(basis)
        pool = [i for i in items if i["sub_item"] is None and i["status"] == "保留"]
        self.rng.shuffle(pool)
        picker = _Picker(pool, scale=len(items) / CITY_ITEMS)
        self._plant_basis_defects(picker, bases_by_item)
        self._plant_review_defects(picker, bases_by_item)
        self._plant_duplicates(items, self.city.planted)
        self.city.tables["item_bases"] = [
            b for b in self.city.tables["item_bases"] if b["basis_id"] is not None
        ]

    def _plant_basis_defects(self, picker: _Picker, bases: dict[int, list[Row]]) -> None:
        rng, planted, laws = self.rng, self.city.planted, self.laws
        for item in picker.take(95):  # no legal basis at all
            for basis in bases.get(item["id"], []):
                basis["basis_id"] = None
            planted["no_basis"] += 1
        for item in picker.take(28):  # cites a repealed law
            bases[item["id"]][0]["basis_id"] = laws[rng.choice(REPEALED_LAWS)]["id"]
            planted["repealed_basis"] += 1
        for item in picker.take(6):  # cites a regulation not yet in force
            bases[item["id"]][0]["basis_id"] = laws["包头市养犬管理条例"]["id"]
            planted["not_yet_effective_basis"] += 1
        for item in picker.take(40, categories=STRONG_POWERS):
            for basis in bases[item["id"]]:  # only a normative document behind a strong power
                basis["basis_id"] = laws[rng.choice(LOW_LEVEL_DOCUMENTS)]["id"]
            planted["basis_level_too_low"] += 1

    def _plant_review_defects(self, picker: _Picker, bases: dict[int, list[Row]]) -> None:
        rng, planted = self.rng, self.city.planted
        amended = {
            law["id"]: law["amended_on"] for law in self.laws.values() if law["status"] == "已修改"
        }

        def cites_amended(item: Row) -> bool:
            return any(b["basis_id"] in amended for b in bases.get(item["id"], []))

        for item in picker.take(60, where=cites_amended):  # reviewed before its law changed
            changed = max(
                amended[b["basis_id"]] for b in bases[item["id"]] if b["basis_id"] in amended
            )
            item["last_reviewed_on"] = changed - timedelta(days=rng.randint(20, 120))
            planted["basis_amended_since_review"] += 1
        for item in picker.take(540):  # not reviewed for over a year
            item["last_reviewed_on"] = date(AS_OF.year - 2, rng.randint(1, 12), rng.randint(1, 28))
            planted["stale_review"] += 1
        for item in picker.take(110):  # 责任事项 or 追责情形 missing
            item["responsibilities" if rng.random() < 0.5 else "accountability"] = None
            planted["missing_responsibility"] += 1

    def _plant_duplicates(self, items: list[Row], planted: Counter[str]) -> None:
        by_department: dict[int, list[Row]] = {}
        for item in items:
            if item["sub_item"] is None and item["status"] == "保留":
                by_department.setdefault(item["department_id"], []).append(item)
        big = sorted(by_department.values(), key=len, reverse=True)
        for group in big[: max(1, round(12 * len(items) / CITY_ITEMS))]:
            first, second, third, fourth = self.rng.sample(group, 4)
            second["code"] = first["code"]
            planted["duplicate_code"] += 1
            fourth["name"] = third["name"]
            planted["duplicate_name"] += 1

    def _set_statuses(self, items: list[Row]) -> None:
        rng = self.rng
        merged_ids = {d["id"] for d, _ in self.departments if not d["active"]}
        self.city.planted["items_of_merged_departments"] += sum(
            1 for i in items if i["department_id"] in merged_ids
        )
        candidates = [i for i in items if i["department_id"] not in merged_ids]
        rng.shuffle(candidates)
        position = 0
        for status, count in self.region.changed.items():
            chosen = 0
            while chosen < count:
                item = candidates[position]
                position += 1
                if status == "委托" and item["category"] not in (
                    "行政处罚",
                    "行政检查",
                    "行政强制",
                ):
                    continue
                item["status"] = status
                chosen += 1

    # --- upper-level catalog -----------------------------------------------------------
    def _add_catalog(self, items: list[Row]) -> None:
        """Mirror part of the list in the higher-level catalog, with planted mismatches."""
        rng = self.rng
        planted = self.city.planted
        scale = len(items) / CITY_ITEMS
        names = {d["id"]: d["name"] for d, _ in self.departments}
        mains = [i for i in items if i["sub_item"] is None and i["status"] == "保留"]
        rng.shuffle(mains)
        mirrored = mains[: round(900 * scale)]
        cancel_n = round(30 * scale)
        delegate_n = round(20 * scale)
        for n, item in enumerate(mirrored):
            decision = "保留"
            document = None
            decided = None
            if n < cancel_n:
                decision, document = "取消", "内政发〔2025〕12号"
                decided = date(2025, 9, 30)
                planted["catalog_cancelled_still_held"] += 1
            elif n < cancel_n + delegate_n:
                decision, document = "下放", "内政发〔2025〕12号"
                decided = date(2025, 9, 30)
                planted["catalog_delegated_still_held"] += 1
            department = names[item["department_id"]]
            self._catalog_row(item, department, decision, document, decided)
        for k in range(max(1, round(15 * scale))):
            department, spec = rng.choice(
                [(d, s) for d, s in self.departments if d["active"] and d["level"] == "市"]
            )
            noun = rng.choice(spec.nouns)
            name = f"{noun}事中事后监管信息报送（目录新增第{k + 1}项）"
            code = f"QT9{department['id']:04d}{k:04d}000"
            entry = {"code": code, "name": name, "category": "其他行政权力"}
            self._catalog_row(
                entry, department["name"], "保留", "国办发〔2025〕5号", date(2025, 6, 30)
            )
            planted["catalog_item_missing"] += 1

    def _catalog_row(
        self,
        item: Row,
        department: str,
        decision: str,
        document: str | None,
        decided: date | None,
    ) -> None:
        self.city.add(
            "upper_catalog_entries",
            {
                "code": item["code"],
                "name": item["name"],
                "category": item["category"],
                "level": "市",
                "department_name": department,
                "decision": decision,
                "decision_document": document,
                "decided_on": decided,
                "basis": None,
            },
        )

    # --- delegations and handling ------------------------------------------------------
    def _unit(self, district: str, spec: DepartmentSpec, town: str | None) -> Row:
        if town:
            name = f"{district}{town}{'办事处' if town.endswith('街道') else '人民政府'}"
            kind = "苏木乡镇街道"
        else:
            name = f"{district}{spec.unit_suffix}"
            kind = "旗县区部门"
        unit = self.units.get(name)
        if unit is None:
            unit = self.city.add(
                "receiving_units",
                {
                    "code": f"u{self.city.next_ids['receiving_units'] + 1:05d}",
                    "name": name,
                    "district": district,
                    "kind": kind,
                    "head_name": None,
                    "head_email": None,
                    "active": True,
                },
            )
            self.units[name] = unit
        return unit

    def _add_delegations(self, items: list[Row]) -> list[Row]:
        rng = self.rng
        specs = {d["id"]: spec for d, spec in self.departments}
        districts = list(self.region.districts)
        made: list[Row] = []
        for item in items:
            if item["status"] not in ("下放", "委托"):
                continue
            spec = specs[item["department_id"]]
            if item["status"] == "下放":
                most = min(self.region.max_targets, len(districts))
                targets = [(d, None) for d in rng.sample(districts, rng.randint(2, most))]
            else:
                towns = [(d, t) for d, ts in self.region.districts.items() for t in ts]
                targets = rng.sample(towns, rng.randint(1, 4))
            for district, town in targets:
                since = date(rng.randint(2019, 2026), rng.randint(1, 12), 1)
                if since > AS_OF:
                    since = date(AS_OF.year, rng.randint(1, AS_OF.month - 1), 1)
                agreement = None
                if item["status"] == "委托" and rng.random() > 0.1:
                    agreement = f"委托协议〔{since.year}〕{rng.randint(1, 90)}号"
                elif item["status"] == "下放":
                    agreement = f"包府发〔{since.year}〕{rng.randint(1, 60)}号"
                revoked = None
                if rng.random() < 0.02:
                    revoked = date(AS_OF.year, rng.randint(1, 9), 1)
                    self.city.planted["revoked_delegation"] += 1
                made.append(
                    self.city.add(
                        "delegations",
                        {
                            "item_id": item["id"],
                            "from_department_id": item["department_id"],
                            "unit_id": self._unit(district, spec, town)["id"],
                            "mode": item["status"],
                            "since": since,
                            "revoked_on": revoked,
                            "agreement": agreement,
                        },
                    )
                )
                if item["status"] == "委托" and agreement is None:
                    self.city.planted["entrustment_without_agreement"] += 1
        return made

    def _add_handling(self, delegations: list[Row]) -> None:
        rng = self.rng
        first_month = date(self.region.handling_from_year, 1, 1)
        months = []
        month = first_month
        while month < AS_OF.replace(day=1):
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        for delegation in delegations:
            roll = rng.random()
            profile = "zero" if roll < 0.08 else "poor" if roll < 0.13 else "normal"
            self.city.planted[f"delegation_{profile}"] += 1
            gaps = rng.random() < 0.03
            volume = rng.randint(1, 40)
            for month in months:
                if month < delegation["since"].replace(day=1):
                    continue
                if delegation["revoked_on"] and month >= delegation["revoked_on"]:
                    continue
                if gaps and rng.random() < 0.3:
                    continue  # the unit did not report this month
                self.city.add(
                    "handling_stats", _month_stats(rng, delegation, month, profile, volume)
                )
            if gaps:
                self.city.planted["handling_months_missing"] += 1

    # --- staff and training ------------------------------------------------------------
    def _add_staff_and_training(self) -> None:
        rng = self.rng
        requirements = self.requirements
        sessions = self.sessions
        for unit in self.units.values():
            size = rng.randint(2, 6) if unit["kind"] == "苏木乡镇街道" else rng.randint(3, 12)
            size *= self.region.staff_scale
            if rng.random() < 0.06:
                size = 2  # fewer than 3 enforcement staff: a planted weakness
                self.city.planted["unit_understaffed"] += 1
            for k in range(size):
                role = "负责人" if k == 0 else "执法人员" if rng.random() < 0.7 else "窗口人员"
                person = self._person(unit, role)
                if role == "负责人":
                    unit["head_name"] = person["name"]
                    unit["head_email"] = person["email"]
                self._training_history(person, requirements, sessions)

    def _person(self, unit: Row, role: str) -> Row:
        rng = self.rng
        number = self.city.next_ids["staff"] + 1
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        return self.city.add(
            "staff",
            {
                "unit_id": unit["id"],
                "staff_no": f"S{number:07d}",
                "name": name,
                "role": role,
                "credential_no": f"蒙{rng.randint(10**9, 10**10 - 1)}"
                if role == "执法人员"
                else None,
                "email": f"s{number:07d}@example.gov.cn",
                "phone": f"1{rng.choice('3589')}{rng.randint(10**8, 10**9 - 1)}",
                "active": True,
            },
        )

    def _training_history(
        self, person: Row, requirements: dict[str, Row], sessions: list[Row]
    ) -> None:
        rng = self.rng
        overdue = rng.random() < 0.15
        if overdue:
            self.city.planted["staff_training_overdue"] += 1
        for code, requirement in requirements.items():
            role = requirement["applies_to_role"]
            if (role and role != person["role"]) or requirement["kind"] == "考试":
                continue
            months_back = (
                requirement["every_months"] + rng.randint(1, 6)
                if overdue
                else rng.randint(0, requirement["every_months"] - 1)
            )
            done = AS_OF - timedelta(days=30 * months_back + rng.randint(0, 25))
            hours = requirement["hours_per_year"] or 0.0
            for year_back in range(2 if code.startswith("TR") else 1):
                day = done - timedelta(days=365 * year_back)
                self.city.add(
                    "training_records",
                    {
                        "staff_id": person["id"],
                        "requirement_id": requirement["id"],
                        "completed_on": day,
                        "hours": round(hours * rng.uniform(0.5, 1.1), 1),
                        "topic": requirement["name"],
                        "trainer": "市司法局",
                    },
                )
        self._exam_results(person, sessions)

    def _exam_results(self, person: Row, sessions: list[Row]) -> None:
        rng = self.rng
        for year in (AS_OF.year - 1, AS_OF.year):
            main, resit = (s for s in sessions if s["year"] == year)
            if main["closes_on"] > AS_OF or rng.random() < 0.05:
                continue  # not yet held, or absent
            score = round(rng.uniform(40, 100), 1)
            self._exam_row(main, person, score)
            if score < main["pass_mark"] and resit["closes_on"] <= AS_OF:
                self._exam_row(resit, person, round(rng.uniform(50, 100), 1))
            elif score < main["pass_mark"]:
                self.city.planted["exam_resit_pending"] += 1

    def _exam_row(self, session: Row, person: Row, score: float) -> None:
        self.city.add(
            "exam_results",
            {
                "session_id": session["id"],
                "staff_id": person["id"],
                "taken_on": session["opens_on"] + timedelta(days=self.rng.randint(0, 9)),
                "score": score,
                "passed": score >= session["pass_mark"],
            },
        )


class _Picker:
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


def _month_stats(
    rng: random.Random, delegation: Row, month: date, profile: str, volume: int
) -> Row:
    received = 0 if profile == "zero" else rng.randint(0, volume)
    completed = received if profile != "poor" else rng.randint(0, received)
    overdue = rng.randint(0, max(0, completed // 2)) if profile == "poor" else 0
    if profile == "normal" and completed and rng.random() < 0.1:
        overdue = 1
    return {
        "delegation_id": delegation["id"],
        "month": month,
        "received": received,
        "completed": completed,
        "on_time": completed - overdue,
        "overdue": overdue,
        "complaints": rng.randint(0, 3) if profile == "poor" and received else 0,
        "poor_ratings": rng.randint(0, 2) if profile == "poor" and received else 0,
        "returned": rng.randint(0, 2) if profile == "poor" and received else 0,
    }


def _aware(day: date) -> Any:
    from datetime import UTC, datetime

    return datetime(day.year, day.month, day.day, tzinfo=UTC)
