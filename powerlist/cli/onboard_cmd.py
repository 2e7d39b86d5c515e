"""`powerlist templates [--out DIR]`: blank import templates for a city's first day."""

from __future__ import annotations

from pathlib import Path

import typer

from powerlist.imports.templates import write_templates


def templates(
    out: Path = typer.Option(Path("模板"), "--out", help="Folder for the templates."),
) -> None:
    """Write a blank import template per kind (填表说明 sheet, drop-downs, required columns ＊)."""
    for path in write_templates(out):
        typer.echo(str(path))


def register(app: typer.Typer) -> None:
    """Add the onboarding commands to `app`."""
    app.command("templates")(templates)
