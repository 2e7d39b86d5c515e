"""Helpers for the delegation assessment tests: a tiny named world and a one-call run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from powerlist.db import session_scope
from powerlist.jobs import JobSpec
from powerlist.models import (
    Delegation,
    Department,
    HandlingStat,
    PowerItem,
    ReceivingUnit,
    Staff,
    TrainingRecord,
    TrainingRequirement,
)
from powerlist.periods import parse_period
from powerlist.runtime.runner import run_in_process, start_run
from powerlist.runtime.steps import Limits


@dataclass(frozen=True)
class Finished:
    """A run the real in-process runner completed: its id, status, summary and folder."""

    run_id: int
    status: str
    summary: dict[str, Any]
    folder: Path
    error: str | None


def run_job(
    engine: Engine, spec: JobSpec, period: str, reports_root: Path, scope: str = "all"
) -> Finished:
    """Run `spec` for `period` with the runtime's in-process runner (re-runs are forced)."""
    claim = start_run(engine, spec.name, period, scope, trigger="test", force=True)
    view = run_in_process(engine, claim, limits=LIMITS, reports_root=reports_root)
    folder = reports_root / spec.name / parse_period(period).label / scope
    return Finished(view.id, view.status, view.summary or {}, folder, view.error)


LIMITS = Limits(max_attempts=1, lease=120, heartbeat=5, backoff_max=0)
"""One attempt per step: a test's failure shows at once instead of after retries."""


@dataclass
class World:
    """A hand-made city: one department (市林草局), units (青山区, 东河区) and their staff."""

    engine: Engine
    ids: dict[str, int] = field(default_factory=dict)
    delegations: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, row: Any) -> int:
        with session_scope(self.engine) as session:
            session.add(row)
            session.flush()
            self.ids[key] = row.id
        return row.id

    def delegation(
        self,
        key: str,
        *,
        unit: str = "qingshan",
        category: str = "行政许可",
        mode: str = "下放",
        since: date = date(2024, 1, 1),
        revoked_on: date | None = None,
        agreement: str | None = "包府发〔2024〕1号",
        department: str = "forestry",
    ) -> int:
        item = self.add(
            f"item-{key}",
            PowerItem(
                code=f"XK-{key}",
                name=f"事项{key}",
                category=category,
                department_id=self.ids[department],
                status=mode,
            ),
        )
        self.delegations[key] = self.add(
            f"delegation-{key}",
            Delegation(
                item_id=item,
                from_department_id=self.ids[department],
                unit_id=self.ids[unit],
                mode=mode,
                since=since,
                revoked_on=revoked_on,
                agreement=agreement,
            ),
        )
        return self.delegations[key]

    def month(self, key: str, month: date, **counts: int) -> None:
        received = counts.setdefault("received", 0)
        counts.setdefault("completed", received)
        counts.setdefault("overdue", 0)
        counts.setdefault("on_time", counts["completed"] - counts["overdue"])
        with session_scope(self.engine) as session:
            session.add(HandlingStat(delegation_id=self.delegations[key], month=month, **counts))

    def months(self, key: str, first: date, count: int, **counts: int) -> None:
        month = first
        for _ in range(count):
            self.month(key, month, **counts)
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)

    def staff(self, unit: str, credentialed: int, others: int = 0, hours: float = 20.0) -> None:
        with session_scope(self.engine) as session:
            people = [
                Staff(
                    unit_id=self.ids[unit],
                    staff_no=f"{unit}-{n}",
                    name=f"人员{n}",
                    role="执法人员" if n < credentialed else "窗口人员",
                    credential_no=f"蒙{n:04d}" if n < credentialed else None,
                )
                for n in range(credentialed + others)
            ]
            session.add_all(people)
            session.flush()
            for person in people:
                session.add(
                    TrainingRecord(
                        staff_id=person.id,
                        requirement_id=self.ids["TR-DELEG"],
                        completed_on=date(2026, 3, 10),
                        hours=hours,
                    )
                )


def make_world(engine: Engine) -> World:
    """The department, two receiving units and the TR-DELEG requirement (20 h a year)."""
    world = World(engine)
    world.add("forestry", Department(code="d01", name="包头市林业和草原局", level="市"))
    world.add("water", Department(code="d02", name="包头市水务局", level="市"))
    for key, name, district in (
        ("qingshan", "青山区林业和草原局", "青山区"),
        ("donghe", "东河区河东镇人民政府", "东河区"),
    ):
        world.add(
            key, ReceivingUnit(code=f"u-{key}", name=name, district=district, kind="行政机关")
        )
    world.add(
        "TR-DELEG",
        TrainingRequirement(
            code="TR-DELEG", name="承接事项业务培训", kind="培训", every_months=12,
            hours_per_year=20.0,
        ),
    )  # fmt: skip
    return world
