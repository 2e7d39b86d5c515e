"""The `powerlist` command line (Typer). Each area registers its commands here."""

from __future__ import annotations

import typer

from powerlist.cli import (
    assessment_cmd,
    db_cmd,
    demo_cmd,
    http_cmd,
    imports_cmd,
    listing_cmd,
    outbox_cmd,
    purge_cmd,
    review_cmd,
    runtime_cmd,
)

app = typer.Typer(
    help="powerlist: yearly review, delegation assessment and training reminders for a "
    "power and responsibility list (权责清单).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
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
http_cmd.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
