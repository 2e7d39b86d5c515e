"""One department through a whole adjustment round, on SQLite and PostgreSQL.

Review → 部门意见 upload → the office's 审核意见 with 同意/不同意/退回修改 → the adjusted list shows
exactly the approved changes with their reasons; a 收回 of one of two delegations ends only
that one, and the next assessment no longer scores it. Every workbook is re-opened with openpyxl.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import Engine, select

from powerlist import db
from powerlist.assessment.assess import assess_department
from powerlist.assessment.config import load_config
from powerlist.assessment.load import load_department
from powerlist.models import Delegation, PowerItem, ReceivingUnit
from powerlist.periods import parse_period
from powerlist.review.decisions import import_decisions
from powerlist.review.export import export_list
from powerlist.review.verdicts import import_verdicts, write_verdict_workbook
from tests.fixtures_review import at_as_of, build_world, run_job
from tests.sheet_table import HEADER_ROW, header_of
from tests.test_review_decisions import WORKBOOK, decide, fill


def rows(path: Path, sheet: str) -> list[tuple[object, ...]]:
    first = HEADER_ROW + 1
    return list(load_workbook(path)[sheet].iter_rows(min_row=first, values_only=True))


def test_one_department_through_a_whole_round(engine: Engine, tmp_path: Path) -> None:
    ids = build_world(engine)
    with db.session_scope(engine) as s:  # CF007 is handed to a second unit as well
        unit = ReceivingUnit(code="u002", name="东河区生态环境分局", district="东河区",
                             kind="旗县区部门")  # fmt: skip
        s.add(unit)
        s.flush()
        s.add(Delegation(item_id=ids["I"], from_department_id=ids["sthjj"], unit_id=unit.id,
                         mode="下放", since=date(2023, 1, 1)))  # fmt: skip
    with at_as_of():
        run_id = run_job(engine, "2026", "all", tmp_path / "out")["run_id"]
    filled = fill(tmp_path / "out" / WORKBOOK, tmp_path / "部门意见.xlsx", {
        "CF004": ("取消", "无法律依据", "包府办发〔2026〕8号"),
        "CF003": ("取消", "与CF001重复", "包府办发〔2026〕8号"),
        "CF006": ("保留", ""),
    }, {"青山区生态环境分局": ("收回", "年度评估不合格")})  # fmt: skip
    with at_as_of(), db.session_scope(engine) as s:
        assert import_decisions(s, filled, actor="liaison").applied == 4
        office = write_verdict_workbook(s, run_id, tmp_path / "office").path
    listed = rows(office, "审核意见")
    assert sorted((r[2], r[4] or "") for r in listed) == [
        ("CF003", ""), ("CF004", ""), ("CF006", ""), ("CF007", "青山区生态环境分局"),
    ]  # fmt: skip
    decided = decide(office, tmp_path / "审核意见.xlsx", {
        "CF004": ("同意", ""), "CF007": ("同意", ""),
        "CF003": ("不同意", "处罚情形不同，不属重复"), "CF006": ("退回修改", "请补充保留依据"),
    })  # fmt: skip
    with at_as_of(), db.session_scope(engine) as s:
        outcome = import_verdicts(s, decided, actor="fzb")
    assert (outcome.approved, outcome.rejected, outcome.returned) == (2, 1, 1)

    with at_as_of(), db.session_scope(engine) as s:
        result = export_list(s, 2026, tmp_path / "published")
        statuses = {i.code: i.status for i in s.scalars(select(PowerItem))}
        ended = {
            d.unit_id: d.revoked_on
            for d in s.scalars(select(Delegation).where(Delegation.item_id == ids["I"]))
        }
    assert statuses["CF004"] == "取消" and statuses["CF003"] == "保留"
    assert statuses["CF007"] == "下放" and statuses["CF006"] == "保留"
    assert sorted(ended.values(), key=str) == [date(2026, 11, 1), None]
    books = result.catalogues.path
    changes = {(r[0], r[1], r[7]) for r in rows(books, "调整对照")}
    assert changes == {
        ("取消", "CF004", "取消"),
        ("收回", "CF007", "收回：青山区生态环境分局（2026-11-01）"),
    }
    cancelled = {r[2]: r[10] for r in rows(books, "取消事项目录")}
    assert (
        cancelled["CF004"]
        == "取消理由：无法律依据；依据：包府办发〔2026〕8号；取消日期：2026-11-01"
    )
    handed = {r[2]: r[10] for r in rows(books, "下放和委托事项目录")}
    assert handed == {"CF007": "下放至东河区生态环境分局"}
    assert {r[2] for r in rows(result.workbook.path, "权责清单")} == {
        code for code, status in statuses.items() if status != "取消"
    }

    with at_as_of():
        run_job(engine, "2026", "all", tmp_path / "next")
    nxt = tmp_path / "next" / WORKBOOK
    assert [r[4] for r in rows(nxt, "下放事项")] == ["东河区生态环境分局"]
    header = header_of(load_workbook(nxt)["审核事项"])
    returned = {r[1]: r[header.index("上次审核结果")] for r in rows(nxt, "审核事项")}
    assert returned["CF006"] == "退回修改（原意见：保留）：请补充保留依据"

    config = load_config()
    with db.session_scope(engine) as s:
        for label, as_of, units in (
            ("2026-Q4", date(2027, 1, 10), {"青山区生态环境分局", "东河区生态环境分局"}),
            ("2027-Q1", date(2027, 4, 10), {"东河区生态环境分局"}),
        ):
            period = parse_period(label)
            facts = load_department(s, "sthjj", [period, period.previous()], as_of,
                                    config.targets.training_requirement)  # fmt: skip
            scored = assess_department(facts, period, as_of, config)
            assert {a.delegation.unit_name for a in scored} == units, label
