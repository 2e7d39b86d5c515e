"""What the training workbooks show: roster rows per unit, the city summary, masked contacts.

Pure functions from rosters to `powerlist.excel` table sheets; `workbooks` writes them. The
city-level tables mask phone numbers and e-mail addresses (personal data leaves the unit
only masked).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from powerlist.excel import BAD, FIRST_DATA_ROW, GOOD, WARN, Column, Formula, TableSheet
from powerlist.training.config import Stages
from powerlist.training.roster import RosterLine, UnitRoster
from powerlist.training.stages import Status

STATUS_COLORS = {
    Status.DONE.value: GOOD,
    Status.DUE_SOON.value: WARN,
    Status.OVERDUE.value: BAD,
    Status.ESCALATED.value: "FF9B9B",
    Status.INCOMPLETE.value: WARN,  # a deeper red than 已逾期: already reported upwards
}


def mask_phone(phone: str | None) -> str:
    """13812345678 → 138****5678; anything short is fully masked."""
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_email(email: str | None) -> str:
    """s0000012@example.gov.cn → s***2@example.gov.cn (the domain stays for routing checks)."""
    if not email or "@" not in email:
        return ""
    local, domain = email.rsplit("@", 1)
    shown = local[0] + "***" + (local[-1] if len(local) > 2 else "")
    return f"{shown}@{domain}"


ROSTER_COLUMNS = (
    Column("工号"),
    Column("姓名"),
    Column("岗位"),
    Column("要求编码"),
    Column("培训考试要求", wrap=True),
    Column("类别"),
    Column("上次完成", kind="date"),
    Column("到期日", kind="date"),
    Column("状态", width=10, colors=STATUS_COLORS),
    Column("近12个月学时", kind="float"),
    Column("年度目标学时", kind="float"),
    Column("电子邮箱"),
)
DUE_COLUMN = "H"  # 到期日, which the 状态 formula reads


HOURS_COLUMN, TARGET_COLUMN = "J", "K"  # 近12个月学时 and 年度目标学时, which 状态 also reads


@lru_cache(maxsize=4096)  # the same row and thresholds give the same formula in every roster
def status_formula(row: int, stages: Stages) -> Formula:
    """状态 as a formula of the row's 到期日, 学时 and the day the file is opened (TODAY()).

    The same rule as `stages.status_of` and `stages.hours_status`, so the roster stays true on
    later days without being rewritten: a file only changes when the facts (people, dates,
    hours) change. A course whose hours fall short of the yearly target is 未完成 until due.
    """
    due = f"{DUE_COLUMN}{row}"
    hours, target = f"{HOURS_COLUMN}{row}", f"{TARGET_COLUMN}{row}"
    return Formula(
        f"=IF(AND(ISNUMBER({hours}),ISNUMBER({target}),{hours}<{target},"
        f'OR({due}="",{due}>=TODAY())),"{Status.INCOMPLETE.value}",'
        f'IF({due}="","{Status.DONE.value}",'
        f'IF({due}-TODAY()>{stages.due_soon_days},"{Status.DONE.value}",'
        f'IF({due}>=TODAY(),"{Status.DUE_SOON.value}",'
        f'IF(TODAY()-{due}>={stages.escalate_after_days},"{Status.ESCALATED.value}",'
        f'"{Status.OVERDUE.value}")))))'
    )


def roster_table(roster: UnitRoster, stages: Stages) -> TableSheet:
    """The unit's roster: one row per person and requirement; 状态 is computed on opening."""
    rows = [
        (
            line.staff_no,
            line.name,
            line.role,
            line.requirement.code,
            line.requirement.name,
            line.requirement.kind,
            line.last_done,
            line.due_on,
            status_formula(number, stages),
            line.hours_12_months,
            line.requirement.hours_per_year,
            line.email or "",
        )
        for number, line in enumerate(roster.lines, start=FIRST_DATA_ROW)
    ]
    return TableSheet("花名册", ROSTER_COLUMNS, rows)


