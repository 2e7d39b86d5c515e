"""The organisation (机构): municipal and county departments, merged ones, receiving units."""

from __future__ import annotations

from datetime import date

from powerlist.demo.context import RegionContext, Row
from powerlist.demo.reference import DEPARTMENTS, MERGED_DEPARTMENTS, DepartmentSpec


def add_departments(ctx: RegionContext) -> None:
    """The region's municipal departments (two merged into successors) and county ones."""
    region = ctx.region
    prefix = f"r{ctx.number:02d}-" if region.county_departments else ""
    # 所属地区: at province scale each city is its own government (peers for 职责交叉 are
    # the departments of one city, or of one 旗县区); the Baotou demo is the configured city.
    city_region = region.name if region.county_departments else None
    codes: dict[str, Row] = {}
    for spec in DEPARTMENTS:
        name = spec.name.replace("包头市", region.prefix, 1)
        row = ctx.city.add(
            "departments",
            {
                "code": f"{prefix}{spec.code}",
                "name": name,
                "short_name": name.removeprefix(region.prefix),
                "level": "市",
                "parent_id": None,
                "region": city_region,
                "active": True,
                "merged_into_id": None,
                "abolished_on": None,
                "contact_email": f"{prefix}{spec.code}@example.gov.cn",
            },
        )
        codes[spec.code] = row
        ctx.departments.append((row, spec))
    for code, (successor, since) in MERGED_DEPARTMENTS.items():
        codes[code]["active"] = False
        codes[code]["merged_into_id"] = codes[successor]["id"]
        codes[code]["abolished_on"] = date.fromisoformat(since)
        ctx.city.planted["merged_departments"] += 1
    if region.county_departments:
        _add_county_departments(ctx, prefix)


def _add_county_departments(ctx: RegionContext, prefix: str) -> None:
    specs = [s for s in DEPARTMENTS if s.code not in MERGED_DEPARTMENTS]
    for k, district in enumerate(ctx.region.districts, start=1):
        for spec in specs[: ctx.region.county_departments]:
            row = ctx.city.add(
                "departments",
                {
                    "code": f"{prefix}c{k:02d}-{spec.code}",
                    "name": f"{district}{spec.unit_suffix}",
                    "short_name": spec.unit_suffix,
                    "level": "旗县区",
                    "parent_id": None,
                    "region": district,
                    "active": True,
                    "merged_into_id": None,
                    "abolished_on": None,
                    "contact_email": None,
                },
            )
            ctx.departments.append((row, spec))


def receiving_unit(
    ctx: RegionContext, district: str, spec: DepartmentSpec, town: str | None
) -> Row:
    """The receiving unit (承接单位): a district bureau, or a town/street government."""
    if town:
        name = f"{district}{town}{'办事处' if town.endswith('街道') else '人民政府'}"
        kind = "苏木乡镇街道"
    else:
        name = f"{district}{spec.unit_suffix}"
        kind = "旗县区部门"
    unit = ctx.units.get(name)
    if unit is None:
        unit = ctx.city.add(
            "receiving_units",
            {
                "code": f"u{ctx.city.next_ids['receiving_units'] + 1:05d}",
                "name": name,
                "district": district,
                "kind": kind,
                "head_name": None,
                "head_email": None,
                "active": True,
            },
        )
        ctx.units[name] = unit
    return unit
