"""`powerlist decisions import FILE` and `powerlist list export --year 2026` (yearly review)."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist import db
from powerlist.cli.errors import fail
from powerlist.cli.output import print_json
from powerlist.models import Run
from powerlist.review.decisions import DecisionImportError, import_decisions
from powerlist.review.export import export_list
from powerlist.settings import get_settings

decisions_app = typer.Typer(
    help="Department decisions (审核意见) returned in review workbooks.", no_args_is_help=True
)
list_app = typer.Typer(help="The published list (动态调整公布).", no_args_is_help=True)


@decisions_app.command("import")
def decisions_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A filled review workbook."),
    actor: str = typer.Option("cli", help="Who is importing (recorded in the audit log)."),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
) -> None:
    """Validate a returned department workbook and apply its decisions, all or nothing."""
    try:
        with db.session_scope() as session:
            outcome = import_decisions(session, file, actor=actor)
    except DecisionImportError as error:
        fail(str(error))
    if as_json:
        print_json(outcome.as_dict())
        return
    if outcome.status == "already_imported":
        typer.echo(f"{file.name}：该文件已导入过，本次未作任何改动。")
        return
    typer.echo(
        f"{file.name}：{outcome.department}，已应用 {outcome.applied} 项，"
        f"与已导入意见相同 {outcome.unchanged} 项，未填写 {outcome.undecided} 项。"
    )
    for conflict in outcome.conflicts:
        typer.echo(
            f"  冲突：第{conflict.row}行 {conflict.code} 已导入“{conflict.existing}”，"
            f"本文件为“{conflict.returned}”，未改动",
            err=True,
        )


@list_app.command("export")
def list_export(
    year: int = typer.Option(..., "--year", help="The year of the adjusted list, e.g. 2026."),
    out: Path | None = typer.Option(None, help="Folder for the workbook (default: reports dir)."),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
) -> None:
    """Write the list after this year's decisions: published layout, catalogues and the diff."""
    folder = out or get_settings().reports_dir / "published"
    with db.session_scope() as session:
        reviewed_year(session, year)
        result = export_list(session, year, folder)
    summary = {
        "file": str(result.workbook.artifact.path),
        "sha256": result.workbook.artifact.sha256,
        "bytes": result.workbook.artifact.bytes,
        "catalogues_file": str(result.catalogues.artifact.path),
        "baseline": result.baseline,
        **result.counts,
    }
    if as_json:
        print_json(summary)
        return
    typer.echo(f"{year}年权责清单已导出：{summary['file']}")
    typer.echo(f"  目录与调整对照：{summary['catalogues_file']}")
    typer.echo(f"  调整对照基准：{summary['baseline']}")
    counts = result.counts
    typer.echo(
        f"  在列 {counts['in_force']} 项（保留 {counts['retained']}，"
        f"下放和委托 {counts['delegated_or_entrusted']}），取消 {counts['cancelled']}，"
        f"调整 {counts['changes']} 处"
    )


def reviewed_year(session: Session, year: int) -> None:
    """Refuse a year without a finished yearly review (年度审核): its export would record a
    snapshot that next year's comparison would wrongly start from."""
    finished = session.scalar(
        select(Run.id).where(
            Run.job == "yearly_review",
            Run.period == str(year),
            Run.status.in_(("succeeded", "partial")),
        )
    )
    if finished is None:
        fail(
            f"{year}年还没有完成的年度审核，不能导出该年的清单："
            f"先运行 powerlist run yearly-review --period {year}"
        )


def register(app: typer.Typer) -> None:
    """Add the review's command groups to the main app."""
    app.add_typer(decisions_app, name="decisions")
    app.add_typer(list_app, name="list")
