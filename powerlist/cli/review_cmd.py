"""`powerlist decisions import|review|approve` and `powerlist list export --year 2026`.

A department's 部门意见 come in with `decisions import`; the reviewing office gets its 审核意见
workbook with `decisions review` and returns it with `decisions approve`.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import typer

from powerlist.cli.errors import fail
from powerlist.cli.output import print_json

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

decisions_app = typer.Typer(
    help="Department proposals (部门意见) and the reviewing office's findings (审核意见).",
    no_args_is_help=True,
)
list_app = typer.Typer(help="The published list (动态调整公布).", no_args_is_help=True)


@decisions_app.command("import")
def decisions_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A filled review workbook."),
    actor: str = typer.Option("cli", help="Who is importing (recorded in the audit log)."),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
) -> None:
    """Validate a returned department workbook and record its 部门意见 (待审核), all or nothing."""
    from powerlist import db
    from powerlist.review.decisions import DecisionImportError, import_decisions

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
        f"{file.name}：{outcome.department}，记录部门意见 {outcome.applied} 条（待审核），"
        f"与已提交意见相同 {outcome.unchanged} 条，未填写 {outcome.undecided} 项。"
    )
    for conflict in outcome.conflicts:
        typer.echo(
            f"  冲突：第{conflict.row}行 {conflict.code} 的部门意见“{conflict.existing}”已审核，"
            f"本文件为“{conflict.returned}”，未改动",
            err=True,
        )


@decisions_app.command("review")
def decisions_review(
    year: int = typer.Option(..., "--year", help="The review year, e.g. 2026."),
    run_id: int | None = typer.Option(None, "--run", help="The round (run id); default: latest."),
    out: Path | None = typer.Option(None, help="Folder for the workbook (default: reports dir)."),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
) -> None:
    """Write the reviewing office's 审核意见 workbook: every pending 部门意见 of the round."""
    from powerlist import db
    from powerlist.review.verdicts import latest_round, write_verdict_workbook
    from powerlist.settings import get_settings

    folder = out or get_settings().reports_dir / "verdicts"
    with db.session_scope() as session:
        chosen = run_id or latest_round(session, year)
        if chosen is None:
            typer.echo(f"{year}年度还没有审核运行，请先运行 powerlist run yearly-review", err=True)
            raise typer.Exit(2)
        written = write_verdict_workbook(session, chosen, folder)
        pending = written.rows.get("审核意见", 0)
    summary = {"file": str(written.path), "run_id": chosen, "pending": pending}
    if as_json:
        print_json(summary)
        return
    typer.echo(f"{written.path}：待审核部门意见 {pending} 条")


@decisions_app.command("approve")
def decisions_approve(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="A filled 审核意见 workbook."
    ),
    actor: str = typer.Option("cli", help="Who is importing (recorded in the audit log)."),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
) -> None:
    """Import the office's 审核意见: 同意 changes the list, 不同意 closes, 退回修改 sends back."""
    from powerlist import db
    from powerlist.review.verdicts import VerdictImportError, import_verdicts

    try:
        with db.session_scope() as session:
            outcome = import_verdicts(session, file, actor=actor)
    except VerdictImportError as error:
        fail(str(error))
    if as_json:
        print_json(outcome.as_dict())
        return
    if outcome.status == "already_imported":
        typer.echo(f"{file.name}：该文件已导入过，本次未作任何改动。")
        return
    typer.echo(
        f"{file.name}：同意 {outcome.approved} 条（已调整清单），不同意 {outcome.rejected} 条，"
        f"退回修改 {outcome.returned} 条，未填写 {outcome.undecided} 条。"
    )


@decisions_app.command("remind")
def decisions_remind(
    year: int = typer.Option(..., "--year", help="The review year, e.g. 2026."),
    run_id: int | None = typer.Option(None, "--run", help="The round (run id); default: latest."),
    today: str | None = typer.Option(None, help="Day to remind for, YYYY-MM-DD (default: today)."),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
) -> None:
    """Remind departments that have not returned their 部门意见 (working days only, once a day)."""
    from powerlist import db
    from powerlist.review.deadlines import remind_late
    from powerlist.review.verdicts import latest_round
    from powerlist.workdays import UnknownYear

    try:
        day = date.fromisoformat(today) if today else local_today()
    except ValueError as error:
        typer.echo(f"日期“{today}”无效，请写作 YYYY-MM-DD", err=True)
        raise typer.Exit(2) from error
    try:
        with db.session_scope() as session:
            chosen = run_id or latest_round(session, year)
            if chosen is None:
                typer.echo(f"{year}年度还没有审核运行", err=True)
                raise typer.Exit(2)
            outcome = remind_late(session, chosen, day)
    except UnknownYear as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error
    if as_json:
        print_json(asdict(outcome))
        return
    if not outcome.working_day:
        typer.echo(f"{day.isoformat()} 不是工作日，不发送提醒。")
        return
    typer.echo(
        f"未回传部门意见的部门 {len(outcome.late)} 个，本次提醒 {len(outcome.reminded)} 个"
        + (f"，无联系邮箱 {len(outcome.no_address)} 个" if outcome.no_address else "")
        + ("；已提醒审核机关审核意见逾期" if outcome.office_alerted else "")
    )


def local_today() -> date:
    """Today in the configured timezone."""
    from powerlist.settings import get_settings

    return datetime.now(ZoneInfo(get_settings().timezone)).date()


@list_app.command("export")
def list_export(
    year: int = typer.Option(..., "--year", help="The year of the adjusted list, e.g. 2026."),
    out: Path | None = typer.Option(None, help="Folder for the workbook (default: reports dir)."),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
) -> None:
    """Write the list after this year's decisions: published layout, catalogues and the diff."""
    from powerlist import db
    from powerlist.review.export import export_list
    from powerlist.settings import get_settings

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
    from sqlalchemy import select

    from powerlist.models import Run

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
