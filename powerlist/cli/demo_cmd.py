"""`powerlist demo`: build the demo city (or province) in the configured database."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer

from powerlist.cli.errors import fail
from powerlist.cli.output import print_json

if TYPE_CHECKING:
    from powerlist.demo.generate import DemoCity


class Scale(StrEnum):
    """How big a demo to build."""

    city = "city"
    province = "province"


def demo(
    seed: int = typer.Option(2026, help="Random seed; the same seed builds the same data."),
    scale: Scale = typer.Option(
        Scale.city,
        help="city（包头市规模，6,834 项事项）或 province（自治区规模，约 50 万项，用于基准测试）",
    ),
    reset: bool = typer.Option(False, "--reset", help="Delete all existing data first."),
    yes: bool = typer.Option(
        False, "--yes", help="Do not ask before resetting a non-SQLite database."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Build a realistic demo city with the defects a real list has, in the configured database."""
    from sqlalchemy.engine import make_url

    from powerlist import db
    from powerlist.demo.generate import generate_city, generate_province
    from powerlist.demo.load import DatabaseNotEmpty, load_demo
    from powerlist.settings import get_settings
    from powerlist.summary import dataset_summary, headline_figures

    url = get_settings().database_url
    if reset and make_url(url).get_backend_name() != "sqlite" and not yes:
        typer.confirm(
            f"--reset deletes ALL data in {make_url(url).render_as_string()}. Continue?", abort=True
        )
    started = time.perf_counter()
    db.upgrade(url)
    engine = db.default_engine()
    planted: Counter[str] = Counter()

    def counted(chunks: Iterable[DemoCity]) -> Iterator[DemoCity]:
        for chunk in chunks:
            planted.update(chunk.planted)
            yield chunk

    source = [generate_city(seed)] if scale is Scale.city else generate_province(seed)
    try:
        load_demo(engine, counted(source), reset=reset)
    except DatabaseNotEmpty as error:
        fail(f"没有写入任何数据：{error}")
    with db.session_scope(engine) as session:
        summary = dataset_summary(session)
        summary["headline"] = headline_figures(session)
    summary["planted_defects"] = dict(sorted(planted.items()))
    summary["seconds"] = round(time.perf_counter() - started, 1)
    if as_json:
        print_json(summary)
    else:
        _print_summary(summary)


SUMMARY_ZH = {
    "departments": "部门",
    "departments_active": "在用部门",
    "items": "事项",
    "items_by_status": "事项按状态",
    "items_cancelled_delegated_entrusted": "取消、下放和委托事项",
    "items_by_type": "事项按权力类型",
    "legal_bases_by_status": "法律依据按时效",
    "upper_catalog_by_decision": "上级目录按意见",
    "receiving_units": "承接单位",
    "delegations": "下放委托",
    "handling_stat_months": "办件统计（单位月）",
    "staff": "承接人员",
    "training_records": "培训记录",
    "exam_results": "考试成绩",
    "planted_defects": "预置问题",
    "seconds": "用时（秒）",
}


PLANTED_ZH = {
    "merged_departments": "已合并部门",
    "items_of_merged_departments": "已合并部门的事项",
    "no_basis": "无实施依据",
    "repealed_basis": "依据已废止",
    "not_yet_effective_basis": "依据尚未生效",
    "basis_level_too_low": "依据效力层级不足",
    "basis_amended_since_review": "依据在上次审核后修改",
    "stale_review": "超期未审核",
    "missing_responsibility": "缺少责任事项",
    "duplicate_code": "事项编码重复",
    "duplicate_name": "事项名称重复",
    "catalog_cancelled_still_held": "上级已取消仍在列",
    "catalog_delegated_still_held": "上级已下放仍在列",
    "catalog_item_missing": "上级目录事项缺失",
    "revoked_delegation": "已收回的下放委托",
    "entrustment_without_agreement": "委托无协议",
    "delegation_zero": "零办件下放委托",
    "delegation_poor": "办理不佳的下放委托",
    "delegation_normal": "正常的下放委托",
    "handling_months_missing": "缺少办件月报",
    "unit_understaffed": "承接单位人员不足",
    "staff_training_overdue": "培训逾期人员",
    "exam_resit_pending": "待补考人员",
}


def _print_summary(summary: dict[str, Any]) -> None:
    """One Chinese line per figure (the --json output keeps the English keys for scripts)."""
    from powerlist.summary import headline_table

    typer.echo(
        "示范数据已生成（包头市规模）："
        if summary["items"] < 50_000
        else "示范数据已生成（自治区规模）："
    )
    headline = summary.pop("headline")
    for key, value in summary.items():
        label = SUMMARY_ZH.get(key, key)
        if isinstance(value, dict):
            names = PLANTED_ZH if key == "planted_defects" else {}
            inner = "，".join(f"{names.get(k, k)} {v}" for k, v in value.items())
            typer.echo(f"  {label}：{inner}")
        else:
            typer.echo(f"  {label}：{value}")
    typer.echo("清单总览（事项数，合并部门的事项计入承继部门）：")
    for line in headline_table(headline, departments=summary["items"] < 50_000):
        typer.echo(f"  {line}")
