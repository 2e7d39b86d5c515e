"""The `powerlist` command line (Typer). Each area registers its commands here."""

from __future__ import annotations

import typer

from powerlist.cli import (
    assessment_cmd,
    db_cmd,
    demo_cmd,
    findings_cmd,
    http_cmd,
    imports_cmd,
    listing_cmd,
    onboard_cmd,
    outbox_cmd,
    purge_cmd,
    review_cmd,
    runtime_cmd,
)
from powerlist.cli.errors import run_app

app = typer.Typer(
    help="powerlist: yearly review, delegation assessment and training reminders for a "
    "power and responsibility list (权责清单).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    epilog="出错时只显示一行说明；加 --debug 显示完整的错误信息。",
)
app.add_typer(db_cmd.app, name="db")
app.add_typer(listing_cmd.departments_app, name="departments")
app.add_typer(listing_cmd.items_app, name="items")
app.command("demo")(demo_cmd.demo)
app.command("import")(imports_cmd.import_command)
review_cmd.register(app)
runtime_cmd.register(app)
app.add_typer(outbox_cmd.app, name="outbox")
app.command("purge")(purge_cmd.purge_command)
app.add_typer(assessment_cmd.app, name="assessment")
app.add_typer(findings_cmd.app, name="review")
http_cmd.register(app)
onboard_cmd.register(app)


def main() -> None:
    """Console-script entry point: every error answers as one Chinese line (see cli/errors.py)."""
    run_app(app)
