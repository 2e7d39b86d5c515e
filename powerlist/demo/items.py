"""The list's items (权力事项), their legal bases (设定依据), statuses and the upper catalog.

Every citation names a law the department applies, at an article the law really has
(`articles` in powerlist/data/baotou.toml); sub-items (子项), 责任事项 and 追责情形 follow the
item's power type (权力类型).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from powerlist.demo.context import AS_OF, RegionContext, Row, apportion, aware
from powerlist.demo.names import SUB_ITEM_SETS, article, basis_article, item_names, penalty_article
from powerlist.demo.reference import ARTICLES, GENERAL_LAWS, LOW_LEVEL_DOCUMENTS, DepartmentSpec
from powerlist.demo.texts import OFFICES, accountability_for, responsibilities_for

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

GENERAL_ARTICLES = {"行政处罚": 9, "行政许可": 12, "行政强制": 9}
"""The general law article a strong power also cites: 处罚种类, 可设定许可的事项, 强制措施种类."""

NAMED_ONLY = ("行政给付", "行政征收", "行政裁决")
"""Types only some departments hold, under the real names `names` in baotou.toml gives them."""

ENTRUSTABLE = ("行政处罚", "行政检查", "行政强制")
"""Power types the demo entrusts (委托) to towns and streets."""


def add_items(ctx: RegionContext) -> list[Row]:
    """Every department's items with their legal bases, in proportion to its weight."""
    weights = [spec.weight * (1.0 if d["level"] == "市" else 0.35) for d, spec in ctx.departments]
    counts = apportion(ctx.region.items, weights)
    items: list[Row] = []
    for index, ((department, spec), count) in enumerate(
        zip(ctx.departments, counts, strict=True), start=1
    ):
        items.extend(_department_items(ctx, index, department, spec, count))
    return items


def _department_items(
    ctx: RegionContext, index: int, department: Row, spec: DepartmentSpec, count: int
) -> Iterator[Row]:
    rng = ctx.rng
    named = spec.names or {}
    categories = [c for c in (spec.types or TYPE_WEIGHTS) if c not in NAMED_ONLY or c in named]
    per_type = apportion(count, [TYPE_WEIGHTS[c] for c in categories])
    spare = next(k for k, c in enumerate(categories) if c not in NAMED_ONLY)
    for k, category in enumerate(categories):  # no more items than the real names it has
        if category in named and per_type[k] > len(named[category]):
            per_type[spare] += per_type[k] - len(named[category])
            per_type[k] = len(named[category])
    laws = {t: ARTICLES[t] for t in spec.laws if t in ctx.laws and t not in LOW_LEVEL_DOCUMENTS}
    made = 0
    for category, wanted in zip(categories, per_type, strict=True):
        names = item_names(category, spec.nouns, laws, rng, named.get(category, ()))
        seq = 0
        remaining = wanted
        while remaining > 0:
            seq += 1
            name, law, number = next(names)
            main_code = f"{ctx.types.code_of(category)}{index:04d}{seq:04d}"
            subs: tuple[str | None, ...] = (None,)
            sets = SUB_ITEM_SETS.get(category)
            if sets and remaining >= 2 and rng.random() < 0.12:
                subs = rng.choice(sets)[: min(remaining, 4)]
            for k, sub in enumerate(subs, start=0 if subs[0] is None else 1):
                made += 1
                remaining -= 1
                row = _item(ctx, department, category, name, sub, f"{main_code}{k:03d}")
                _cite_for(ctx, row, spec, law, number)
                yield row
    assert made == count