def hours_table(roster: UnitRoster) -> TableSheet:
    """Per person: training hours of the last twelve months against the yearly target (学时)."""
    done: dict[tuple[str, str, str], float] = defaultdict(float)
    target: dict[tuple[str, str, str], float] = defaultdict(float)
    for line in roster.lines:
        if line.requirement.hours_per_year is None:
            continue
        key = (line.staff_no, line.name, line.role)
        done[key] += line.hours_12_months or 0.0
        target[key] += line.requirement.hours_per_year
    rows = [
        (*key, round(done[key], 1), target[key], _ratio(done[key], target[key])) for key in done
    ]
    columns = (
        Column("工号"),
        Column("姓名"),
        Column("岗位"),
        Column("近12个月学时", kind="float"),
        Column("目标学时", kind="float"),
        Column("完成比例", kind="percent"),
    )
    return TableSheet("学时统计", columns, rows)


@dataclass
class Tally:
    """Completion and exam counts over some roster lines."""

    lines: int = 0
    done: int = 0
    due_soon: int = 0
    overdue: int = 0
    escalated: int = 0
    examinees: int = 0
    passed: int = 0
    incomplete: int = 0  # 未完成: dates kept but fewer hours than the yearly target

    def add(self, line: RosterLine) -> None:
        """Count one roster line."""
        self.lines += 1
        self.done += line.status is Status.DONE
        self.due_soon += line.status is Status.DUE_SOON
        self.overdue += line.status is Status.OVERDUE
        self.escalated += line.status is Status.ESCALATED
        self.incomplete += line.status is Status.INCOMPLETE
        if line.exam_passed is not None:
            self.examinees += 1
            self.passed += line.exam_passed

    def merge(self, other: Tally) -> None:
        """Add another tally's counts to this one."""
        self.lines += other.lines
        self.done += other.done
        self.due_soon += other.due_soon
        self.overdue += other.overdue
        self.escalated += other.escalated
        self.incomplete += other.incomplete
        self.examinees += other.examinees
        self.passed += other.passed

    def cells(self) -> tuple[Any, ...]:
        """The tally as summary cells (counts and rates)."""
        return (
            self.lines,
            self.done,
            _ratio(self.done, self.lines),
            self.examinees,
            self.passed,
            _ratio(self.passed, self.examinees),
            self.due_soon,
            self.overdue,
            self.escalated,
            self.incomplete,
        )


TALLY_COLUMNS = (
    Column("应完成项", kind="int"),
    Column("已完成", kind="int"),
    Column("完成率", kind="percent"),
    Column("应考人数", kind="int"),
    Column("考试通过", kind="int"),
    Column("考试通过率", kind="percent"),
    Column("即将到期", kind="int"),
    Column("已逾期", kind="int"),
    Column("已上报", kind="int"),
    Column("学时不足", kind="int"),
)


UNIT_COLUMNS = (
    Column("单位编码"),
    Column("承接单位"),
    Column("旗县区"),
    Column("类型"),
    Column("人数", kind="int"),
)
OVERDUE_COLUMNS = (
    Column("承接单位"),
    Column("工号"),
    Column("姓名"),
    Column("岗位"),
    Column("培训考试要求", wrap=True),
    Column("到期日", kind="date"),
    Column("逾期天数", kind="int"),
    Column("状态", colors=STATUS_COLORS),
    Column("电子邮箱（脱敏）"),
    Column("手机号（脱敏）"),
)


