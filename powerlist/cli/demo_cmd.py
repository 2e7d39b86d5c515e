"""`powerlist demo`: build the demo city (or province) in the configured database."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import Any

import typer
from sqlalchemy.engine import make_url

from powerlist import db
from powerlist.cli.output import print_json
from powerlist.demo.generate import DemoCity, generate_city, generate_province
from powerlist.demo.load import DatabaseNotEmpty, load_demo
from powerlist.settings import get_settings
from powerlist.summary import dataset_summary, headline_figures, headline_table


class Scale(StrEnum):
    """How big a demo to build."""

    city = "city"
    province = "province"


def demo(
    seed: int = typer.Option(2026, help="Random seed; the same seed builds the same data."),
    scale: Scale = typer.Option(
        Scale.city, help="city: Baotou (6,834 items); province: ~500,000 items for benchmarks."
    ),
    reset: bool = typer.Option(False, "--reset", help="Delete all existing data first."),
    yes: bool = typer.Option(
        False, "--yes", help="Do not ask before resetting a non-SQLite database."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Build a realistic demo city with the defects a real list has, in the configured database."""
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
        typer.echo(f"没有写入任何数据：{error}", err=True)
        raise typer.Exit(2) from error
    with db.session_scope(engine) as session:
        summary = dataset_summary(session)
        summary["headline"] = headline_figures(session)
    summary["planted_defects"] = dict(sorted(planted.items()))
    summary["seconds"] = round(time.perf_counter() - started, 1)
    if as_json:
        print_json(summary)
    else:
        _print_summary(summary)


def _print_summary(summary: dict[str, Any]) -> None:
    typer.echo(
        "示范数据已生成（包头市规模）："
        if summary["items"] < 50_000
        else "示范数据已生成（自治区规模）："
    )
    headline = summary.pop("headline")
    for key, value in summary.items():
        if isinstance(value, dict):
            inner = "，".join(f"{k} {v}" for k, v in value.items())
            typer.echo(f"  {key}: {inner}")
        else:
            typer.echo(f"  {key}: {value}")
    typer.echo("清单总览（事项数，合并部门的事项计入承继部门）：")
    for line in headline_table(headline, departments=summary["items"] < 50_000):
        typer.echo(f"  {line}")
