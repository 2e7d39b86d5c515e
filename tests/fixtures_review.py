"""Shared helpers of the review tests: a tiny named world and a way to run the job's contract.

The world: 包头市生态环境局 (sthjj) with one item per defect, 包头市环境保护局 (hbj) merged
into it, and a clean 包头市林业和草原局 (lcj). `run_job` plays the runtime: it creates the
Run row and calls the JobSpec's plan, run_unit and finish in order.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import Engine, select

from powerlist import db
from powerlist.jobs import RunContext, get_job
from powerlist.models import (
    Delegation,
    Department,
    ItemBasis,
    LegalBasis,
    PowerItem,
    ReceivingUnit,
    Run,
    UpperCatalogEntry,
)
from powerlist.periods import parse_period
from powerlist.review import job as review_job

AS_OF = date(2026, 11, 1)
REVIEWED = date(2026, 3, 1)


def at_as_of() -> time_machine.travel:
    """Freeze the clock on the review's reference day (Asia/Shanghai noon)."""
    return time_machine.travel(datetime(2026, 11, 1, 12, tzinfo=ZoneInfo("Asia/Shanghai")))


def _law(title: str, level: str, status: str, **dates: Any) -> LegalBasis:
    return LegalBasis(title=f"《{title}》", doc_number="", level=level, status=status, **dates)


def build_world(engine: Engine) -> dict[str, int]:
    """Insert the tiny world; returns item ids by letter and department ids by code."""
    with db.session_scope(engine) as s:
        sthjj = Department(
            code="sthjj", name="包头市生态环境局", short_name="生态环境局", level="市"
        )
        lcj = Department(
            code="lcj", name="包头市林业和草原局", short_name="林业和草原局", level="市"
        )
        s.add_all([sthjj, lcj])
        s.flush()
        hbj = Department(
            code="hbj",
            name="包头市环境保护局",
            short_name="环境保护局",
            level="市",
            active=False,
            merged_into_id=sthjj.id,
            abolished_on=date(2024, 3, 1),
        )
        s.add(hbj)
        new_plan = _law("中华人民共和国城乡规划法", "法律", "现行有效")
        s.add(new_plan)
        s.flush()
        laws = {
            "env": _law("中华人民共和国环境保护法", "法律", "现行有效"),
            "air": _law("中华人民共和国大气污染防治法", "法律", "已修改",
                        amended_on=date(2026, 6, 1)),
            "old": _law("中华人民共和国城市规划法", "法律", "已废止",
                        repealed_on=date(2008, 1, 1), superseded_by_id=new_plan.id),
            "dust": _law("包头市扬尘管理办法", "规范性文件", "现行有效"),
            "dog": _law("包头市养犬管理条例", "地方性法规", "尚未生效",
                        effective_on=date(2027, 1, 1)),
            "rule": _law("内蒙古自治区环境保护规定", "地方政府规章", "现行有效"),
        }  # fmt: skip
        s.add_all(laws.values())
        s.flush()
        spec = [  # letter, department, code, name, category, laws, status, extra
            ("A", sthjj, "CF001", "对排放大气污染物超标的处罚", "行政处罚", ["env"], "保留", {}),
            ("B", sthjj, "CF002", "对违法建设的处罚", "行政处罚", ["old"], "保留", {}),
            ("C", sthjj, "CF003", "对扬尘污染的处罚", "行政处罚", ["air"], "保留",
             {"last_reviewed_on": date(2026, 2, 1)}),
            ("D", sthjj, "XK001", "建筑垃圾处置许可", "行政许可", ["dust"], "保留", {}),
            ("E", sthjj, "CF004", "对未申报排污的处罚", "行政处罚", [], "保留", {}),
            ("F", sthjj, "CF001", "对超标排放的处罚", "行政处罚", ["env"], "保留", {}),
            ("G", sthjj, "JC001", "对排污单位的检查", "行政检查", ["env"], "保留",
             {"responsibilities": None}),
            ("H", sthjj, "CF006", "对噪声扰民的处罚", "行政处罚", ["env"], "保留",
             {"last_reviewed_on": date(2024, 5, 1)}),
            ("I", sthjj, "CF007", "对餐饮油烟的处罚", "行政处罚", ["env"], "下放", {}),
            ("J", sthjj, "CF008", "对已取消事项的处罚", "行政处罚", [], "取消", {}),
            ("M", sthjj, "CF009", "对养犬扰民的处罚", "行政处罚", ["dog", "env"], "保留", {}),
            ("N", sthjj, "CF010", "对违规处置固废的处罚", "行政处罚", ["rule"], "保留", {}),
            ("K", hbj, "CF101", "对夜间施工噪声的处罚", "行政处罚", ["env"], "保留", {}),
            ("L", lcj, "XK201", "林木采伐许可", "行政许可", ["env"], "保留", {}),
        ]  # fmt: skip
        ids: dict[str, int] = {"sthjj": sthjj.id, "lcj": lcj.id, "hbj": hbj.id}
        for letter, department, code, name, category, cited, status, extra in spec:
            values = {"last_reviewed_on": REVIEWED, "responsibilities": "受理、审查、决定、送达",
                      "accountability": "不履行或不正确履行职责的，依法追责", **extra}  # fmt: skip
            item = PowerItem(code=code, name=name, category=category, status=status,
                             department_id=department.id, unit="执法科", version=1,
                             **values)  # fmt: skip
            s.add(item)
            s.flush()
            ids[letter] = item.id
            for key in cited:
                s.add(ItemBasis(item_id=item.id, basis_id=laws[key].id, articles="第十条"))
        unit = ReceivingUnit(code="u001", name="青山区生态环境分局", district="青山区",
                             kind="旗县区部门")  # fmt: skip
        s.add(unit)
        s.flush()
        delegation = Delegation(item_id=ids["I"], from_department_id=sthjj.id, unit_id=unit.id,
                                mode="下放", since=date(2022, 1, 1),
                                agreement="包府发〔2022〕1号")  # fmt: skip
        s.add(delegation)
        s.flush()
        ids["delegation"] = delegation.id
        s.add_all([
            UpperCatalogEntry(code="JC001", name="对排污单位的检查", category="行政检查",
                              department_name="包头市生态环境局", decision="取消",
                              decision_document="内政发〔2025〕12号", decided_on=date(2025, 9, 30)),
            UpperCatalogEntry(code="XK009", name="入河排污口设置审核", category="行政许可",
                              department_name="包头市生态环境局", decision="保留",
                              decision_document="国办发〔2025〕5号"),
        ])  # fmt: skip
    return ids


def run_job(engine: Engine, period: str, scope: str, reports_dir: Path) -> dict[str, Any]:
    """Play the runtime for the registered yearly_review job: Run row, plan, units, finish."""
    spec = get_job(review_job.JOB_NAME)
    parsed = parse_period(period)
    spec.check_period(parsed)
    with db.session_scope(engine) as s:
        run = s.scalars(
            select(Run).where(Run.job == spec.name, Run.period == period, Run.scope == scope)
        ).one_or_none()
        if run is None:
            run = Run(job=spec.name, period=period, scope=scope, trigger="test")
            s.add(run)
            s.flush()
        run_id = run.id
    context = RunContext(run_id, spec.name, parsed, scope, reports_dir)
    with db.session_scope(engine) as s:
        units = spec.plan(s, context)
    for unit in units:
        with db.session_scope(engine) as s:
            spec.run_unit(s, context, unit)
    with db.session_scope(engine) as s:
        summary = spec.finish(s, context)
    return {"run_id": run_id, "units": units, **summary}