def _item(
    ctx: RegionContext, department: Row, category: str, name: str, sub: str | None, code: str
) -> Row:
    rng = ctx.rng
    reviewed = AS_OF.replace(year=AS_OF.year - 1, month=11, day=1) + timedelta(rng.randint(0, 40))
    return ctx.city.add(
        "power_items",
        {
            "code": code,
            "name": name,
            "sub_item": sub,
            "category": category,
            "department_id": department["id"],
            "unit": OFFICES.get(category, "业务科"),
            "responsibilities": responsibilities_for(category),
            "accountability": accountability_for(category),
            "status": "保留",
            "remarks": None,
            "extra": None,
            "last_reviewed_on": reviewed,
            "version": rng.randint(1, 4),
            "updated_at": aware(reviewed),
        },
    )


def _cite_for(
    ctx: RegionContext, row: Row, spec: DepartmentSpec, law: str | None, number: int | None
) -> None:
    """Cite the law the name names, else one of the department's field laws."""
    rng = ctx.rng
    category = row["category"]
    if law is None:
        titles = [t for t in spec.laws if t in ctx.laws]
        if category in STRONG_POWERS:  # planted level defects are the only low-level citations
            titles = [t for t in titles if t not in LOW_LEVEL_DOCUMENTS]
        law = rng.choice(titles or list(GENERAL_LAWS))
        pick = penalty_article if category == "行政处罚" else basis_article
        number = pick(ARTICLES[law], rng)
    cite(ctx, row, law, number)
    if category in GENERAL_ARTICLES and rng.random() < 0.3:
        general = {"行政处罚": 1, "行政许可": 0, "行政强制": 2}[category]
        cite(ctx, row, GENERAL_LAWS[general], GENERAL_ARTICLES[category])


def cite(ctx: RegionContext, item: Row, title: str, number: int | None = None) -> Row:
    """Add an item_bases row: `title`'s article `number` (drawn within the law when None)."""
    if number is None:
        number = basis_article(ARTICLES[title], ctx.rng)
    if not 0 < number <= ARTICLES[title]:
        raise ValueError(f"《{title}》只有{ARTICLES[title]}条，没有第{number}条")
    return ctx.city.add(
        "item_bases",
        {"item_id": item["id"], "basis_id": ctx.laws[title]["id"], "articles": article(number)},
    )


def set_statuses(ctx: RegionContext, items: list[Row]) -> None:
    """Mark the region's cancelled (取消), delegated (下放) and entrusted (委托) items."""
    rng = ctx.rng
    merged_ids = {d["id"] for d, _ in ctx.departments if not d["active"]}
    ctx.city.planted["items_of_merged_departments"] += sum(
        1 for i in items if i["department_id"] in merged_ids
    )
    candidates = [i for i in items if i["department_id"] not in merged_ids]
    rng.shuffle(candidates)
    position = 0
    for status, count in ctx.region.changed.items():
        chosen = 0
        while chosen < count:
            item = candidates[position]
            position += 1
            if status == "委托" and item["category"] not in ENTRUSTABLE:
                continue
            item["status"] = status
            chosen += 1


def add_catalog(ctx: RegionContext, items: list[Row]) -> None:
    """Mirror part of the list in the higher-level catalog, with planted mismatches."""
    rng = ctx.rng
    planted = ctx.city.planted
    scale = ctx.scale
    names = {d["id"]: d["name"] for d, _ in ctx.departments}
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
        _catalog_row(ctx, item, names[item["department_id"]], decision, document, decided)
    for k in range(max(1, round(15 * scale))):
        department, spec = rng.choice(
            [(d, s) for d, s in ctx.departments if d["active"] and d["level"] == "市"]
        )
        noun = rng.choice(spec.nouns)
        name = f"{noun}事中事后监管信息报送"
        code = f"QT9{department['id']:04d}{k:04d}000"
        entry = {"code": code, "name": name, "category": "其他行政权力"}
        _catalog_row(ctx, entry, department["name"], "保留", "国办发〔2025〕5号", date(2025, 6, 30))
        planted["catalog_item_missing"] += 1


def _catalog_row(
    ctx: RegionContext,
    item: Row,
    department: str,
    decision: str,
    document: str | None,
    decided: date | None,
) -> None:
    ctx.city.add(
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
