"""`powerlist db …`: schema migrations."""

from __future__ import annotations

import typer

from powerlist.cli.errors import fail

app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations to POWERLIST_DATABASE_URL (creates the SQLite file if needed)."""
    from alembic.util.exc import CommandError

    from powerlist import db
    from powerlist.settings import get_settings

    try:
        db.upgrade(get_settings().database_url, revision)
    except CommandError as error:
        fail(f"无法升级到“{revision}”：{error}；不写版本即升级到最新（powerlist db upgrade）")
    typer.echo(f"数据库已升级到 {revision}：{_redacted(get_settings().database_url)}")


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
