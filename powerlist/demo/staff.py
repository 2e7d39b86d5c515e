"""Receiving units' staff (承接人员), their training records and law-exam results (学法考法)."""

from __future__ import annotations

from datetime import date, timedelta

from powerlist.demo.context import AS_OF, DemoCity, RegionContext, Row
from powerlist.demo.reference import GIVEN, SURNAMES

REQUIREMENTS: tuple[Row, ...] = (
    {"code": "TR-DELEG", "name": "承接事项业务培训（谁委托、谁培训）", "kind": "培训",
     "applies_to_role": None, "every_months": 12, "hours_per_year": 20.0,
     "counts_from": "last_completion"},
    {"code": "TR-ENF", "name": "行政执法人员年度集中培训", "kind": "培训",
     "applies_to_role": "执法人员", "every_months": 12, "hours_per_year": 40.0,
     "counts_from": "last_completion"},
    {"code": "CR-CERT", "name": "行政执法证件审验", "kind": "证件",
     "applies_to_role": "执法人员", "every_months": 12, "hours_per_year": None,
     "counts_from": "last_completion"},
    {"code": "EX-LAW", "name": "国家工作人员学法考法年度考试", "kind": "考试",
     "applies_to_role": None, "every_months": 12, "hours_per_year": None,
     "counts_from": "fixed"},
)  # fmt: skip

EXAM_SESSIONS = (
    ("2025年度学法考法考试", 2025, "2025-10-13", "2025-10-24", False),
    ("2025年度学法考法补考", 2025, "2025-11-17", "2025-11-28", True),
    ("2026年度学法考法考试", 2026, "2026-10-12", "2026-10-23", False),
    ("2026年度学法考法补考", 2026, "2026-11-16", "2026-11-27", True),
)


def add_requirements(city: DemoCity) -> None:
    """The training requirements and the law exam's sessions, shared by every region."""
    for requirement in REQUIREMENTS:
        city.add("training_requirements", dict(requirement))
    exam_id = city.tables["training_requirements"][-1]["id"]
    for name, year, opens, closes, resit in EXAM_SESSIONS:
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


def add_staff_and_training(ctx: RegionContext) -> None:
    """Staff of every receiving unit with their training history and exam results."""
    rng = ctx.rng
    for unit in ctx.units.values():
        size = rng.randint(2, 6) if unit["kind"] == "苏木乡镇街道" else rng.randint(3, 12)
        size *= ctx.region.staff_scale
        if rng.random() < 0.06:
            size = 2  # fewer than 3 enforcement staff: a planted weakness
            ctx.city.planted["unit_understaffed"] += 1
        for k in range(size):
            role = "负责人" if k == 0 else "执法人员" if rng.random() < 0.7 else "窗口人员"
            person = _person(ctx, unit, role)
            if role == "负责人":
                unit["head_name"] = person["name"]
                unit["head_email"] = person["email"]
            _training_history(ctx, person)


def _person(ctx: RegionContext, unit: Row, role: str) -> Row:
    rng = ctx.rng
    number = ctx.city.next_ids["staff"] + 1
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
    return ctx.city.add(
        "staff",
        {
            "unit_id": unit["id"],
            "staff_no": f"S{number:07d}",
            "name": name,
            "role": role,
            "credential_no": f"蒙{rng.randint(10**9, 10**10 - 1)}" if role == "执法人员" else None,
            "email": f"s{number:07d}@example.gov.cn",
            "phone": f"1{rng.choice('3589')}{rng.randint(10**8, 10**9 - 1)}",
            "active": True,
        },
    )


def _training_history(ctx: RegionContext, person: Row) -> None:
    rng = ctx.rng
    overdue = rng.random() < 0.15
    if overdue:
        ctx.city.planted["staff_training_overdue"] += 1
    for code, requirement in ctx.requirements.items():
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
            ctx.city.add(
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
    _exam_results(ctx, person)


def _exam_results(ctx: RegionContext, person: Row) -> None:
    rng = ctx.rng
    for year in (AS_OF.year - 1, AS_OF.year):
        main, resit = (s for s in ctx.sessions if s["year"] == year)
        if main["closes_on"] > AS_OF or rng.random() < 0.05:
            continue  # not yet held, or absent
        score = round(rng.uniform(40, 100), 1)
        _exam_row(ctx, main, person, score)
        if score < main["pass_mark"] and resit["closes_on"] <= AS_OF:
            _exam_row(ctx, resit, person, round(rng.uniform(50, 100), 1))
        elif score < main["pass_mark"]:
            ctx.city.planted["exam_resit_pending"] += 1


def _exam_row(ctx: RegionContext, session: Row, person: Row, score: float) -> None:
    ctx.city.add(
        "exam_results",
        {
            "session_id": session["id"],
            "staff_id": person["id"],
            "taken_on": session["opens_on"] + timedelta(days=ctx.rng.randint(0, 9)),
            "score": score,
            "passed": score >= session["pass_mark"],
        },
    )
