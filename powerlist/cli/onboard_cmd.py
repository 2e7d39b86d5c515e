"""`powerlist templates` and `powerlist check`: a city's first day (blank templates, readiness)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from powerlist.cli.output import print_json


def templates(
    out: Path = typer.Option(Path("模板"), "--out", help="Folder for the templates."),
) -> None:
    """Write a blank import template per kind (填表说明 sheet, drop-downs, required columns ＊)."""
    from powerlist.imports.templates import write_templates

    for path in write_templates(out):
        typer.echo(str(path))


def register(app: typer.Typer) -> None:
    """Add the onboarding commands to `app`."""
    app.command("templates")(templates)
    app.command("check")(check)


def check(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of objects."),
) -> None:
    """Whether each job can run on complete data; exit 0 when all can, 1 otherwise."""
    from powerlist.db import session_scope
    from powerlist.readiness import check_readiness
    from powerlist.settings import get_settings

    with session_scope() as session:
        found = check_readiness(session, datetime.now(ZoneInfo(get_settings().timezone)).date())
    if as_json:
        print_json([job.as_dict() for job in found])
    else:
        for job in found:
            typer.echo(f"{job.title}（{job.job}）：{'就绪' if job.ready else '未就绪'}")
            for problem in job.problems:
                typer.echo(f"  - {problem}")
    if not all(job.ready for job in found):
        raise typer.Exit(1)
