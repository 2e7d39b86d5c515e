"""`powerlist import KIND FILE [--dry-run]`: import a department's spreadsheet, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from powerlist.cli.errors import fail
from powerlist.cli.output import print_json

EXIT_REJECTED = 1
EXIT_USAGE = 2

# The names of powerlist.imports.KINDS, in its order, spelled here so that starting the CLI
# does not load the importers and openpyxl; tests/test_cli_startup.py checks they stay the same.
KINDS = ("departments", "items", "laws", "catalog", "delegations", "handling", "staff", "training")


def known_kind(kind: str) -> str:
    """Refuse an unknown kind before the file is looked at (a typo is the likelier mistake)."""
    if kind not in KINDS:
        fail(
            f"没有“{kind[:40]}”这种导入内容：可导入 {'、'.join(KINDS)}"
            "（如 powerlist import items 文件.xlsx）"
        )
    return kind


def import_command(
    kind: str = typer.Argument(
        ..., help=f"What the file holds: {', '.join(KINDS)}.", callback=lambda k: known_kind(k)
    ),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help=".xlsx or .csv file."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and count only; write nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    create_departments: bool = typer.Option(
        False,
        "--create-departments",
        help="items: create the 实施主体 departments not yet known (and print them).",
    ),
    queue: bool = typer.Option(
        False, "--queue", help="laws: send the 个别调整 run a law change starts to the workers."
    ),
) -> None:
    """Import a spreadsheet (.xlsx, or .csv in UTF-8 or GB18030); nothing is written on any error.

    On errors, every problem is printed with sheet, row and column, and an error workbook with
    the bad cells marked is written for correcting and uploading again.
    """
    from powerlist.db import session_scope
    from powerlist.excel.reading import ensure_defusedxml
    from powerlist.imports import ImportRejected, NoDataRejected, import_file

    ensure_defusedxml()
    try:
        with session_scope() as session:
            result = import_file(
                session, kind, file, dry_run=dry_run, create_departments=create_departments
            )
    except NoDataRejected as rejected:
        typer.echo(f"错误：{rejected.errors[0]}", err=True)
        raise typer.Exit(EXIT_USAGE) from rejected
    except ImportRejected as rejected:
        typer.echo(str(rejected), err=True)
        if rejected.error_workbook is not None:
            typer.echo(f"错误清单（已标出错误单元格）：{rejected.error_workbook}", err=True)
        raise typer.Exit(EXIT_REJECTED) from rejected
    adjustment = None
    if result.import_id is not None and result.law_changes:
        adjustment = start_adjustment(result.import_id, queue=queue, quiet=as_json)
    summary = {
        "kind": result.kind,
        "file": result.file,
        "sha256": result.sha256,
        "rows": result.rows,
        "created": result.counts.created,
        "updated": result.counts.updated,
        "unchanged": result.counts.unchanged,
        "already_imported": result.already_imported,
        "dry_run": result.dry_run,
        "notes": result.notes,
        "law_changes": [c.as_dict() for c in result.law_changes],
        "adjustment_run": adjustment,
    }
    if as_json:
        print_json(summary)
        return
    verb = "试导入（未写入）" if dry_run else "已导入"
    if result.already_imported:
        typer.echo(f"{file.name}：该文件已导入过，未作任何改动（sha256 {result.sha256[:12]}）")
    else:
        typer.echo(
            f"{file.name}：{verb} {result.rows} 行——新增 {result.counts.created}，"
            f"更新 {result.counts.updated}，未变 {result.counts.unchanged}"
        )
    for note in result.notes:
        typer.echo(f"  {note}")
    if adjustment is not None:
        typer.echo(f"  个别调整审核：运行 #{adjustment['id']}（{adjustment['status_text']}）")
        for name in adjustment.get("workbooks", []):
            typer.echo(f"    {name}")


def start_adjustment(import_id: int, *, queue: bool, quiet: bool) -> dict[str, Any]:
    """Start the 个别调整 run of this import's law changes: here, or queued with --queue."""
    from powerlist.adjustment.trigger import start_for_import
    from powerlist.db import default_engine
    from powerlist.labels import STATUS_ZH
    from powerlist.runtime.runner import run_in_process
    from powerlist.runtime.steps import limits_from
    from powerlist.settings import get_settings

    engine = default_engine()
    started = start_for_import(engine, import_id, trigger="import-queue" if queue else "import")
    assert started is not None  # the import recorded changes
    claim = started.claim
    if queue:
        from powerlist.runtime.ledger import PLAN
        from tasks.dispatch import send_steps  # the Celery edge, imported only when queueing

        try:
            send_steps(claim.run_id, claim.generation, "adjustment_review", [PLAN])
        except Exception as error:  # broker down: the run is recorded, the reaper re-sends it
            text = (
                f"未能送入队列（{type(error).__name__}），运行已登记，队列恢复后由回收任务派发；"
                f"也可运行 powerlist run adjustment-review --period {started.day}"
            )
            return {"id": claim.run_id, "status": "not_sent", "status_text": text}
        return {"id": claim.run_id, "status": "queued", "status_text": "已排队"}
    settings = get_settings()
    view = run_in_process(
        engine, claim, limits=limits_from(settings), reports_root=settings.reports_dir
    )
    summary = view.summary or {}
    return {
        "id": view.id,
        "status": view.status,
        "status_text": f"{STATUS_ZH.get(view.status, view.status)}，"
        f"{summary.get('departments', 0)} 个部门的工作簿",
        "workbooks": summary.get("workbooks", []),
        "departments": summary.get("departments", 0),
    }
