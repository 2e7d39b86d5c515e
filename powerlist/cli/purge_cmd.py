"""`powerlist purge [--dry-run]`: delete personal data past its retention period now."""

from __future__ import annotations

from dataclasses import asdict

import typer

from powerlist.cli.output import print_json


def purge_command(
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would go; delete nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of objects."),
) -> None:
    """Delete messages, reminders, audit events, departed staff and old workbooks past their
    keep days."""
    from powerlist.models import utcnow
    from powerlist.retention import KIND_ZH, purge_now
    from powerlist.settings import get_settings

    results = purge_now(get_settings(), utcnow(), dry_run=dry_run)
    if as_json:
        print_json([asdict(r) for r in results])
        return
    verb = "将删除" if dry_run else "已删除"
    for r in results:
        kept = f"保留 {r.keep_days} 天" if r.keep_days else "永久保留"
        files = f"（文件 {r.files} 个）" if r.files else ""
        typer.echo(f"{KIND_ZH[r.kind]}：{kept}，{verb} {r.rows} 条{files}")
