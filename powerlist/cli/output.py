"""How the CLI prints: JSON lists for scripts, aligned tables for people."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from typing import Any

import typer


def print_json(rows: Sequence[dict[str, Any]] | dict[str, Any]) -> None:
    """Print JSON with Chinese kept readable (not \\u-escaped)."""
    typer.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))


def display_width(text: str) -> int:
    """Terminal columns a string takes: CJK characters are two columns wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> None:
    """Print rows as a table; `columns` are (key, header) pairs, long cells are cut."""
    cells = [[_cell(row.get(key)) for key, _ in columns] for row in rows]
    headers = [header for _, header in columns]
    widths = [
        max([display_width(headers[i]), *(display_width(c[i]) for c in cells)])
        for i in range(len(columns))
    ]
    typer.echo("  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in cells:
        typer.echo("  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())


def _cell(value: Any, limit: int = 40) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    text = " ".join(str(value).split())
    out = ""
    for ch in text:
        if display_width(out + ch) > limit:
            return out + "…"
        out += ch
    return out