class CityTables:
    """The city summary's tables, built up one roster at a time (rosters need not stay loaded)."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.unit_rows: list[tuple[Any, ...]] = []
        self.tallies: dict[str, Tally] = defaultdict(Tally)
        self.units: dict[str, int] = defaultdict(int)
        self.overdue_rows: list[tuple[Any, ...]] = []

    def add(self, roster: UnitRoster) -> None:
        """Count one unit's roster into every table."""
        tally = Tally()
        for line in roster.lines:
            tally.add(line)
            if line.due_on is not None and line.status in (Status.OVERDUE, Status.ESCALATED):
                self.overdue_rows.append(_overdue_row(roster, line, self.today))
        people = len({line.staff_id for line in roster.lines})
        head = (roster.code, roster.name, roster.district, roster.kind, people)
        self.unit_rows.append((*head, *tally.cells()))
        for dept in roster.entrusting:
            self.units[dept.name] += 1
            self.tallies[dept.name].merge(tally)

    def merge(self, other: CityTables) -> None:
        """Add the units counted by another CityTables (a batch of units) to this one."""
        self.unit_rows += other.unit_rows
        self.overdue_rows += other.overdue_rows
        for name, tally in other.tallies.items():
            self.tallies[name].merge(tally)
            self.units[name] += other.units[name]

    def to_json(self) -> str:
        """The counts as JSON (dates as ISO text), to hand from a unit step to the finish."""
        return json.dumps(
            {
                "units": self.unit_rows,
                "tallies": {name: asdict(tally) for name, tally in self.tallies.items()},
                "unit_counts": self.units,
                "overdue": [[*row[:5], row[5].isoformat(), *row[6:]] for row in self.overdue_rows],
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str, today: date) -> CityTables:
        """The counts `to_json` wrote."""
        data = json.loads(text)
        tables = cls(today)
        tables.unit_rows = [tuple(row) for row in data["units"]]
        for name, counts in data["tallies"].items():
            tables.tallies[name] = Tally(**counts)
        tables.units.update(data["unit_counts"])
        tables.overdue_rows = [
            (*row[:5], date.fromisoformat(row[5]), *row[6:]) for row in data["overdue"]
        ]
        return tables

    def unit_table(self) -> TableSheet:
        """Completion and exam pass rates per receiving unit."""
        return TableSheet("按承接单位", UNIT_COLUMNS + TALLY_COLUMNS, self.unit_rows)

    def department_table(self) -> TableSheet:
        """Completion and exam pass rates per delegating/entrusting department (谁委托、谁培训)."""
        rows = [
            (name, self.units[name], *self.tallies[name].cells()) for name in sorted(self.tallies)
        ]
        columns = (Column("委托/下放部门"), Column("承接单位数", kind="int"))
        return TableSheet("按委托部门", columns + TALLY_COLUMNS, rows)

    def overdue_table(self) -> TableSheet:
        """Everyone overdue, most overdue first, with masked contacts."""
        rows = sorted(self.overdue_rows, key=lambda row: (-row[6], row[0], row[1]))
        return TableSheet("逾期名单", OVERDUE_COLUMNS, rows)


def _overdue_row(roster: UnitRoster, line: RosterLine, today: date) -> tuple[Any, ...]:
    assert line.due_on is not None
    return (
        roster.name,
        line.staff_no,
        line.name,
        line.role,
        line.requirement.name,
        line.due_on,
        (today - line.due_on).days,
        line.status.value,
        mask_email(line.email),
        mask_phone(line.phone),
    )


@dataclass(frozen=True)
class EscalationRow:
    """An escalation that was sent: when, for whom, and how its delivery went."""

    sent_on: date
    unit: str
    staff_no: str
    name: str
    requirement: str
    due_on: date
    delivery: str


def escalation_table(escalations: Sequence[EscalationRow]) -> TableSheet:
    """Escalations to unit heads and entrusting departments (逾期上报记录)."""
    rows = [
        (e.sent_on, e.unit, e.staff_no, e.name, e.requirement, e.due_on, e.delivery)
        for e in escalations
    ]
    columns = (
        Column("上报日期", kind="date"),
        Column("承接单位"),
        Column("工号"),
        Column("姓名"),
        Column("培训考试要求", wrap=True),
        Column("到期日", kind="date"),
        Column("送达状态"),
    )
    return TableSheet("逾期上报", columns, rows)


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None
