"""`powerlist departments list` and `powerlist items list`."""

from __future__ import annotations

import typer

from powerlist.cli.errors import fail
from powerlist.cli.output import print_json, print_table

departments_app = typer.Typer(help="Departments (部门) that hold powers.", no_args_is_help=True)
items_app = typer.Typer(help="Power items (权力事项) on the list.", no_args_is_help=True)

TABLE_ROWS = 50


@departments_app.command("list")
def departments_list(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of objects."),
) -> None:
    """List every department with its level, status and number of items."""
    from powerlist.db import reading
    from powerlist.listing import list_departments
    from powerlist.settings import get_settings

    with reading() as connection:
        rows = list_departments(connection, get_settings().city)
    if as_json:
        print_json(rows)
        return
    print_table(
        rows,
        [("code", "编码"), ("name", "部门"), ("region", "所属地区"), ("level", "层级"),
         ("category", "机构类别"), ("active", "在用"),
         ("merged_into", "并入"), ("items", "事项数")],
    )  # fmt: skip


@items_app.command("list")
def items_list(
    department: str | None = typer.Option(
        None, "--department", "-d", help="Department name (市生态环境局) or code (sthjj)."
    ),
    limit: int | None = typer.Option(
        None, "--limit", help=f"At most this many items (table default {TABLE_ROWS}; 0 = all)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of objects."),
) -> None:
    """List power items with type, status and legal bases, optionally for one department."""
    from powerlist.db import reading
    from powerlist.listing import DepartmentNotFound, find_department, list_items

    with reading() as connection:
        try:
            owner = find_department(connection, department) if department else None
        except DepartmentNotFound as error:
            fail(f"{error}：用 powerlist departments list 查看部门")
        wanted = limit if limit is not None else (None if as_json else TABLE_ROWS)
        rows = list_items(connection, owner, limit=wanted or None)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        row["bases"] = "；".join(f"{b['title']}{b['articles'] or ''}" for b in row["legal_bases"])
    print_table(
        rows,
        [("code", "事项编码"), ("name", "事项名称"), ("sub_item", "子项"), ("category", "权力类型"),
         ("status", "状态"), ("bases", "实施依据")],
    )  # fmt: skip
    if wanted and len(rows) == wanted:
        typer.echo(f"（只显示前 {wanted} 项；--limit 0 显示全部，--json 输出 JSON）")
