"""Fixtures for the training reminders: a tiny named world, a job runner, SMTP and HTTP servers.

The world: 青山区司法局 (unit u-qs, head 王主任) receives powers entrusted by 市司法局; its staff
are alice (执法人员), bob (窗口人员) and carol (负责人); one requirement TR-T, every 12 months
from the last completion. The runner stands in for the runtime (which is not in this branch):
it creates a Run row and calls the job's plan, run_unit and finish, each in its own session.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from openpyxl import load_workbook
from sqlalchemy import Engine

from powerlist.db import session_scope
from powerlist.jobs import RunContext
from powerlist.models import (
    Delegation,
    Department,
    PowerItem,
    ReceivingUnit,
    Run,
    Staff,
    TrainingRecord,
    TrainingRequirement,
)
from powerlist.periods import PeriodKind, period_containing
from powerlist.settings import get_settings
from powerlist.training import job
from tests.sheet_table import HEADER_ROW, table_rows

TEST_TRAINING_TOML = """
[[requirement]]
code = "TR-T"
name = "承接事项业务培训"
kind = "培训"
every_months = 12
hours_per_year = 20.0
counts_from = "last_completion"
first_due = 2026-03-31

[stages]
before = [30, 7]
on_due = true
overdue_every_days = 7
escalate_after_days = 14
due_soon_days = 30
"""


@dataclass
class World:
    """Ids of the tiny world's rows."""

    unit_id: int
    requirement_id: int
    staff: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def training_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the training config at the one-requirement test file; settings re-read."""
    config = tmp_path / "training.toml"
    config.write_text(TEST_TRAINING_TOML, encoding="utf-8")
    monkeypatch.setenv("POWERLIST_TRAINING_FILE", str(config))
    monkeypatch.delenv("POWERLIST_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("POWERLIST_WORKDAY_OVERRIDES", raising=False)
    get_settings.cache_clear()
    yield config
    get_settings.cache_clear()


def build_world(engine: Engine, completions: dict[str, date | None]) -> World:
    """The tiny world; `completions` gives each person's last TR-T completion (None: never)."""
    with session_scope(engine) as session:
        dept = Department(
            code="sfj", name="市司法局", level="市", contact_email="sfj@example.gov.cn"
        )
        unit = ReceivingUnit(
            code="u-qs",
            name="青山区司法局",
            district="青山区",
            kind="旗县区部门",
            head_name="王主任",
            head_email="head@qs.example.gov.cn",
        )
        requirement = TrainingRequirement(
            code="TR-T", name="承接事项业务培训", kind="培训", every_months=12, hours_per_year=20
        )
        session.add_all([dept, unit, requirement])
        session.flush()
        item = PowerItem(
            code="X1", name="对某违法行为的处罚", category="行政处罚", department_id=dept.id
        )
        session.add(item)
        session.flush()
        session.add(
            Delegation(
                item_id=item.id,
                from_department_id=dept.id,
                unit_id=unit.id,
                mode="委托",
                since=date(2025, 1, 1),
            )
        )
        world = World(unit.id, requirement.id)
        roles = {"alice": "执法人员", "bob": "窗口人员", "carol": "负责人"}
        for number, (name, done) in enumerate(completions.items(), 1):
            person = Staff(
                unit_id=unit.id,
                staff_no=f"S{number:03d}",
                name=name,
                role=roles.get(name, "执法人员"),
                email=f"{name}@qs.example.gov.cn",
                phone=f"1381234{number:04d}",
            )
            session.add(person)
            session.flush()
            world.staff[name] = person.id
            if done is not None:
                session.add(
                    TrainingRecord(
                        staff_id=person.id,
                        requirement_id=requirement.id,
                        completed_on=done,
                        hours=20,
                    )
                )
    return world


def complete(engine: Engine, world: World, name: str, day: date) -> None:
    """Record that `name` completed TR-T on `day`."""
    with session_scope(engine) as session:
        session.add(
            TrainingRecord(
                staff_id=world.staff[name],
                requirement_id=world.requirement_id,
                completed_on=day,
                hours=20,
            )
        )


def run_day(engine: Engine, day: date, reports_dir: Path, scope: str = "all") -> dict[str, Any]:
    """Run training_reminders for `day` like the runtime would: ledger row, plan, units, finish."""
    period = period_containing(day, PeriodKind.DAY)
    job.check_period(period)
    with session_scope(engine) as session:
        run = Run(job=job.JOB, period=period.label, scope=scope, status="running")
        session.add(run)
        session.flush()
        run_id = run.id
    ctx = RunContext(run_id, job.JOB, period, scope, reports_dir / period.label)
    with session_scope(engine) as session:
        units = job.plan(session, ctx)
    for code in units:
        with session_scope(engine) as session:
            job.run_unit(session, ctx, code)
    with session_scope(engine) as session:
        summary = job.finish(session, ctx)
    with session_scope(engine) as session:
        stored = session.get(Run, run_id)
        assert stored is not None
        stored.status, stored.summary = "succeeded", summary
    return summary


