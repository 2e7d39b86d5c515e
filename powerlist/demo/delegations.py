"""Delegations (下放) and entrustments (委托) to receiving units, and their monthly handling.

Handling reports keep the invariants the handling import enforces: on time + overdue =
completed ≤ received, and returned, complaints and poor ratings each ≤ received; 好评 +
差评 ≤ received and 差评已整改 ≤ 差评.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from powerlist.demo.context import AS_OF, RegionContext, Row
from powerlist.demo.organisation import receiving_unit


def add_delegations(ctx: RegionContext, items: list[Row]) -> list[Row]:
    """下放 items go to district bureaus, 委托 items to towns and streets."""
    rng = ctx.rng
    specs = {d["id"]: spec for d, spec in ctx.departments}
    districts = list(ctx.region.districts)
    made: list[Row] = []
    for item in items:
        if item["status"] not in ("下放", "委托"):
            continue
        spec = specs[item["department_id"]]
        if item["status"] == "下放":
            most = min(ctx.region.max_targets, len(districts))
            targets = [(d, None) for d in rng.sample(districts, rng.randint(2, most))]
        else:
            towns = [(d, t) for d, ts in ctx.region.districts.items() for t in ts]
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
                ctx.city.planted["revoked_delegation"] += 1
            made.append(
                ctx.city.add(
                    "delegations",
                    {
                        "item_id": item["id"],
                        "from_department_id": item["department_id"],
                        "unit_id": receiving_unit(ctx, district, spec, town)["id"],
                        "mode": item["status"],
                        "since": since,
                        "revoked_on": revoked,
                        "agreement": agreement,
                    },
                )
            )
            if item["status"] == "委托" and agreement is None and revoked is None:  # an active one
                ctx.city.planted["entrustment_without_agreement"] += 1
    return made


def add_handling(ctx: RegionContext, delegations: list[Row]) -> None:
    """Monthly handling reports (办件统计): most units normal, some zero-case or poor."""
    rng = ctx.rng
    months = []
    month = date(ctx.region.handling_from_year, 1, 1)
    while month < AS_OF.replace(day=1):
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    for delegation in delegations:
        roll = rng.random()
        profile = "zero" if roll < 0.08 else "poor" if roll < 0.13 else "normal"
        ctx.city.planted[f"delegation_{profile}"] += 1
        gaps = rng.random() < 0.03
        volume = rng.randint(1, 40)
        for month in months:
            if month < delegation["since"].replace(day=1):
                continue
            if delegation["revoked_on"] and month >= delegation["revoked_on"]:
                continue
            if gaps and rng.random() < 0.3:
                continue  # the unit did not report this month
            ctx.city.add("handling_stats", month_stats(rng, delegation, month, profile, volume))
        if gaps:
            ctx.city.planted["handling_months_missing"] += 1


def month_stats(rng: random.Random, delegation: Row, month: date, profile: str, volume: int) -> Row:
    """One month's report of a delegation; every count within what the month received."""
    received = 0 if profile == "zero" else rng.randint(0, volume)
    completed = received if profile != "poor" else rng.randint(0, received)
    overdue = (
        rng.randint(min(1, completed), max(min(1, completed), completed // 2))
        if profile == "poor"
        else 0
    )
    if profile == "normal" and completed and rng.random() < 0.1:
        overdue = 1
    poor = profile == "poor" and received > 0
    poor_ratings = min(received, rng.randint(0, 2)) if poor else 0
    rated = rng.randint(poor_ratings, received) if received else 0
    return {
        "delegation_id": delegation["id"],
        "month": month,
        "received": received,
        "completed": completed,
        "on_time": completed - overdue,
        "overdue": overdue,
        "complaints": min(received, rng.randint(0, 3)) if poor else 0,
        "poor_ratings": poor_ratings,
        "returned": min(received, rng.randint(0, 2)) if poor else 0,
        "ratings": rated,
        "good_ratings": rng.randint(0, rated - poor_ratings),
        "poor_ratings_fixed": rng.randint(0, poor_ratings),
    }
