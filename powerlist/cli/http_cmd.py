"""`powerlist tokens create|revoke|list` (access tokens) and `powerlist serve` (HTTP + portal)."""

from __future__ import annotations

from datetime import datetime

import typer

from powerlist.cli.output import print_json, print_table

tokens_app = typer.Typer(
    help="Access tokens (访问令牌) for the HTTP API and the portal.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add `tokens` and `serve` to the main CLI."""
    app.add_typer(tokens_app, name="tokens")
    app.command("serve")(serve)


@tokens_app.command("create")
def tokens_create(
    department: str | None = typer.Option(None, "--department", help="Department code."),
    admin: bool = typer.Option(False, "--admin", help="An administrator's token."),
    expires_days: int = typer.Option(90, "--expires-days", min=1, help="Days until it expires."),
    label: str = typer.Option("", "--label", help="Whose token (shown in `tokens list`)."),
) -> None:
    """Create a token for one department or an administrator; it is shown this once only."""
    from powerlist.db import session_scope
    from powerlist.tokens import create_token

    if admin == (department is not None):
        typer.echo("错误：请指定 --department CODE 或 --admin 之一", err=True)
        raise typer.Exit(2)
    try:
        with session_scope() as session:
            token, token_id = create_token(
                session, department_code=department, admin=admin,
                expires_days=expires_days, label=label,
            )  # fmt: skip
    except ValueError as error:
        typer.echo(f"错误：{error}", err=True)
        raise typer.Exit(2) from error
    typer.echo(token)
    typer.echo(f"令牌 #{token_id}，{expires_days} 天后过期；只显示这一次，请妥善保管。", err=True)


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: int = typer.Argument(..., help="Token number from `tokens list`."),
) -> None:
    """Revoke a token at once (revoking twice is harmless)."""
    from powerlist.db import session_scope
    from powerlist.tokens import revoke_token

    with session_scope() as session:
        found = revoke_token(session, token_id)
    if not found:
        typer.echo(f"错误：没有令牌 #{token_id}", err=True)
        raise typer.Exit(2)
    typer.echo(f"令牌 #{token_id} 已吊销")


@tokens_app.command("list")
def tokens_list(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Every token (never the token itself): owner, prefix, expiry, revocation, last use."""
    from powerlist.db import session_scope
    from powerlist.tokens import list_tokens

    with session_scope() as session:
        rows = [
            {
                "id": t.id,
                "owner": "管理员" if t.is_admin else t.department,
                "prefix": t.prefix + "…",
                "label": t.label,
                "expires": _time(t.expires_at),
                "revoked": _time(t.revoked_at),
                "last_used": _time(t.last_used_at),
            }
            for t in list_tokens(session)
        ]
    if as_json:
        print_json(rows)
        return
    columns = [("id", "编号"), ("owner", "所属"), ("prefix", "前缀"), ("label", "备注"),
               ("expires", "过期"), ("revoked", "吊销"), ("last_used", "最近使用")]  # fmt: skip
    print_table(rows, columns)


def _time(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) and the department portal (/portal/)."""
    import uvicorn

    from powerlist.api import create_app

    uvicorn.run(create_app(), host=host, port=port, proxy_headers=False)