class _Blank:
    """An empty cell as a spreadsheet sees it: equal to "" and 0 in arithmetic."""

    def __eq__(self, other: object) -> bool:
        return other in ("", 0)

    def __hash__(self) -> int:
        return 0

    def __sub__(self, other: int) -> int:
        return -other

    def __rsub__(self, other: int) -> int:
        return other

    def __ge__(self, other: int) -> bool:
        return other <= 0

    def __lt__(self, other: int) -> bool:
        return other > 0

    def __gt__(self, other: int) -> bool:
        return other < 0

    def __le__(self, other: int) -> bool:
        return other >= 0


class _Cells(dict[str, object]):
    """Cell values by reference; a reference not given is an empty cell."""

    def __missing__(self, key: str) -> object:
        return _Blank()


def _serial(value: object) -> object:
    if value is None:
        return _Blank()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return _day(value).toordinal()


def formula_value(formula: str, cells: dict[str, object], today: date) -> object:
    """Evaluate one of our IF/TODAY() formulas on `today` like a spreadsheet would.

    `cells` maps the references it reads (e.g. "H2") to their values (dates, or None = empty).
    """
    assert formula.startswith("=")
    serial = _Cells({ref: _serial(v) for ref, v in cells.items()})
    expr = formula[1:].replace("TODAY()", str(today.toordinal()))
    expr = re.sub(r"(?<![<>=!])=(?!=)", "==", expr)
    expr = re.sub(r"\b([A-Z]+[0-9]+)\b", lambda m: f"cell[{m.group(1)!r}]", expr)
    functions = {
        "IF": lambda c, a, b: a if c else b,
        "AND": lambda *a: all(a),
        "OR": lambda *a: any(a),
        "ISNUMBER": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    }
    return eval(expr, {**functions, "cell": serial})


def _day(value: object) -> date:
    return value.date() if isinstance(value, datetime) else value  # type: ignore[return-value]


def roster_statuses(path: str, today: date) -> dict[str, tuple[object, object]]:
    """name → (状态 as a spreadsheet shows it on `today`, 到期日) from a roster workbook."""
    book = load_workbook(path)
    rows = table_rows(book["花名册"])
    header = list(rows[0])
    due, status = header.index("到期日"), header.index("状态")
    found = {}
    for number, row in enumerate(rows[1:], start=HEADER_ROW + 1):
        formula = str(row[status])
        hours, target = header.index("近12个月学时"), header.index("年度目标学时")
        cells = {f"H{number}": row[due], f"J{number}": row[hours], f"K{number}": row[target]}
        shown = formula_value(formula, cells, today)
        found[str(row[header.index("姓名")])] = (shown, row[due])
    return found


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpInbox:
    """Messages a local SMTP server received, and a switch to make it refuse them."""

    host: str
    port: int
    messages: list[Any] = field(default_factory=list)
    refuse: bool = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """aiosmtpd hook: keep the message, or answer 451 when refusing."""
        if self.refuse:
            return "451 4.3.0 try again later"
        self.messages.append(envelope)
        return "250 OK"

    def recipients(self) -> list[str]:
        """Every envelope recipient, in arrival order."""
        return [to for envelope in self.messages for to in envelope.rcpt_tos]


@pytest.fixture
def smtp_inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpInbox]:
    """A real SMTP server on a free local port; POWERLIST_SMTP_* point at it."""
    inbox = SmtpInbox("127.0.0.1", free_port())
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port)
    controller.start()
    monkeypatch.setenv("POWERLIST_SMTP_HOST", inbox.host)
    monkeypatch.setenv("POWERLIST_SMTP_PORT", str(inbox.port))
    get_settings.cache_clear()
    yield inbox
    controller.stop()
    get_settings.cache_clear()


@dataclass
class WebhookInbox:
    """JSON bodies a local HTTP robot received; `answers` scripts its replies."""

    url: str = ""
    bodies: list[dict[str, Any]] = field(default_factory=list)
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@pytest.fixture
def webhook_inbox() -> Iterator[WebhookInbox]:
    """A real HTTP server that answers like a WeCom robot ({"errcode": 0})."""
    inbox = WebhookInbox()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            inbox.bodies.append(json.loads(self.rfile.read(length)))
            status, answer = inbox.answers.pop(0) if inbox.answers else (200, {"errcode": 0})
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    inbox.url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=SECRET"
    yield inbox
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Set POWERLIST_* variables for one test; settings are re-read now and after the test."""

    def set_env(**values: str | None) -> None:
        for name, value in values.items():
            if value is None:
                monkeypatch.delenv(f"POWERLIST_{name.upper()}", raising=False)
            else:
                monkeypatch.setenv(f"POWERLIST_{name.upper()}", value)
        get_settings.cache_clear()

    yield set_env
    get_settings.cache_clear()
