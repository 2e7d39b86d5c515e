"""`powerlist review findings --year 2026 [--department D] [--json]`: the year's findings."""

from __future__ import annotations

import typer

from powerlist.cli.errors import fail
from powerlist.cli.output import print_json, print_table

app = typer.Typer(help="Yearly review (年度审核) findings.", no_args_is_help=True)


@app.command("findings")
def findings(
    year: int = typer.Option(..., "--year", help="The review year, e.g. 2026."),
    department: str | None = typer.Option(
        None, "--department", help="One department, by code or full name."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of objects."),
) -> None:
    """List the findings of a year's review, each citing the article it rests on."""
    from powerlist import db
    from powerlist.review.listing import FindingsQueryError, list_findings

    try:
        with db.session_scope() as session:
            rows = list_findings(session, year, department)
    except FindingsQueryError as error:
        fail(str(error))
    if as_json:
        print_json(rows)
        return
    print_table(
        rows,
        [
            ("department", "部门"),
            ("code", "事项编码"),
            ("sub_item", "子项"),
            ("severity", "严重程度"),
            ("rule", "规则"),
            ("message", "审核发现"),
        ],
    )
    typer.echo(f"共 {len(rows)} 条")
