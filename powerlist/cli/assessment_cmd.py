"""`powerlist assessment check-config` and `powerlist assessment list` (效能评估)."""

from __future__ import annotations

from pathlib import Path

import typer

from powerlist.cli.errors import fail
from powerlist.cli.output import print_json, print_table

# The recommendations (assessment.config.RECOMMENDATIONS) and 已收回 (scoring.REVOKED, a
# delegation revoked within the period), spelled here so that starting the CLI does not load
# the assessment; tests/test_cli_startup.py checks they stay the same.
LISTED = ("继续", "整改", "收回", "已收回")

app = typer.Typer(
    help="Delegation assessment (下放委托事项效能评估): configuration and stored results.",
    no_args_is_help=True,
)


@app.command("check-config")
def check_config(
    path: Path | None = typer.Argument(
        None, help="TOML file to check (default: POWERLIST_ASSESSMENT_FILE or the built-in one)."
    ),
) -> None:
    """Validate the weights, targets and grade thresholds before a run uses them."""
    from powerlist.assessment.config import BadAssessmentConfig, load_config

    try:
        config = load_config(path)
    except BadAssessmentConfig as error:
        typer.echo(f"错误：{error}", err=True)
        raise typer.Exit(2) from None
    weights = "、".join(f"{name} {weight:g}" for name, weight in config.weights.items())
    grades = "、".join(f"{grade}≥{low:g}" for grade, low in config.grades)
    typer.echo(f"{config.source}: ok\nweights: {weights}\ngrades: {grades}")


@app.command("list")
def list_results(
    period: str = typer.Option(..., "--period", help="2026 or 2026-Q3."),
    recommendation: str | None = typer.Option(
        None, "--recommendation", help=f"Only one recommendation: {'、'.join(LISTED)}."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of objects."),
) -> None:
    """List the stored assessment of every delegation for a period."""
    from powerlist.assessment.store import period_rows
    from powerlist.db import session_scope
    from powerlist.periods import BadPeriod, parse_period

    if recommendation is not None and recommendation not in LISTED:
        fail(f"建议只能是 {'、'.join(LISTED)}，不是“{recommendation[:40]}”")
    try:
        label = parse_period(period).label
    except BadPeriod as error:
        fail(str(error))
    with session_scope() as session:
        rows = [
            {
                "department": row.department_name,
                "item_code": row.item_code,
                "item": row.item_name,
                "unit": row.unit_name,
                "mode": row.mode,
                "score": row.score,
                "grade": row.grade,
                "recommendation": row.recommendation,
                "reasons": row.reasons,
            }
            for row in period_rows(session, label)
            if recommendation is None or row.recommendation == recommendation
        ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo(
            f"{label} 没有{'建议为“' + recommendation + '”的' if recommendation else ''}评估结果"
            f"（先运行 powerlist run delegation-assessment --period {label}）"
        )
        return
    print_table(
        rows,
        [("department", "下放/委托部门"), ("item_code", "事项编码"), ("item", "事项名称"),
         ("unit", "承接单位"), ("score", "得分"), ("grade", "等次"),
         ("recommendation", "建议"), ("reasons", "理由")],
    )  # fmt: skip
